import AccessRecord
import Testing

/// Swift writes, the reference `capnp` tool reads: every field must come out as written.
@Suite struct AccessRecordBuilderTests {
    @Test(arguments: RecordSamples.all)
    func capnpDecodesEveryField(name: String, record: AccessRecord) throws {
        var buffer: [UInt8] = []
        try AccessRecordBuilder.encode(record, into: &buffer)
        let decoded = try CapnpTool.decodeToJSON(buffer)
        #expect(decoded == JSONValue.capnpJSON(of: record), "\(name)")
    }

    @Test func framingIsOneSegmentWithItsSizeInTheHeader() throws {
        var buffer: [UInt8] = []
        try AccessRecordBuilder.encode(RecordSamples.typical, into: &buffer)
        #expect(Array(buffer[0..<4]) == [0, 0, 0, 0])
        let words = Int(buffer[4]) | Int(buffer[5]) << 8 | Int(buffer[6]) << 16 | Int(buffer[7]) << 24
        #expect(8 + 8 * words == buffer.count)
    }

    /// Empty and absent differ on the wire: capnp's JSON shows `""`/`[]` for the former and
    /// omits the latter.
    @Test func emptyTextAndDataStayDistinctFromAbsent() throws {
        var builder = AccessRecordBuilder()
        builder.beginRecord()
        builder.setText(.site, "")
        builder.setData(.clientIp, [UInt8]())
        builder.setText(.path, "/")
        try builder.endRecord()
        let json = try CapnpTool.decodeToJSON(builder.buffer)
        guard case .object(let members) = json else { Issue.record("not an object: \(json)"); return }
        #expect(members["site"] == .string(""))
        #expect(members["clientIp"] == .array([]))
        #expect(members["path"] == .string("/"))
        #expect(members["edge"] == nil)
        #expect(members["rawLine"] == nil)
        #expect(members["extras"] == nil)
    }

    /// The parser's path: fields written straight from slices of the line, no String.
    @Test func fieldsFromSlicesOfARawLine() throws {
        let text = #"203.0.113.9 - - [10/Oct/2023:13:55:36 +0000] "PROPFIND /dav/x?depth=1 HTTP/1.1" 207 12"#
        let line = Array(text.utf8)
        func range(of needle: String) -> Range<Int> {
            let bytes = Array(needle.utf8)
            let start = (0...(line.count - bytes.count)).first { Array(line[$0..<($0 + bytes.count)]) == bytes } ?? 0
            return start..<(start + bytes.count)
        }
        var builder = AccessRecordBuilder()
        builder.beginRecord()
        line.withUnsafeBytes { raw in
            builder.setMethod(.other)
            builder.setText(.methodText, UnsafeRawBufferPointer(rebasing: raw[range(of: "PROPFIND")]))
            builder.setText(.path, UnsafeRawBufferPointer(rebasing: raw[range(of: "/dav/x")]))
            builder.setText(.query, UnsafeRawBufferPointer(rebasing: raw[range(of: "depth=1")]))
            builder.setData(.rawLine, raw)
        }
        builder.setStatus(207)
        builder.setProtocol(.http11)
        try builder.endRecord()
        guard case .object(let members) = try CapnpTool.decodeToJSON(builder.buffer) else {
            Issue.record("not an object"); return
        }
        #expect(members["method"] == .string("other"))
        #expect(members["methodText"] == .string("PROPFIND"))
        #expect(members["path"] == .string("/dav/x"))
        #expect(members["query"] == .string("depth=1"))
        #expect(members["status"] == .int(207))
        #expect(members["protocol"] == .string("http11"))
        #expect(members["rawLine"] == .array(line.map { .int(Int64($0)) }))
    }

    /// A request record's root struct ends before the control-field words (and before
    /// `rawLine`/`extras` unless asked for): 64 bytes shorter than the full struct (six data
    /// words, two pointers), and both our reader and the `capnp` tool read the left-out fields
    /// as their defaults.
    @Test(arguments: [(false, false, 64), (true, false, 56), (false, true, 48)])
    func requestRecordsEndTheirStructEarly(withRawLine: Bool, withExtras: Bool, saved: Int) throws {
        func write(_ begin: (inout AccessRecordBuilder) -> Void) throws -> [UInt8] {
            var builder = AccessRecordBuilder()
            begin(&builder)
            builder.setTimeUs(1_700_000_000_123_456)
            builder.setStatus(404)
            builder.setFileOffset(777)
            builder.setText(.site, "example.com")
            builder.setText(.forwardedFor, "198.51.100.7")
            if withRawLine { builder.setData(.rawLine, Array("raw".utf8)) }
            if withExtras {
                builder.setExtrasCount(1)
                builder.setExtra(at: 0, name: "ssl_protocol", value: "TLSv1.3")
            }
            try builder.endRecord()
            return builder.buffer
        }
        let full = try write { $0.beginRecord() }
        let short = try write { $0.beginRequestRecord(withRawLine: withRawLine, withExtras: withExtras) }
        #expect(full.count - short.count == saved)
        let fromFull = try AccessRecord(decoding: full)
        let fromShort = try AccessRecord(decoding: short)
        #expect(fromShort == fromFull)
        #expect(fromShort.kind == .request && fromShort.shippedLines == 0 && fromShort.endOffset == 0)
        guard case .object(let members) = try CapnpTool.decodeToJSON(short) else {
            Issue.record("not an object"); return
        }
        #expect(members["status"] == .int(404))
        #expect(members["site"] == .string("example.com"))
        #expect(members["forwardedFor"] == .string("198.51.100.7"))
    }

