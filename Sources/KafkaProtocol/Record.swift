import NIOCore

/// One record inside a RecordBatch's records section (RECORD_BATCH.md §3). All lengths and
/// deltas are zig-zag varints:
///
/// ```
/// length varint            bytes of everything below
/// attributes int8          unused, 0
/// timestampDelta varlong   timestamp - baseTimestamp
/// offsetDelta varint       offset - baseOffset
/// keyLength varint | key   -1 = null
/// valueLength varint | value   -1 = null
/// headersCount varint | headers (headerKeyLength varint | key UTF-8 | headerValueLength varint | value (-1 = null))
/// ```
///
/// This is the owning form: key and value are `ByteBuffer` slices (of the batch itself when
/// uncompressed, of one shared decompressed buffer otherwise). ``RecordView`` is the borrowed,
/// allocation-free form.
public struct Record: Sendable, Equatable {
    /// Absolute offset: the batch's baseOffset + offsetDelta.
    public var offset: Int64
    /// Absolute timestamp in ms: the batch's baseTimestamp + timestampDelta.
    public var timestamp: Int64
    public var key: ByteBuffer?
    public var value: ByteBuffer?
    public var headers: [RecordHeader]

    public init(offset: Int64, timestamp: Int64, key: ByteBuffer?, value: ByteBuffer?, headers: [RecordHeader] = []) {
        self.offset = offset
        self.timestamp = timestamp
        self.key = key
        self.value = value
        self.headers = headers
    }
}

/// A record header: a UTF-8 key (never null) and an optional value.
public struct RecordHeader: Sendable, Hashable {
    public var key: String
    public var value: [UInt8]?

    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }
}

/// A record borrowed from the bytes it was parsed from: valid only inside the
/// ``RecordBatch/forEachRecord(decompressingWith:maxDecompressedBytes:scratch:_:)`` call that
/// produced it. Never store it or its pointers.
public struct RecordView {
    public var offsetDelta: Int32
    public var timestampDelta: Int64
    /// Absolute offset (baseOffset + offsetDelta).
    public var offset: Int64
    /// Absolute timestamp in ms (baseTimestamp + timestampDelta).
    public var timestamp: Int64
    public var key: UnsafeRawBufferPointer?
    public var value: UnsafeRawBufferPointer?
    /// The raw header section and its count, walked by ``forEachHeader(_:)``.
    var headerBytes: UnsafeRawBufferPointer
    public var headerCount: Int

    /// Calls `body` with each header's key and value bytes (already validated by the parser).
    public func forEachHeader(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer?) throws -> Void) rethrows {
        var index = 0
        for _ in 0..<headerCount {
            // The parser checked this section, so these reads cannot fail.
            guard let (key, value) = try? RecordParser.header(headerBytes, at: &index) else { return }
            try body(
                UnsafeRawBufferPointer(rebasing: headerBytes[key]),
                value.map { UnsafeRawBufferPointer(rebasing: headerBytes[$0]) }
            )
        }
    }
}

/// Parses records out of an uncompressed records section; shared by the owning and the
/// borrowed reader. Every length is checked against the bytes left before it is used.
enum RecordParser {
    /// Where one record's parts lie, as byte ranges of the section it was parsed from.
    struct Layout {
        var timestampDelta: Int64
        var offsetDelta: Int32
        var key: Range<Int>?
        var value: Range<Int>?
        var headers: Range<Int>
        var headerCount: Int
    }

    /// Parses the record at `index` and moves `index` past it.
    static func record(_ section: UnsafeRawBufferPointer, at index: inout Int) throws(KafkaProtocolError) -> Layout {
        let length = try Varint.readSigned32(section, at: &index, field: "Record.length")
        guard length >= 0 else { throw .invalidRecord(reason: "negative record length \(length)") }
        guard Int(length) <= section.count - index else { throw .truncated(field: "Record") }
        let end = index + Int(length)
        // Parse within the record's own bytes, so no field can reach into the next record.
        let bytes = UnsafeRawBufferPointer(rebasing: section[..<end])
        guard index < end else { throw .truncated(field: "Record.attributes") }
        index += 1  // attributes: unused
        let timestampDelta = try Varint.readSigned64(bytes, at: &index, field: "Record.timestampDelta")
        let offsetDelta = try Varint.readSigned32(bytes, at: &index, field: "Record.offsetDelta")
        let key = try nullableBytes(bytes, at: &index, field: "Record.key")
        let value = try nullableBytes(bytes, at: &index, field: "Record.value")
        let headerCount = try Varint.readSigned32(bytes, at: &index, field: "Record.headersCount")
        guard headerCount >= 0 else { throw .invalidRecord(reason: "negative header count \(headerCount)") }
        let headersStart = index
        for _ in 0..<headerCount {
            _ = try header(bytes, at: &index)
        }
        guard index == end else {
            throw .invalidRecord(
                reason: "record declares \(length) bytes but its fields end \(end - index) bytes early"
            )
        }
        return Layout(
            timestampDelta: timestampDelta,
            offsetDelta: offsetDelta,
            key: key,
            value: value,
            headers: headersStart..<end,
            headerCount: Int(headerCount)
        )
    }

    /// One header: its key range and optional value range.
    static func header(_ bytes: UnsafeRawBufferPointer, at index: inout Int) throws(KafkaProtocolError) -> (
        Range<Int>, Range<Int>?
    ) {
        guard let key = try nullableBytes(bytes, at: &index, field: "RecordHeader.key") else {
            throw .invalidRecord(reason: "null header key")
        }
        let value = try nullableBytes(bytes, at: &index, field: "RecordHeader.value")
        return (key, value)
    }

    /// A varint length (-1 = null) and that many bytes.
    static func nullableBytes(_ bytes: UnsafeRawBufferPointer, at index: inout Int, field: String)
        throws(KafkaProtocolError) -> Range<Int>?
    {
        let length = try Varint.readSigned32(bytes, at: &index, field: field)
        if length == -1 { return nil }
        guard length >= 0 else { throw .invalidLength(field: field, length: Int(length)) }
        guard Int(length) <= bytes.count - index else { throw .truncated(field: field) }
        let range = index..<(index + Int(length))
        index = range.upperBound
        return range
    }

    /// Parses exactly `count` records filling the whole section.
    static func records(_ section: UnsafeRawBufferPointer, count: Int32, _ body: (Layout) throws -> Void) throws {
        var index = 0
        for _ in 0..<max(count, 0) {
            try body(try record(section, at: &index))
        }
        guard index == section.count else {
            throw KafkaProtocolError.invalidRecord(
                reason: "\(section.count - index) bytes after the \(count) records the batch declares"
            )
        }
    }
}
