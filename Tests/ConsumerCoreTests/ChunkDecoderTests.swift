import AccessRecord
import AttackDetection
import KafkaProtocol
import NIOCore
import Testing
import TrafficAggregation

@testable import ConsumerCore

/// Decoding ahead (`ChunkDecoder`, on the task beside the loop) and feeding the decoded chunk
/// count exactly what the aggregator counts when it classifies each record itself — across
/// compressed and plain batches, packed and unpacked values, null and undecodable values,
/// unparsed records, file statistics, an unreadable batch, and a resume in the middle of a
/// batch — and the feed really uses the classes it is given.
@Suite struct ChunkDecoderTests {
    static let minute: Int64 = 1_764_000_000 / 60 * 60

    struct Request {
        var path = "/"
        var query = ""
        var agent = "Mozilla/5.0 (X11; Linux x86_64)"
        var referer = ""
        var parseError = false
        var fileStats = false
    }

    static func value(_ request: Request, second: Int64, packed: Bool = true) throws -> [UInt8] {
        var builder = AccessRecordBuilder()
        builder.beginRecord()
        builder.setTimeUs((minute + second) * 1_000_000)
        builder.setText(.site, "shop.example.com")
        builder.setText(.edge, "edge-fra-01")
        builder.setText(.sourceFile, "/var/log/nginx/access.log")
        builder.setData(.clientIp, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 203, 0, 113, UInt8(second % 200)])
        builder.setText(.path, request.path)
        if !request.query.isEmpty { builder.setText(.query, request.query) }
        builder.setText(.userAgent, request.agent)
        if !request.referer.isEmpty { builder.setText(.referer, request.referer) }
        builder.setMethod(.get)
        builder.setStatus(200)
        builder.setBodyBytesSent(512)
        builder.setParseError(request.parseError)
        if request.fileStats {
            builder.setKind(.fileStats)
            builder.setShippedLines(7)
        } else {
            builder.setKind(.request)
        }
        _ = try builder.endRecord()
        guard packed else { return builder.buffer }
        var output: [UInt8] = []
        try builder.buffer.withUnsafeBytes { try CapnpPacking.pack($0, into: &output) }
        return output
    }

    /// One batch at `baseOffset`; `values` entries of `nil` are null values.
    static func batch(_ values: [[UInt8]?], baseOffset: Int64, compressed: Bool) throws -> RecordBatch {
        var builder = RecordBatchBuilder(baseOffset: baseOffset)
        for value in values {
            builder.append(timestamp: minute * 1000, key: nil, value: value)
        }
        let codec = try LZ4RecordsCodec()
        let bytes = try builder.build(compression: compressed ? .lz4 : .none, codec: codec)
        return try RecordBatch(validating: bytes)
    }

    /// Three batches: LZ4 with a SQL injection, a scanner and file statistics; plain with a
    /// null value, a value that does not decode and an XSS; LZ4 with a traversal, an unparsed
    /// record whose path looks like an attack (not counted as one), and a SQL injection in the
    /// referer.
    static func batches() throws -> [RecordBatch] {
        let garbage: [UInt8] = [0xFF, 0x00, 0x13, 0x37, 0x42]
        return [
            try batch(
                [
                    try value(Request(path: "/products", query: "id=1+union+select+password+from+users--"), second: 1),
                    try value(Request(path: "/"), second: 2, packed: false),
                    try value(Request(path: "/wp-login.php", agent: "sqlmap/1.7.2#stable (https://sqlmap.org)"), second: 3),
                    try value(Request(fileStats: true), second: 4),
                ], baseOffset: 0, compressed: true),
            try batch(
                [
                    nil, garbage,
                    try value(Request(path: "/search", query: "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E"), second: 5),
                    try value(Request(path: "/search", query: "q=union+station"), second: 6, packed: false),
                ], baseOffset: 4, compressed: false),
            try batch(
                [
                    try value(Request(path: "/static/../../../../etc/passwd"), second: 7),
                    try value(Request(path: "/a", query: "id=1'+or+'1'='1", parseError: true), second: 8),
                    try value(Request(path: "/authors/o'reilly", referer: "http://x/?id=1%27%20or%20%271%27%3D%271"), second: 9),
                    try value(Request(path: "/about"), second: 10, packed: false),
                ], baseOffset: 8, compressed: true),
        ]
    }

    static func aggregator(startingAt offset: Int64 = 0, detection: Bool = true) throws -> PartitionAggregator {
        let resume =
            offset == 0
            ? PartitionResume.fresh(shardCount: 1)
            : PartitionResume(shards: [ShardProgress(nextOffset: offset, watermarkMicros: 0)])
        return PartitionAggregator(
            topic: "edgelog.requests", partition: 0, ring: try ShardRing(shardCount: 1), latenessMicros: 3_600_000_000,
            resume: resume, sketches: SketchOptions(),
            attacks: detection ? AttackOptions(samplesPerClass: 2) : nil)
    }

    /// What a delta holds, in comparable form.
    struct Outcome: Equatable {
        var counters: [Int64]
        var samples: [AttackSample]
        var topIPs: [TopTalkerRow]
        var audit: [FileAuditRow]
        var rejected: [RejectedRow]
        var nextOffset: Int64
        var attackRecords: Int64

        init(_ aggregator: inout PartitionAggregator) {
            attackRecords = aggregator.statistics.attackRecords
            let delta = aggregator.takeDelta(shard: 0)
            counters = delta.siteRows.counterValues
            samples = delta.attackSamples
            topIPs = delta.topIPs
            audit = delta.fileAudit
            rejected = delta.rejected
            nextOffset = delta.nextOffset
        }

        func counter(_ counter: SiteCounter) -> Int64 { counters[counter.index] }
    }

    /// Decodes `batches` and feeds the chunk; `classifiedAhead: false` makes the aggregator
    /// classify every record itself (the reference).
    static func feed(
        _ batches: [RecordBatch], startingAt offset: Int64 = 0, classifiedAhead: Bool = true,
        adjust: (inout DecodedChunk) -> Void = { _ in }
    ) throws -> Outcome {
        var chunk = try ChunkDecoder(detectAttacks: true).decode(batches)
        #expect(chunk.classified)
        if !classifiedAhead { chunk.classified = false }
        adjust(&chunk)
        var aggregator = try aggregator(startingAt: offset)
        let records = chunk.feed(into: &aggregator)
        #expect(records == 12 - Int(offset))
        return Outcome(&aggregator)
    }

    @Test func classesFoundAheadCountWhatTheAggregatorCounts() throws {
        let batches = try Self.batches()
        let ahead = try Self.feed(batches)
        let inPlace = try Self.feed(batches, classifiedAhead: false)
        #expect(ahead == inPlace)
        // The expected counts, so the equality above is not two empty results.
        #expect(ahead.counter(.requests) == 8)
        #expect(ahead.counter(.bodyBytes) == 8 * 512)
        #expect(ahead.counter(.attacksSQLi) == 2)
        #expect(ahead.counter(.attacksXSS) == 1)
        #expect(ahead.counter(.attacksTraversal) == 1)
        #expect(ahead.counter(.attacksScanner) == 1)
        #expect(ahead.counter(.unparsed) == 1)
        #expect(ahead.attackRecords == 5)
        #expect(ahead.rejected.map(\.count) == [2])
        #expect(ahead.audit.map(\.shippedLines) == [7])
        #expect(ahead.nextOffset == 12)
        #expect(!ahead.samples.isEmpty)
    }

    @Test func aResumeInsideABatchSkipsTheSameRecords() throws {
        let batches = try Self.batches()
        // From offset 2: the first batch is decoded whole, its first two records skipped when fed.
        let ahead = try Self.feed(batches, startingAt: 2)
        #expect(ahead == (try Self.feed(batches, startingAt: 2, classifiedAhead: false)))
        #expect(ahead.counter(.attacksSQLi) == 1)
        #expect(ahead.counter(.attacksScanner) == 1)
        #expect(ahead.counter(.requests) == 6)
        // From offset 5: the whole first batch is skipped by the feed.
        let later = try Self.feed(batches, startingAt: 5)
        #expect(later == (try Self.feed(batches, startingAt: 5, classifiedAhead: false)))
        #expect(later.counter(.attacksXSS) == 1 && later.counter(.attacksScanner) == 0)
        #expect(later.rejected.map(\.count) == [1])
    }

    @Test func theFeedUsesTheClassesItIsGiven() throws {
        // Classes that call every record an XSS: every request counted is then one.
        let told = try Self.feed(try Self.batches()) { chunk in
            for index in chunk.records.indices { chunk.records[index].attacks = AttackClasses.xss.rawValue }
        }
        #expect(told.counter(.requests) == 8)
        #expect(told.counter(.attacksXSS) == 8)
        #expect(told.counter(.attacksSQLi) == 0)
    }

    @Test func detectionOffFindsAndCountsNothing() throws {
        let batches = try Self.batches()
        let chunk = try ChunkDecoder(detectAttacks: false).decode(batches)
        #expect(!chunk.classified)
        #expect(chunk.records.allSatisfy { $0.attacks == 0 })
        // Classes given to an aggregator with detection off are ignored too.
        for decoded in [chunk, try ChunkDecoder(detectAttacks: true).decode(batches)] {
            var aggregator = try Self.aggregator(detection: false)
            #expect(decoded.feed(into: &aggregator) == 12)
            let outcome = Outcome(&aggregator)
            #expect(outcome.counter(.requests) == 8)
            #expect(outcome.attackRecords == 0)
            #expect(outcome.counter(.attacksSQLi) == 0 && outcome.counter(.attacksXSS) == 0)
            #expect(outcome.samples.isEmpty)
        }
    }

    @Test func anUnreadableBatchIsRejectedWholeAndTheOthersCount() throws {
        var batches = try Self.batches()
        // Break the first batch's LZ4 frame (past the 61-byte batch header and the frame's
        // magic), keeping the header's CRC check out of the way.
        var bytes = batches[0].bytes
        let at = bytes.readerIndex + 61 + 8
        let byte = try #require(bytes.getInteger(at: at, as: UInt8.self))
        bytes.setInteger(byte ^ 0xFF, at: at)
        bytes.setInteger(UInt32(0xFFFF_FFFF), at: bytes.readerIndex + 61 + 4)
        batches[0] = try RecordBatch(trustingChecksumOf: bytes)
        let chunk = try ChunkDecoder(detectAttacks: true).decode(batches)
        #expect(chunk.batches.map(\.readable) == [false, true, true])
        var aggregator = try Self.aggregator()
        #expect(chunk.feed(into: &aggregator) == 12)
        let outcome = Outcome(&aggregator)
        #expect(outcome.rejected.map(\.count) == [6])
        #expect(outcome.counter(.requests) == 5)
        #expect(outcome.nextOffset == 12)
    }

    /// A recycled chunk's buffers hold the previous chunk's bytes; the next chunk decoded into
    /// them counts exactly what a fresh decoder's does.
    @Test func aRecycledChunkCountsLikeAFreshOne() throws {
        var large: [[UInt8]?] = []
        for second in 0..<500 {
            large.append(try Self.value(Request(path: "/p/\(second)", query: "q=<script>\(second)</script>"),
                                        second: Int64(second % 50)))
        }
        let decoder = try ChunkDecoder(detectAttacks: true)
        let first = decoder.decode([try Self.batch(large, baseOffset: 0, compressed: true)])
        let capacity = first.messages.count
        decoder.recycle(first)
        let batches = try Self.batches()
        let reused = decoder.decode(batches)
        #expect(reused.messages.count == capacity, "the recycled buffer was not reused")
        var aggregator = try Self.aggregator()
        #expect(reused.feed(into: &aggregator) == 12)
        #expect(Outcome(&aggregator) == (try Self.feed(batches)))
    }

    @Test func manyRecordsGrowTheMessageBuffer() throws {
        var values: [[UInt8]?] = []
        for second in 0..<3000 {
            values.append(try Self.value(Request(path: "/p/\(second)", query: second % 100 == 0 ? "q=<script>x</script>" : "q=\(second)"),
                                         second: Int64(second % 50), packed: second % 3 != 0))
        }
        let batches = [try Self.batch(values, baseOffset: 0, compressed: true)]
        let chunk = try ChunkDecoder(detectAttacks: true).decode(batches)
        #expect(chunk.records.count == 3000)
        #expect(chunk.records.allSatisfy { $0.messageLength > 0 })
        var aggregator = try Self.aggregator()
        #expect(chunk.feed(into: &aggregator) == 3000)
        let outcome = Outcome(&aggregator)
        #expect(outcome.counter(.requests) == 3000)
        #expect(outcome.counter(.attacksXSS) == 30)
    }
}
