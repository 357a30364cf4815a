import NIOCore

// MARK: - Reading
//
// The protocol's primitive types (LAYOUTS.md header): big-endian fixed-width integers; STRING =
// int16 length + UTF-8 (-1 = null when nullable); BYTES/RECORDS = int32 length + data; ARRAY =
// int32 count + elements; and the COMPACT_* forms of flexible versions, prefixed by an unsigned
// varint holding length+1 (0 = null).
//
// Every reader checks the prefix against the readable bytes *before* allocating anything, so a
// hostile count or length costs nothing; a failed read may leave the reader index anywhere
// (callers abandon the buffer on error).

extension ByteBuffer {
    @inline(__always)
    mutating func readKafkaInteger<T: FixedWidthInteger>(_ field: String, as: T.Type = T.self)
        throws(KafkaProtocolError) -> T
    {
        guard let value = readInteger(as: T.self) else { throw .truncated(field: field) }
        return value
    }

    mutating func readKafkaBool(_ field: String) throws(KafkaProtocolError) -> Bool {
        let byte: UInt8 = try readKafkaInteger(field)
        return byte != 0
    }

    /// STRING or NULLABLE_STRING (int16 length), or their compact forms when `compact`.
    mutating func readKafkaNullableString(_ field: String, compact: Bool = false) throws(KafkaProtocolError) -> String?
    {
        let length: Int
        if compact {
            let raw = try readUnsignedVarint(field: field)
            if raw == 0 { return nil }
            length = Int(raw) - 1
        } else {
            let raw: Int16 = try readKafkaInteger(field)
            if raw == -1 { return nil }
            guard raw >= 0 else { throw .invalidLength(field: field, length: Int(raw)) }
            length = Int(raw)
        }
        guard length <= readableBytes else { throw .truncated(field: field) }
        // Invalid UTF-8 is replaced (U+FFFD); names are validated by the broker, not here.
        guard let string = readString(length: length) else { throw .truncated(field: field) }
        return string
    }

    mutating func readKafkaString(_ field: String, compact: Bool = false) throws(KafkaProtocolError) -> String {
        guard let string = try readKafkaNullableString(field, compact: compact) else {
            throw .invalidLength(field: field, length: -1)
        }
        return string
    }

    /// NULLABLE_BYTES / RECORDS (int32 length) as a slice sharing this buffer's storage.
    mutating func readKafkaNullableBytes(_ field: String) throws(KafkaProtocolError) -> ByteBuffer? {
        let length: Int32 = try readKafkaInteger(field)
        if length == -1 { return nil }
        guard length >= 0 else { throw .invalidLength(field: field, length: Int(length)) }
        guard let slice = readSlice(length: Int(length)) else { throw .truncated(field: field) }
        return slice
    }

    mutating func readKafkaBytes(_ field: String) throws(KafkaProtocolError) -> ByteBuffer {
        guard let bytes = try readKafkaNullableBytes(field) else { throw .invalidLength(field: field, length: -1) }
        return bytes
    }

    /// BYTES (int32 length, never null) copied out as an array: the group APIs' metadata and
    /// assignments are small, opaque to the codec, and outlive the request buffer (a broker keeps
    /// them across a rebalance), so owning them beats pinning the whole frame with a slice.
    mutating func readKafkaByteArray(_ field: String) throws(KafkaProtocolError) -> [UInt8] {
        let slice = try readKafkaBytes(field)
        return Array(slice.readableBytesView)
    }

    /// ARRAY / NULLABLE_ARRAY (int32 count) or COMPACT_ARRAY when `compact`. Every element takes
    /// at least one byte, so a count above the readable bytes is rejected before any allocation.
    mutating func readKafkaNullableArray<Element>(
        _ field: String,
        compact: Bool = false,
        _ element: (inout ByteBuffer) throws(KafkaProtocolError) -> Element
    ) throws(KafkaProtocolError) -> [Element]? {
        let count: Int
        if compact {
            let raw = try readUnsignedVarint(field: field)
            if raw == 0 { return nil }
            count = Int(raw) - 1
        } else {
            let raw: Int32 = try readKafkaInteger(field)
            if raw == -1 { return nil }
            guard raw >= 0 else { throw .invalidLength(field: field, length: Int(raw)) }
            count = Int(raw)
        }
        guard count <= readableBytes else { throw .truncated(field: field) }
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for _ in 0..<count {
            elements.append(try element(&self))
        }
        return elements
    }

