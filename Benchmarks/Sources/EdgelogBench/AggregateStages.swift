import AccessRecord
import AttackDetection
import TrafficAggregation

/// The consumer's pure hot path over the in-memory record batches (no LZ4, no network): every
/// record decoded in place, then counted by a `PartitionAggregator` (3 shards, 1 h lateness),
/// beside decoding alone. Deltas are cut for every shard every 64 batches (~170 k records), as
/// a consumer flushing about once a second would. Beside them, decoding + the top talkers: one
/// `TopKeySketch` of client addresses and one of paths (with labels) fed every record.
enum AggregateStages {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func run(batches: [[UInt8]], lines: Int, rawBytes: Int, repetitions: Int) throws -> [Measurement] {
        var results: [Measurement] = []

        var decoded = (records: 0, checksum: UInt64(0))
        results.append(
            try measure("decode only (reader + time, status, site)", repetitions: repetitions, lines: lines,
                        rawBytes: rawBytes) {
                decoded = (0, 0)
                for batch in batches {
                    try batch.withUnsafeBytes { batch in
                        try forEachMessage(in: batch) { message in
                            let reader = try AccessRecordReader(message)
                            decoded.checksum &+= UInt64(bitPattern: reader.timeUs) &+ UInt64(reader.status)
                                &+ UInt64(reader.text(.site).count)
                            decoded.records += 1
                        }
                    }
                }
            }
        )
        consume(decoded)
        guard decoded.records == lines else {
            throw Failure(description: "decode: \(decoded.records) records, expected \(lines)")
        }

        let ring = try ShardRing(shardCount: 3)
        var rows = 0
        var requests: Int64 = 0
        var sites = 0
        results.append(
            try measure("decode + aggregate (3 shards)", repetitions: repetitions, lines: lines, rawBytes: rawBytes) {
                var aggregator = PartitionAggregator(
                    topic: "bench", partition: 0, ring: ring, latenessMicros: 3_600_000_000,
                    resume: .fresh(shardCount: 3))
                var offset: Int64 = 0
                rows = 0
                requests = 0
                func cut() {
                    for shard in 0..<3 {
                        let delta = aggregator.takeDelta(shard: shard)
                        rows += delta.siteRows.count
                        for row in delta.siteRows { requests += row[.requests] }
                    }
                }
                try feedRecords(of: batches, cut: cut) { reader in
                    aggregator.add(reader, offset: offset, timestampMs: 0)
                    offset += 1
                }
                sites = aggregator.distinctSiteCount
            }
        )
        guard requests == Int64(lines) else {
            throw Failure(description: "aggregate: \(requests) requests counted, expected \(lines)")
        }
        results[results.count - 1].note = "\(rows) (minute, site) rows over all deltas, \(sites) sites"

        results.append(try topKeys(batches: batches, lines: lines, rawBytes: rawBytes, repetitions: repetitions))
        results.append(contentsOf: try classify(batches: batches, lines: lines, rawBytes: rawBytes, repetitions: repetitions))
        results.append(
            contentsOf: try consumerDefaults(batches: batches, lines: lines, rawBytes: rawBytes, repetitions: repetitions))
        return results
    }

    /// Decoding + aggregating with the consumer's default options (sketches; attack detection
    /// with 5 samples per (minute, site, class)), beside the same with detection off: what
    /// detection adds to the consumer's per-record work (the classifier through
    /// `classifyRemembering(_:)` with its field reads, the attack counters, the samples' texts,
    /// the marks on the top IPs) on one thread, without the broker, PostgreSQL and the second
    /// vCPU, which make consumer-bench's CPU figures drift by more than that difference.
    /// Instruction counts under callgrind are exact. The consumer classifies in `ChunkDecoder`
    /// ahead of the aggregator rather than in it; the work per record is the same.
    static func consumerDefaults(
        batches: [[UInt8]], lines: Int, rawBytes: Int, repetitions: Int, detection arms: [Bool] = [false, true]
    ) throws -> [Measurement] {
        let ring = try ShardRing(shardCount: 3)
        var results: [Measurement] = []
        for detection in arms {
            var requests: Int64 = 0
            var samples = 0
            var attackRecords: Int64 = 0
            var result = try measure(
                detection ? "decode + aggregate, consumer defaults (detection on)" : "decode + aggregate, consumer defaults (detection off)",
                repetitions: repetitions, lines: lines, rawBytes: rawBytes
            ) {
                var aggregator = PartitionAggregator(
                    topic: "bench", partition: 0, ring: ring, latenessMicros: 3_600_000_000,
                    resume: .fresh(shardCount: 3), sketches: SketchOptions(), attacks: detection ? AttackOptions() : nil)
                var offset: Int64 = 0
                requests = 0
                samples = 0
                func cut() {
                    for shard in 0..<3 {
                        let delta = aggregator.takeDelta(shard: shard)
                        samples += delta.attackSamples.count
                        for row in delta.siteRows { requests += row[.requests] }
                    }
                }
                try feedRecords(of: batches, cut: cut) { reader in
                    aggregator.add(reader, offset: offset, timestampMs: 0)
                    offset += 1
                }
                attackRecords = aggregator.statistics.attackRecords
            }
            guard requests == Int64(lines) else {
                throw Failure(description: "consumer defaults: \(requests) requests counted, expected \(lines)")
            }
            result.note = "\(attackRecords) attack records, \(samples) samples"
            results.append(result)
        }
        return results
    }

