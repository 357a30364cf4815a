/// Client addresses as the 128-bit keys of the top-IP sketch: the 16 bytes of an IPv6 address
/// (IPv4 mapped into `::ffff:0:0/96`) read big-endian as two words.
enum ClientAddress {
    /// The high word of every IPv4-mapped address.
    static let ipv4MappedHigh: UInt64 = 0
    /// Bits 32...63 of the low word of an IPv4-mapped address.
    static let ipv4MappedMarker: UInt32 = 0x0000_FFFF

    /// The key of a record's client IP bytes: 16 bytes as they are, 4 bytes mapped; `nil` for
    /// anything else (empty = unknown).
    @inline(__always)
    static func key(_ ip: UnsafeRawBufferPointer) -> TopKey? {
        switch ip.count {
        case 16:
            return TopKey(address: ip)
        case 4:
            let v4 = UInt32(bigEndian: ip.loadUnaligned(as: UInt32.self))
            return TopKey(high: ipv4MappedHigh, low: UInt64(ipv4MappedMarker) << 32 | UInt64(v4))
        default:
            return nil
        }
    }

    /// PostgreSQL `inet` text of a key: dotted quad for IPv4-mapped addresses, else eight
    /// hexadecimal groups (PostgreSQL prints its canonical form on output).
    static func text(_ key: TopKey) -> String {
        if key.high == ipv4MappedHigh && UInt32(truncatingIfNeeded: key.low >> 32) == ipv4MappedMarker {
            let v4 = UInt32(truncatingIfNeeded: key.low)
            return "\(v4 >> 24).\((v4 >> 16) & 0xFF).\((v4 >> 8) & 0xFF).\(v4 & 0xFF)"
        }
        var groups: [String] = []
        for word in [key.high, key.low] {
            for shift in stride(from: 48, through: 0, by: -16) {
                groups.append(String((word >> UInt64(shift)) & 0xFFFF, radix: 16))
            }
        }
        return groups.joined(separator: ":")
    }
}