    mutating func readKafkaArray<Element>(
        _ field: String,
        compact: Bool = false,
        _ element: (inout ByteBuffer) throws(KafkaProtocolError) -> Element
    ) throws(KafkaProtocolError) -> [Element] {
        guard let elements = try readKafkaNullableArray(field, compact: compact, element) else {
            throw .invalidLength(field: field, length: -1)
        }
        return elements
    }

    /// Skips a TAG_BUFFER: uvarint count, then per field `uvarint tag, uvarint size, bytes`.
    /// Unknown tags are skipped as the flexible-versions rule requires.
    mutating func skipKafkaTaggedFields(_ field: String) throws(KafkaProtocolError) {
        let count = try readUnsignedVarint(field: field)
        guard count <= readableBytes else { throw .truncated(field: field) }
        for _ in 0..<count {
            _ = try readUnsignedVarint(field: field)
            let size = try readUnsignedVarint(field: field)
            guard Int(size) <= readableBytes else { throw .truncated(field: field) }
            moveReaderIndex(forwardBy: Int(size))
        }
    }
}

// MARK: - Writing

extension ByteBuffer {
    mutating func writeKafkaBool(_ value: Bool) {
        writeInteger(value ? UInt8(1) : UInt8(0))
    }

    mutating func writeKafkaNullableString(_ value: String?, _ field: String, compact: Bool = false)
        throws(KafkaProtocolError)
    {
        guard let value else {
            if compact { writeUnsignedVarint(0) } else { writeInteger(Int16(-1)) }
            return
        }
        let length = value.utf8.count
        if compact {
            guard length < Int(UInt32.max) else {
                throw .unencodable(field: field, reason: "string of \(length) bytes")
            }
            writeUnsignedVarint(UInt32(length + 1))
        } else {
            guard length <= Int(Int16.max) else {
                throw .unencodable(field: field, reason: "string of \(length) bytes exceeds 32767")
            }
            writeInteger(Int16(length))
        }
        writeString(value)
    }

    mutating func writeKafkaString(_ value: String, _ field: String, compact: Bool = false) throws(KafkaProtocolError) {
        try writeKafkaNullableString(value, field, compact: compact)
    }

    mutating func writeKafkaNullableBytes(_ value: ByteBuffer?, _ field: String) throws(KafkaProtocolError) {
        guard let value else {
            writeInteger(Int32(-1))
            return
        }
        guard value.readableBytes <= Int(Int32.max) else {
            throw .unencodable(field: field, reason: "\(value.readableBytes) bytes exceed Int32.max")
        }
        writeInteger(Int32(value.readableBytes))
        writeImmutableBuffer(value)
    }

    /// BYTES (int32 length + data) from an array; see ``readKafkaByteArray(_:)``.
    mutating func writeKafkaBytes(_ value: [UInt8], _ field: String) throws(KafkaProtocolError) {
        guard value.count <= Int(Int32.max) else {
            throw .unencodable(field: field, reason: "\(value.count) bytes exceed Int32.max")
        }
        writeInteger(Int32(value.count))
        writeBytes(value)
    }

    mutating func writeKafkaNullableArray<Element>(
        _ elements: [Element]?,
        _ field: String,
        compact: Bool = false,
        _ element: (Element, inout ByteBuffer) throws(KafkaProtocolError) -> Void
    ) throws(KafkaProtocolError) {
        guard let elements else {
            if compact { writeUnsignedVarint(0) } else { writeInteger(Int32(-1)) }
            return
        }
        guard elements.count < Int(Int32.max) else {
            throw .unencodable(field: field, reason: "\(elements.count) elements exceed Int32.max")
        }
        if compact {
            writeUnsignedVarint(UInt32(elements.count + 1))
        } else {
            writeInteger(Int32(elements.count))
        }
        for value in elements {
            try element(value, &self)
        }
    }

    mutating func writeKafkaArray<Element>(
        _ elements: [Element],
        _ field: String,
        compact: Bool = false,
        _ element: (Element, inout ByteBuffer) throws(KafkaProtocolError) -> Void
    ) throws(KafkaProtocolError) {
        try writeKafkaNullableArray(Optional(elements), field, compact: compact, element)
    }

    /// An empty TAG_BUFFER (a single 0x00): we never write tagged fields.
    mutating func writeKafkaEmptyTaggedFields() {
        writeInteger(UInt8(0))
    }
}

// MARK: - Versions

/// Throws ``KafkaProtocolError/unsupportedVersion(api:version:)`` unless `versions` holds `version`.
@inline(__always)
func requireVersion(_ version: Int16, _ versions: ClosedRange<Int16>, _ api: ApiKey) throws(KafkaProtocolError) {
    guard versions.contains(version) else { throw .unsupportedVersion(api: api, version: version) }
}
