@testable import AccessRecord
import PipelineTestSupport
import Foundation
import Testing

/// The reference `capnp` tool writes, Swift reads.
@Suite struct AccessRecordReaderTests {
    /// Every field of a record written by `capnp encode` from a text literal.
    @Test func readsEveryFieldOfATextLiteral() throws {
        let message = try CapnpTool.encodeText("""
            (timeUs = 1700000000123456, clientIp = 0x"00000000000000000000ffffc0000207",
             site = "www.example.com", edge = "edge-fra-01", sourceFile = "/var/log/nginx/access.log",
             method = post, methodText = "", path = "/api/v1/items", query = "a=1&b=2", protocol = http2,
             status = 201, bodyBytesSent = 5120, bytesSent = 5400, requestLength = 431,
             requestTimeUs = 1834, upstreamResponseTimeUs = 1500, cacheStatus = revalidated,
             referer = "https://www.example.com/", userAgent = "curl/7.88.1", remoteUser = "alice",
             forwardedFor = "203.0.113.9", parseError = true, truncated = true,
             rawLine = 0x"00ff0a", fileOffset = 987654321, utcOffsetMin = -300,
             extras = [(name = "ssl_protocol", value = "TLSv1.3"), (name = "x"), ()])
            """)
        try message.withUnsafeBytes { raw in
            let reader = try AccessRecordReader(raw)
            #expect(reader.timeUs == 1_700_000_000_123_456)
            #expect(Array(reader.data(.clientIp)) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xc0, 0, 2, 7])
            #expect(reader.string(.site) == "www.example.com")
            #expect(reader.string(.edge) == "edge-fra-01")
            #expect(reader.string(.sourceFile) == "/var/log/nginx/access.log")
            #expect(reader.method == .post)
            #expect(reader.methodOrdinal == 3)
            #expect(reader.isSet(.methodText) && reader.text(.methodText).isEmpty)
            #expect(reader.string(.path) == "/api/v1/items")
            #expect(reader.string(.query) == "a=1&b=2")
            #expect(reader.httpProtocol == .http2)
            #expect(reader.status == 201)
            #expect(reader.bodyBytesSent == 5120)
            #expect(reader.bytesSent == 5400)
            #expect(reader.requestLength == 431)
            #expect(reader.requestTimeUs == 1834)
            #expect(reader.upstreamResponseTimeUs == 1500)
            #expect(reader.cacheStatus == .revalidated)
            #expect(reader.string(.referer) == "https://www.example.com/")
            #expect(reader.string(.userAgent) == "curl/7.88.1")
            #expect(reader.string(.remoteUser) == "alice")
            #expect(reader.string(.forwardedFor) == "203.0.113.9")
            #expect(reader.parseError)
            #expect(reader.truncated)
            #expect(Array(reader.data(.rawLine)) == [0x00, 0xff, 0x0a])
            #expect(reader.fileOffset == 987_654_321)
            #expect(reader.utcOffsetMin == -300)
            #expect(reader.extrasCount == 3)
            let first = reader.extra(at: 0)
            #expect(Array(first.name) == Array("ssl_protocol".utf8) && Array(first.value) == Array("TLSv1.3".utf8))
            #expect(Array(reader.extra(at: 1).name) == Array("x".utf8) && reader.extra(at: 1).value.isEmpty)
            #expect(reader.extra(at: 2).name.isEmpty && reader.extra(at: 2).value.isEmpty)
        }
    }

    /// The control-record fields appended for the shipper (`kind` @27 ... `lostBytesUnfinished` @33), as
    /// `capnp encode` writes them. (A message from before them has fewer data words and reads
    /// them as defaults: `smallerStructFromAnOlderWriterReadsDefaults`.)
    @Test func readsTheFileStatsFields() throws {
        let message = try CapnpTool.encodeText("""
            (kind = fileStats, edge = "edge-07", sourceFile = "/var/log/nginx/access.log", fileOffset = 1048576,
             endOffset = 2097233, shippedLines = 4711, lostLines = 3, lostBytes = 18446744073709551615,
             lostBytesReplaced = 4096, lostBytesUnfinished = 17)
            """)
        try message.withUnsafeBytes { raw in
            let reader = try AccessRecordReader(raw)
            #expect(reader.kind == .fileStats)
            #expect(reader.kindOrdinal == 1)
            #expect(reader.shippedLines == 4711)
            #expect(reader.lostLines == 3)
            #expect(reader.lostBytes == .max)
            #expect(reader.endOffset == 2_097_233)
            #expect(reader.lostBytesReplaced == 4_096)
            #expect(reader.lostBytesUnfinished == 17)
            #expect(reader.fileOffset == 1_048_576)
            #expect(reader.string(.sourceFile) == "/var/log/nginx/access.log")
        }
    }

