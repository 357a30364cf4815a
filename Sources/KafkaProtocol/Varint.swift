import NIOCore

/// The two variable-length integer encodings of the Kafka protocol. Both put 7 bits in each byte,
/// least-significant group first, with the high bit meaning "more bytes follow" (LEB128).
///
/// - **Unsigned varint** (plain LEB128): lengths, counts and tags of flexible message versions
///   (KIP-482), e.g. COMPACT_STRING length+1. At most 5 bytes for 32 bits.
/// - **Signed varint / varlong** (zig-zag, Protocol Buffers `sint32`/`sint64`): every length and
///   delta inside a Record (RECORD_BATCH.md §3). `n` is stored as `(n << 1) ^ (n >> 63)`, so
///   small magnitudes of either sign stay short: -1 → `01`, 1 → `02`. At most 5 bytes for 32
///   bits, 10 for 64.
///
/// The two are deliberately separate functions: the same bytes mean different numbers in each.
/// Readers reject encodings longer than the maximum width or carrying bits above it
/// (``KafkaProtocolError/invalidVarint(field:)``), so a hostile run of `0xFF` bytes cannot loop
/// or overflow.
public enum Varint {
    // MARK: - Zig-zag

    /// Maps signed to unsigned so that small magnitudes of either sign encode short.
    @inlinable
    public static func zigZag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    /// Inverse of ``zigZag(_:)``.
    @inlinable
    public static func unZigZag(_ value: UInt64) -> Int64 {
        Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }

    // MARK: - Sizes

    /// Bytes needed for `value` as an unsigned varint (1...10).
    @inlinable
    public static func encodedSize(unsigned value: UInt64) -> Int {
        // One byte per started group of 7 significant bits; zero still takes one byte.
        let significantBits = 64 - (value | 1).leadingZeroBitCount
        return (significantBits + 6) / 7
    }

    /// Bytes needed for `value` as a zig-zag signed varint/varlong (1...10).
    @inlinable
    public static func encodedSize(signed value: Int64) -> Int {
        encodedSize(unsigned: zigZag(value))
    }

    // MARK: - Writing

