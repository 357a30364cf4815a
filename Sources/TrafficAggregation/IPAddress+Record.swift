import NginxLog

extension IPAddress {
    /// A record's `clientIp`: 16 bytes (IPv4 mapped into `::ffff:0:0/96`) as the shipper
    /// writes it, or 4 bytes of a bare IPv4 address; `nil` for any other length (unknown).
    @inline(__always)
    init?(recordBytes bytes: UnsafeRawBufferPointer) {
        switch bytes.count {
        case 16:
            guard let key = TopKey(address: bytes) else { return nil }
            self.init(high: key.high, low: key.low)
        case 4:
            self.init(ipv4: UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self)))
        default:
            return nil
        }
    }
}