    @Test(arguments: RecordSamples.all)
    func readsWhatCapnpEncodesFromJSON(name: String, record: AccessRecord) throws {
        let message = try CapnpTool.encodeJSON(JSONValue.capnpJSON(of: record))
        #expect(try AccessRecord(decoding: message) == record, "\(name)")
    }

    /// Text and Data accessors return views into the message bytes, not copies.
    @Test func textIsReadInPlace() throws {
        let message = try CapnpTool.encodeText(#"(path = "/in/place", rawLine = 0x"0102")"#)
        try message.withUnsafeBytes { raw in
            let reader = try AccessRecordReader(raw)
            for view in [reader.text(.path), reader.data(.rawLine)] {
                let base = try #require(view.baseAddress)
                let start = try #require(raw.baseAddress)
                #expect(base >= start && base + view.count <= start + raw.count)
            }
            #expect(reader.string(.path) == "/in/place")
        }
    }

    @Test func emptyAndAbsentFieldsAreDistinguishable() throws {
        let message = try CapnpTool.encodeJSON(.object(["site": .string(""), "clientIp": .array([])]))
        try message.withUnsafeBytes { raw in
            let reader = try AccessRecordReader(raw)
            #expect(reader.isSet(.site) && reader.text(.site).isEmpty)
            #expect(reader.isSet(.clientIp) && reader.data(.clientIp).isEmpty)
            #expect(!reader.isSet(.edge) && reader.text(.edge).isEmpty)
            #expect(!reader.isSet(.rawLine))
            #expect(reader.extrasCount == 0)
        }
    }

    /// `capnp --segment-size` spreads a message over segments joined by far pointers, which
    /// this reader deliberately does not follow.
    @Test func multiSegmentMessagesAreRejected() throws {
        let message = try CapnpTool.encodeJSON(JSONValue.capnpJSON(of: RecordSamples.withExtras),
                                               extra: ["--segment-size=8"])
        let segmentCount = Int(message[0]) + 1  // u32 LE segment count − 1; small here
        #expect(segmentCount > 1)
        #expect(throws: CapnpError.multiSegmentUnsupported(segmentCount: segmentCount)) {
            try AccessRecord(decoding: message)
        }
    }

    /// A zero-sized root struct (what canonical `()` is) reads as all defaults.
    @Test func zeroSizedRootReadsAsDefaults() throws {
        let canonical = try CapnpTool.run(["convert", "text:canonical", CapnpTool.schemaPath, "AccessRecord"],
                                          stdin: Array("()".utf8))
        #expect(canonical == [0xfc, 0xff, 0xff, 0xff, 0, 0, 0, 0])
        #expect(try AccessRecord(decoding: Self.framed(segment: canonical)) == AccessRecord())
    }