    /// Appends `value` as an unsigned varint.
    public static func writeUnsigned(_ value: UInt64, to buffer: inout ByteBuffer) {
        var remaining = value
        while remaining >= 0x80 {
            buffer.writeInteger(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        buffer.writeInteger(UInt8(remaining))
    }

    /// Appends `value` as a zig-zag signed varint (a 32-bit value gives the same bytes as a
    /// varint and as a varlong).
    public static func writeSigned(_ value: Int64, to buffer: inout ByteBuffer) {
        writeUnsigned(zigZag(value), to: &buffer)
    }

    /// Appends `value` as an unsigned varint.
    public static func appendUnsigned(_ value: UInt64, to bytes: inout [UInt8]) {
        var remaining = value
        while remaining >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(remaining))
    }

    /// Appends `value` as a zig-zag signed varint.
    public static func appendSigned(_ value: Int64, to bytes: inout [UInt8]) {
        appendUnsigned(zigZag(value), to: &bytes)
    }

    // MARK: - Reading raw bytes

    /// Reads an unsigned varint of at most `bitWidth` bits (32 or 64) at `index`, advancing it.
    ///
    /// - Throws: ``KafkaProtocolError/truncated(field:)`` when the bytes end first,
    ///   ``KafkaProtocolError/invalidVarint(field:)`` when the encoding is longer than the width
    ///   allows or sets bits above it.
    ///
    /// The varints of a record's framing (its length, timestamp and offset deltas, key and value
    /// lengths, header count) are almost all one to three bytes: that case is inlined into the
    /// record parser, longer ones and the end of the bytes take the loop.
    @inline(__always)
    public static func readUnsigned(
        _ bytes: UnsafeRawBufferPointer,
        at index: inout Int,
        bitWidth: Int,
        field: String
    ) throws(KafkaProtocolError) -> UInt64 {
        if index >= 0, index + 3 <= bytes.count {
            // Up to three bytes (21 bits: any width allows them), each byte read once.
            let first = UInt64(bytes[index])
            if first < 0x80 {
                index += 1
                return first
            }
            let second = UInt64(bytes[index + 1])
            if second < 0x80 {
                index += 2
                return first & 0x7F | second << 7
            }
            let third = UInt64(bytes[index + 2])
            if third < 0x80 {
                index += 3
                return first & 0x7F | (second & 0x7F) << 7 | third << 14
            }
        }
        return try readUnsignedLoop(bytes, at: &index, bitWidth: bitWidth, field: field)
    }

    @inline(never)
    static func readUnsignedLoop(
        _ bytes: UnsafeRawBufferPointer,
        at index: inout Int,
        bitWidth: Int,
        field: String
    ) throws(KafkaProtocolError) -> UInt64 {
        precondition(bitWidth == 32 || bitWidth == 64, "varints are 32 or 64 bits wide")
        let maxBytes = (bitWidth + 6) / 7
        var result: UInt64 = 0
        var shift = 0
        var cursor = index
        for byteNumber in 0..<maxBytes {
            guard cursor < bytes.count else { throw .truncated(field: field) }
            let byte = bytes[cursor]
            cursor += 1
            let payload = UInt64(byte & 0x7F)
            if byteNumber == maxBytes - 1 {
                // The last allowed byte may only carry the bits left in the width.
                let bitsLeft = bitWidth - shift
                guard byte & 0x80 == 0, payload >> bitsLeft == 0 else { throw .invalidVarint(field: field) }
            }
            result |= payload << shift
            if byte & 0x80 == 0 {
                index = cursor
                return result
            }
            shift += 7
        }
        throw .invalidVarint(field: field)
    }

    /// Reads a zig-zag signed varint (32-bit) at `index`, advancing it.
    @inline(__always)
    public static func readSigned32(
        _ bytes: UnsafeRawBufferPointer,
        at index: inout Int,
        field: String
    ) throws(KafkaProtocolError) -> Int32 {
        let raw = try readUnsigned(bytes, at: &index, bitWidth: 32, field: field)
        // A zig-zag value of at most 32 bits decodes into Int32 range.
        return Int32(truncatingIfNeeded: unZigZag(raw))
    }

    /// Reads a zig-zag signed varlong (64-bit) at `index`, advancing it.
    @inline(__always)
    public static func readSigned64(
        _ bytes: UnsafeRawBufferPointer,
        at index: inout Int,
        field: String
    ) throws(KafkaProtocolError) -> Int64 {
        unZigZag(try readUnsigned(bytes, at: &index, bitWidth: 64, field: field))
    }
}

extension ByteBuffer {
    /// Reads an unsigned varint of at most 32 bits, moving the reader index past it only on
    /// success.
    public mutating func readUnsignedVarint(field: String) throws(KafkaProtocolError) -> UInt32 {
        let result = withUnsafeReadableBytes { bytes in
            Result { () throws(KafkaProtocolError) -> (UInt64, Int) in
                var index = 0
                let value = try Varint.readUnsigned(bytes, at: &index, bitWidth: 32, field: field)
                return (value, index)
            }
        }
        let (value, length) = try result.get()
        moveReaderIndex(forwardBy: length)
        return UInt32(truncatingIfNeeded: value)
    }

    /// Reads a zig-zag signed varint (32-bit).
    public mutating func readVarint(field: String) throws(KafkaProtocolError) -> Int32 {
        let result = withUnsafeReadableBytes { bytes in
            Result { () throws(KafkaProtocolError) -> (Int32, Int) in
                var index = 0
                let value = try Varint.readSigned32(bytes, at: &index, field: field)
                return (value, index)
            }
        }
        let (value, length) = try result.get()
        moveReaderIndex(forwardBy: length)
        return value
    }

    /// Reads a zig-zag signed varlong (64-bit).
    public mutating func readVarlong(field: String) throws(KafkaProtocolError) -> Int64 {
        let result = withUnsafeReadableBytes { bytes in
            Result { () throws(KafkaProtocolError) -> (Int64, Int) in
                var index = 0
                let value = try Varint.readSigned64(bytes, at: &index, field: field)
                return (value, index)
            }
        }
        let (value, length) = try result.get()
        moveReaderIndex(forwardBy: length)
        return value
    }

    /// Appends an unsigned varint.
    public mutating func writeUnsignedVarint(_ value: UInt32) {
        Varint.writeUnsigned(UInt64(value), to: &self)
    }

    /// Appends a zig-zag signed varint/varlong.
    public mutating func writeVarlong(_ value: Int64) {
        Varint.writeSigned(value, to: &self)
    }
}