    /// Decoding + `AttackDetector` on every record, with the fields the consumer's
    /// `PartitionAggregator.addRequest` passes: the detector's cost over "decode only" on
    /// exactly the records the consumer sees. Once with the pure `classify`, once with
    /// `classifyRemembering` (what the consumer calls); both must flag the same records.
    static func classify(batches: [[UInt8]], lines: Int, rawBytes: Int, repetitions: Int) throws -> [Measurement] {
        var results: [Measurement] = []
        // The baseline: the same reads of the five fields, no detector.
        var fieldBytes = 0
        results.append(
            try measure("decode + the five fields (no detector)", repetitions: repetitions, lines: lines, rawBytes: rawBytes) {
                fieldBytes = 0
                for batch in batches {
                    try batch.withUnsafeBytes { batch in
                        try forEachMessage(in: batch) { message in
                            let reader = try AccessRecordReader(message)
                            fieldBytes &+= reader.loggedMethod.count &+ reader.text(.path).count
                                &+ reader.text(.query).count &+ reader.text(.userAgent).count
                                &+ reader.text(.referer).count
                        }
                    }
                }
            }
        )
        consume(fieldBytes)
        var flaggedBy: [Int] = []
        for remembering in [false, true] {
            var detector = AttackDetector()
            var flagged = 0
            var records = 0
            var marks: UInt64 = 0
            var result = try measure(
                remembering ? "decode + classify, remembering" : "decode + classify (pure)",
                repetitions: repetitions, lines: lines, rawBytes: rawBytes
            ) {
                flagged = 0
                records = 0
                marks = 0
                for batch in batches {
                    try batch.withUnsafeBytes { batch in
                        try forEachMessage(in: batch) { message in
                            let reader = try AccessRecordReader(message)
                            let method = reader.loggedMethod
                            let path = reader.text(.path)
                            let query = reader.text(.query)
                            let agent = reader.text(.userAgent)
                            let referer = reader.text(.referer)
                            let classes =
                                remembering
                                ? detector.classifyRemembering(
                                    method: method, path: path, query: query, userAgent: agent, referer: referer)
                                : detector.classify(
                                    method: method, path: path, query: query, userAgent: agent, referer: referer)
                            if !classes.isEmpty { flagged += 1 }
                            marks = marks &* 31 &+ UInt64(classes.rawValue)
                            records += 1
                        }
                    }
                }
            }
            consume(detector)
            guard records == lines else {
                throw Failure(description: "classify: \(records) records, expected \(lines)")
            }
            flaggedBy.append(Int(truncatingIfNeeded: marks))
            result.note = "\(flagged) of \(records) records flagged"
            results.append(result)
        }
        guard flaggedBy[0] == flaggedBy[1] else {
            throw Failure(description: "classify: remembering changed the results")
        }
        return results
    }

    /// Decoding + one client-address sketch and one path sketch (64 counters each, 256 label
    /// bytes per path), both emptied every 64 batches as a minute's would be: the cost of the
    /// top talkers over "decode only", with every key in one stream (the consumer keeps one
    /// pair per (minute, site), each seeing fewer distinct keys).
    private static func topKeys(batches: [[UInt8]], lines: Int, rawBytes: Int, repetitions: Int) throws -> Measurement {
        var clients = TopKeySketch(capacity: 64, labelLimit: 0)
        var paths = TopKeySketch(capacity: 64, labelLimit: 256)
        let noLabel = UnsafeRawBufferPointer(start: nil, count: 0)
        var counted: Int64 = 0
        var evictions: Int64 = 0
        var addressed: Int64 = 0
        var result = try measure(
            "decode + top keys (client, path; 64 counters)", repetitions: repetitions, lines: lines,
            rawBytes: rawBytes
        ) {
            counted = 0
            evictions = 0
            addressed = 0
            func cut() {
                counted += paths.total
                addressed += clients.total
                evictions += clients.evictions + paths.evictions
                clients.removeAll()
                paths.removeAll()
            }
            try feedRecords(of: batches, cut: cut) { reader in
                if let client = TopKey(address: reader.data(.clientIp)) { clients.add(client, label: noLabel) }
                let path = reader.text(.path)
                paths.add(TopKey(path: path), label: path)
            }
        }
        guard counted == Int64(lines) else {
            throw Failure(description: "top keys: \(counted) paths counted, expected \(lines)")
        }
        result.note = "\(addressed) records with a client address, \(evictions) evictions over both sketches"
        return result
    }

    /// Calls `body` with a reader of every record of `batches`, in order, and `cut` after every
    /// 64 batches and at the end (where the consumer would take its deltas).
    private static func feedRecords(
        of batches: [[UInt8]],
        cut: () -> Void,
        _ body: (AccessRecordReader) throws -> Void
    ) throws {
        for (index, batch) in batches.enumerated() {
            try batch.withUnsafeBytes { batch in
                try forEachMessage(in: batch) { message in try body(try AccessRecordReader(message)) }
            }
            if index % 64 == 63 { cut() }
        }
        cut()
    }

    /// Calls `body` with each framed message of `batch`.
    private static func forEachMessage(
        in batch: UnsafeRawBufferPointer,
        _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var offset = 0
        while offset < batch.count {
            let rest = UnsafeRawBufferPointer(rebasing: batch[offset...])
            guard let length = try CapnpFraming.nextMessageLength(in: rest), length <= rest.count else {
                throw CapnpError.truncated(needed: 8, available: rest.count)
            }
            try body(UnsafeRawBufferPointer(rebasing: rest[..<length]))
            offset += length
        }
    }
}
