import CCRC32C
import NIOCore

/// CRC-32C (Castagnoli): polynomial 0x1EDC6F41, reflected 0x82F63B78, initial value 0xFFFFFFFF,
/// final xor 0xFFFFFFFF. RecordBatch v2 stores it over the bytes from `attributes`
/// (``RecordBatchHeader/checksumStart``) to the end of the batch (RECORD_BATCH.md §2).
///
/// With the CPU's CRC-32C instruction when it has one (SSE 4.2: several times faster, and both
/// the shipper and the broker checksum every batch), otherwise slicing-by-8: eight 256-entry tables let each step fold eight input bytes with eight lookups
/// instead of one byte per lookup; the tables (8 KiB) are built once on first use.
///
/// Values chain: `update(checksum(a), with: b) == checksum(a + b)`, so a batch arriving in
/// pieces (or stored in two buffers) needs no concatenation.
public enum CRC32C {
    /// The checksum of `bytes`.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        update(0, with: bytes)
    }

    /// The checksum of a byte array.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    /// The checksum of the readable bytes of `buffer`.
    public static func checksum(_ buffer: ByteBuffer) -> UInt32 {
        buffer.withUnsafeReadableBytes { checksum($0) }
    }

    /// Extends `crc` (a finished checksum of earlier bytes, or 0 for none) over `bytes`.
    public static func update(_ crc: UInt32, with bytes: UnsafeRawBufferPointer) -> UInt32 {
        if usesHardware, let base = bytes.baseAddress {
            return ~edgelog_crc32c_hardware_update(~crc, base, bytes.count)
        }
        return softwareUpdate(crc, with: bytes)
    }

    /// Whether `update` uses the CPU instruction (decided once, at first use).
    public static let usesHardware = edgelog_crc32c_hardware_available() != 0

    /// The table-driven checksum, whatever the CPU has (kept public so tests compare both).
    public static func softwareUpdate(_ crc: UInt32, with bytes: UnsafeRawBufferPointer) -> UInt32 {
        var state = ~crc
        var index = 0
        let count = bytes.count
        slicingTables.withUnsafeBufferPointer { table in
            while count - index >= 8 {
                let low = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt32.self)) ^ state
                let high = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index + 4, as: UInt32.self))
                state =
                    table[7 * 256 + Int(low & 0xFF)] ^ table[6 * 256 + Int((low >> 8) & 0xFF)]
                    ^ table[5 * 256 + Int((low >> 16) & 0xFF)] ^ table[4 * 256 + Int(low >> 24)]
                    ^ table[3 * 256 + Int(high & 0xFF)] ^ table[2 * 256 + Int((high >> 8) & 0xFF)]
                    ^ table[1 * 256 + Int((high >> 16) & 0xFF)] ^ table[Int(high >> 24)]
                index += 8
            }
            while index < count {
                state = table[Int((state ^ UInt32(bytes[index])) & 0xFF)] ^ (state >> 8)
                index += 1
            }
        }
        return ~state
    }

    /// Table `k` (entries `k*256 ..< (k+1)*256`) maps a byte to its contribution after it has
    /// been followed by `k` zero bytes; table 0 is the classic byte-at-a-time table.
    private static let slicingTables: [UInt32] = {
        let polynomial: UInt32 = 0x82F6_3B78
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 {
                crc = (crc & 1) == 1 ? (crc >> 1) ^ polynomial : crc >> 1
            }
            tables[byte] = crc
        }
        for slice in 1..<8 {
            for byte in 0..<256 {
                let previous = tables[(slice - 1) * 256 + byte]
                tables[slice * 256 + byte] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()
}
