/// Appends fixed-width unsigned fields MSB-first into bytes, the packing of both SPARSE words and
/// FULL registers: a field may straddle bytes, and the last byte is padded with zero bits at its
/// low end (PostgreSQL compares `hll` values byte for byte, so the padding must be zero).
///
/// Invariant: `width` is 1…24 (the widest field is a SPARSE word, 17 + 7 bits), so pending bits
/// never exceed 31 and fit the 64-bit accumulator.
struct BitWriter {
    private(set) var bytes: [UInt8]
    private var accumulator: UInt64 = 0
    private var pendingBitCount = 0

    init(reservingCapacity capacity: Int, prefix: [UInt8]) {
        bytes = prefix
        bytes.reserveCapacity(capacity)
    }

    mutating func append(_ value: UInt32, width: Int) {
        accumulator = accumulator << UInt64(width) | UInt64(value)
        pendingBitCount += width
        while pendingBitCount >= 8 {
            pendingBitCount -= 8
            bytes.append(UInt8(truncatingIfNeeded: accumulator >> UInt64(pendingBitCount)))
        }
    }

    /// Flushes a partial last byte, zero-padded, and returns everything written.
    consuming func finish() -> [UInt8] {
        if pendingBitCount > 0 {
            bytes.append(UInt8(truncatingIfNeeded: accumulator << UInt64(8 - pendingBitCount)))
        }
        return bytes
    }
}

/// Reads fixed-width fields MSB-first, the inverse of `BitWriter`.
///
/// The caller bounds the number of fields by the body's bit length; padding bits are never
/// interpreted, as in the extension.
struct BitReader {
    private let bytes: [UInt8]
    private var nextByte: Int
    private var accumulator: UInt64 = 0
    private var pendingBitCount = 0

    init(_ bytes: [UInt8], startingAt offset: Int) {
        self.bytes = bytes
        nextByte = offset
    }

    /// The next `width`-bit field (1…24 bits).
    /// - Precondition: at least `width` unread bits remain; the caller's count is derived from the length.
    mutating func read(width: Int) -> UInt32 {
        while pendingBitCount < width {
            accumulator = accumulator << 8 | UInt64(bytes[nextByte])
            nextByte += 1
            pendingBitCount += 8
        }
        pendingBitCount -= width
        let mask: UInt64 = (1 << UInt64(width)) - 1
        return UInt32(truncatingIfNeeded: (accumulator >> UInt64(pendingBitCount)) & mask)
    }
}