    @Test func extrasWrittenElementByElement() throws {
        var builder = AccessRecordBuilder()
        builder.beginRecord()
        builder.setExtrasCount(3)
        builder.setExtra(at: 2, name: "c", value: "3")  // any order
        builder.setExtra(at: 0, name: "a", value: "")
        try builder.endRecord()
        guard case .object(let members) = try CapnpTool.decodeToJSON(builder.buffer) else {
            Issue.record("not an object"); return
        }
        #expect(members["extras"] == .array([
            .object(["name": .string("a"), "value": .string("")]),
            .object([:]),
            .object(["name": .string("c"), "value": .string("3")]),
        ]))
    }

    @Test func settingAFieldTwiceKeepsTheLastValue() throws {
        var builder = AccessRecordBuilder()
        builder.beginRecord()
        builder.setText(.site, "first.example")
        builder.setStatus(500)
        builder.setText(.site, "second.example")
        builder.setStatus(204)
        builder.setParseError(true)
        builder.setParseError(false)
        builder.setTruncated(true)
        try builder.endRecord()
        guard case .object(let members) = try CapnpTool.decodeToJSON(builder.buffer) else {
            Issue.record("not an object"); return
        }
        #expect(members["site"] == .string("second.example"))
        #expect(members["status"] == .int(204))
        #expect(members["parseError"] == .bool(false))
        #expect(members["truncated"] == .bool(true))
    }

    /// A batch is messages back to back; capnp reads it as a stream of messages.
    @Test func batchOfMessagesDecodesAsAStream() throws {
        var builder = AccessRecordBuilder(reservingCapacity: 4096)
        var ranges: [Range<Int>] = []
        for (_, record) in RecordSamples.all {
            ranges.append(try builder.append(record))
        }
        #expect(ranges.first?.lowerBound == 0)
        #expect(ranges.last?.upperBound == builder.buffer.count)
        let decoded = try CapnpTool.decodeStreamToJSON(builder.buffer)
        #expect(decoded == RecordSamples.all.map { JSONValue.capnpJSON(of: $0.1) })
    }

    @Test func cancelledAndRemovedRecordsLeaveNoTrace() throws {
        var builder = AccessRecordBuilder()
        try builder.append(RecordSamples.typical)
        let afterFirst = builder.buffer
        builder.beginRecord()
        builder.setText(.site, "abandoned")
        builder.cancelRecord()
        #expect(builder.buffer == afterFirst)
        builder.removeAll()
        #expect(builder.buffer.isEmpty)
        try builder.append(RecordSamples.ipv6)
        #expect(try CapnpTool.decodeToJSON(builder.buffer) == JSONValue.capnpJSON(of: RecordSamples.ipv6))
    }

    /// `encode(_:into:)` appends after what the buffer already holds.
    @Test func encodeAppendsToExistingBytes() throws {
        var buffer: [UInt8] = []
        try AccessRecordBuilder.encode(RecordSamples.unicode, into: &buffer)
        let firstLength = buffer.count
        try AccessRecordBuilder.encode(RecordSamples.maxInts, into: &buffer)
        let first = try CapnpTool.decodeToJSON(Array(buffer[..<firstLength]))
        let second = try CapnpTool.decodeToJSON(Array(buffer[firstLength...]))
        #expect(first == JSONValue.capnpJSON(of: RecordSamples.unicode))
        #expect(second == JSONValue.capnpJSON(of: RecordSamples.maxInts))
    }

    /// A list too long for a list pointer: the record is rolled back, earlier ones stay.
    @Test func oversizedExtrasListRollsTheRecordBack() throws {
        var builder = AccessRecordBuilder()
        try builder.append(RecordSamples.typical)
        let before = builder.buffer
        builder.beginRecord()
        builder.setText(.site, "x")
        builder.setExtrasCount(1 << 29)
        builder.setExtra(at: 0, name: "ignored", value: "ignored")
        #expect(throws: CapnpError.valueTooLarge(bytes: 1 << 33, limit: ((1 << 29) - 1) * 8)) {
            try builder.endRecord()
        }
        #expect(builder.buffer == before)
        try builder.append(RecordSamples.ipv6)  // the builder is usable again
        #expect(try CapnpTool.decodeStreamToJSON(builder.buffer).count == 2)
    }

    /// A blob longer than a list count can say (2^29 − 1 bytes with the NUL) is refused before
    /// any byte of it is read, so a pointer with that count over a small buffer is safe here.
    @Test func oversizedTextRollsTheRecordBack() throws {
        var builder = AccessRecordBuilder()
        let small: [UInt8] = [1, 2, 3]
        builder.beginRecord()
        small.withUnsafeBytes { raw in
            builder.setText(.userAgent, UnsafeRawBufferPointer(start: raw.baseAddress, count: (1 << 29) - 1))
        }
        #expect(throws: CapnpError.valueTooLarge(bytes: 1 << 29, limit: (1 << 29) - 1)) {
            try builder.endRecord()
        }
        #expect(builder.buffer.isEmpty)
    }
}