    /// An older writer's smaller struct: canonical form trims trailing zero words, so the root
    /// has fewer data words and pointers than our schema; the missing fields read as defaults.
    @Test func smallerStructFromAnOlderWriterReadsDefaults() throws {
        let canonical = try CapnpTool.run(["convert", "text:canonical", CapnpTool.schemaPath, "AccessRecord"],
                                          stdin: Array(#"(timeUs = 7, site = "old")"#.utf8))
        // Root pointer bits 32-47 / 48-63: 1 data word, 2 pointers (clientIp null, site).
        #expect(Array(canonical[4..<8]) == [1, 0, 2, 0])
        var expected = AccessRecord()
        expected.timeUs = 7
        expected.site = "old"
        #expect(try AccessRecord(decoding: Self.framed(segment: canonical)) == expected)
    }

    /// A newer writer: appended fields, an enumerant we do not know, and a larger Variable.
    @Test func newerWriterFieldsAreIgnoredAndUnknownEnumsMapToZero() throws {
        let schema = try Self.futureSchema()
        let message = try CapnpTool.encodeText("""
            (timeUs = 99, site = "new.example", method = search, protocol = http4, cacheStatus = prefetched,
             status = 200, fileOffset = 5, futureNumber = 123456789, futureText = "ignored",
             extras = [(name = "a", value = "1", futureWeight = 7), (name = "b", value = "2", futureWeight = 8)])
            """, schema: schema)
        try message.withUnsafeBytes { raw in
            let reader = try AccessRecordReader(raw)
            #expect(reader.method == .other && reader.methodOrdinal == 10)
            #expect(reader.httpProtocol == .unknown && reader.protocolOrdinal == 6)
            #expect(reader.cacheStatus == .none && reader.cacheStatusOrdinal == 8)
            #expect(reader.timeUs == 99)
            #expect(reader.status == 200)
            #expect(reader.fileOffset == 5)
            #expect(reader.string(.site) == "new.example")
            #expect(reader.extrasCount == 2)
            #expect(Array(reader.extra(at: 1).name) == Array("b".utf8))
            #expect(Array(reader.extra(at: 1).value) == Array("2".utf8))
        }
    }

    /// A `fileStats` record from a shipper before the per-cause fields (@32, @33): its data
    /// section ends after `endOffset`, the parts read 0, and all of its loss is deleted unread.
    @Test func perCauseLossFromAWriterBeforeThemReadsZero() throws {
        let message = try CapnpTool.encodeText(
            "(kind = fileStats, lostBytes = 900, endOffset = 64)", schema: try Self.pastSchema())
        // Root pointer bits 32-47: 13 data words, the old schema's whole data section.
        #expect(Array(message[12..<14]) == [13, 0])
        let record = try AccessRecord(decoding: message)
        #expect(record.lostBytes == 900)
        #expect(record.lostBytesReplaced == 0 && record.lostBytesUnfinished == 0)
        #expect(record.lostBytesDeletedUnread == 900)
    }

    /// A consumer before the per-cause fields reads what this writer sends: the total is
    /// `lostBytes`, which it already counts, and the new data words are skipped.
    @Test func readerBeforePerCauseFieldsSeesTheTotal() throws {
        var record = RecordSamples.fileStats
        record.lostBytes = 1_000
        record.lostBytesReplaced = 300
        record.lostBytesUnfinished = 7
        var builder = AccessRecordBuilder()
        try builder.append(record)
        guard case .object(let members) = try CapnpTool.decodeToJSON(builder.buffer, schema: try Self.pastSchema())
        else { Issue.record("not an object"); return }
        #expect(members["lostBytes"] == .string("1000"))
        #expect(members["endOffset"] == .string(String(record.endOffset)))
        #expect(members["sourceFile"] == .string(record.sourceFile))
        #expect(members["lostBytesReplaced"] == nil && members["lostBytesUnfinished"] == nil)
    }

    /// Deleted unread is what the other causes leave of the total, never negative.
    @Test(arguments: [
        (UInt64(1_000), UInt64(300), UInt64(7), UInt64(693)),
        (10, 10, 0, 0), (10, 0, 10, 0), (10, 8, 8, 0), (5, .max, .max, 0), (0, 0, 0, 0),
    ])
    func deletedUnreadIsTheRest(total: UInt64, replaced: UInt64, unfinished: UInt64, deleted: UInt64) {
        var record = AccessRecord()
        record.lostBytes = total
        record.lostBytesReplaced = replaced
        record.lostBytesUnfinished = unfinished
        #expect(record.lostBytesDeletedUnread == deleted)
    }

    @Test func nestingLimitCountsRootListAndText() throws {
        let withExtras = try CapnpTool.encodeText(#"(extras = [(name = "n")])"#)
        let flat = try CapnpTool.encodeText(#"(site = "s")"#)
        #expect(throws: CapnpError.nestingLimitExceeded(limit: 2)) {
            try AccessRecord(decoding: withExtras, limits: .init(nestingLimit: 2))
        }
        #expect(try AccessRecord(decoding: withExtras, limits: .init(nestingLimit: 3)).extras.count == 1)
        #expect(throws: CapnpError.nestingLimitExceeded(limit: 1)) {
            try AccessRecord(decoding: flat, limits: .init(nestingLimit: 1))
        }
    }

    /// Swift → Swift for many random records, one batch, walked with `messageRanges`.
    @Test func randomRecordsRoundTrip() throws {
        var rng = SplitMix64(seed: 0x5EED_CAFE)
        let records = (0..<500).map { _ in RecordSamples.random(using: &rng) }
        var builder = AccessRecordBuilder()
        for record in records { try builder.append(record) }
        let ranges = try CapnpFraming.messageRanges(in: builder.buffer)
        #expect(ranges.count == records.count)
        let decoded = try ranges.map { try AccessRecord(decoding: Array(builder.buffer[$0])) }
        let mismatch = decoded.indices.first { decoded[$0] != records[$0] }
        #expect(mismatch == nil, "first mismatch: \(mismatch.map { "\(records[$0]) -> \(decoded[$0])" } ?? "")")
    }

    /// A sample of the random records through the reference tool too (one process per batch).
    @Test func randomRecordsDecodeInCapnp() throws {
        var rng = SplitMix64(seed: 42)
        let records = (0..<50).map { _ in RecordSamples.random(using: &rng) }
        var builder = AccessRecordBuilder()
        for record in records { try builder.append(record) }
        let decoded = try CapnpTool.decodeStreamToJSON(builder.buffer)
        #expect(decoded.count == records.count)
        let expected = records.map(JSONValue.capnpJSON(of:))
        let mismatch = decoded.indices.first { $0 >= expected.count || decoded[$0] != expected[$0] }
        #expect(mismatch == nil, "first mismatch: \(mismatch.map { "\(expected[$0]) -> \(decoded[$0])" } ?? "")")
    }

    // MARK: - Helpers

    /// Adds the single-segment table to a flat/canonical segment.
    static func framed(segment: [UInt8]) -> [UInt8] {
        let words = UInt32(segment.count / 8)
        return [0, 0, 0, 0] + withUnsafeBytes(of: words.littleEndian, Array.init) + segment
    }

    /// Our schema as it was before the per-cause loss fields (`lostBytesReplaced` @32,
    /// `lostBytesUnfinished` @33, and so before `requestTimeAbsent` @34): what a shipper or
    /// consumer of that version compiled.
    static func pastSchema() throws -> String {
        let text = try String(contentsOfFile: CapnpTool.schemaPath, encoding: .utf8)
        let kept = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter {
                !$0.contains("lostBytesReplaced @32") && !$0.contains("lostBytesUnfinished @33")
                    && !$0.contains("requestTimeAbsent @34")
            }
        #expect(kept.count == text.split(separator: "\n", omittingEmptySubsequences: false).count - 3)
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("edgelog-past-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let path = url.appendingPathComponent("access_record.capnp").path
        try kept.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Our schema with fields, enumerants and a Variable field appended, as a later version would
    /// (same file and type ids, so it describes the same types).
    static func futureSchema() throws -> String {
        var text = try String(contentsOfFile: CapnpTool.schemaPath, encoding: .utf8)
        func insert(_ addition: String, before marker: String, options: String.CompareOptions = []) {
            if let range = text.range(of: marker, options: options) {
                text.replaceSubrange(range, with: addition + marker)
            }
        }
        insert("  search @10;\n", before: "}\n\n# nginx `$upstream_cache_status`")
        insert("  prefetched @8;\n", before: "}\n\n# The request line's protocol")
        insert("  http4 @6;\n", before: "}\n\n# One `log_format` variable")
        insert("  futureWeight @2 :UInt32;\n", before: "}\n\n# One request as logged")
        insert("  futureNumber @35 :UInt64;\n  futureText @36 :Text;\n", before: "}\n\n# What a record is")
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("edgelog-future-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let path = url.appendingPathComponent("access_record.capnp").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
