import EdgelogSchema
import Foundation
import KafkaClient
import KafkaProtocol
import Logging
import PipelineTestSupport
import PostgresSink
import TrafficGenerator

/// The whole path on loopback for one test: two PostgreSQL clusters holding three shard
/// databases (0 and 1 on cluster A, 2 on cluster B) and the coordinator (on A), the real
/// broker, shipper and consumer processes. Expected numbers come from the traffic generator's
/// own values (`ExpectedTotals`), never from our parser or aggregator.
final class PipelineRig {
    let clusterA: PostgresCluster
    let clusterB: PostgresCluster
    /// The broker the shipper and consumer are given (the bootstrap).
    let broker: BrokerProcess
    /// Every broker; more than one run under a static cluster map (partition p led by broker
    /// p mod count), the first of them being ``broker``.
    let brokers: [BrokerProcess]
    let directory: String
    let shardNames = ["shard0", "shard1", "shard2"]
    let topic = "edgelog.requests"

    init(partitions: Int = 4, brokers count: Int = 1) async throws {
        clusterA = try await PostgresCluster.start()
        clusterB = try await PostgresCluster.start()
        for name in shardNames.prefix(2) { try await clusterA.createDatabase(name) }
        try await clusterB.createDatabase(shardNames[2])
        try await clusterA.createDatabase("coordinator")
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("edgelog-rig-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        brokers = try (0..<count).map { _ in try BrokerProcess(partitions: partitions) }
        broker = brokers[0]
        let (shards, coordinator) = (shardConninfos, clusterA.conninfo(database: "coordinator"))
        _ = try await OffPool.run {
            try SchemaInstaller(logger: PGConnection.discardingLogger).install(shards: shards, coordinator: coordinator)
        }
        if count > 1 {
            let map = brokers.enumerated().map { "\($0.offset)=127.0.0.1:\($0.element.port)" }.joined(separator: ",")
            for (id, broker) in brokers.enumerated() {
                broker.extraArguments += ["--broker-id", "\(id)", "--cluster-map", map, "--cluster-id", "edgelog-rig"]
            }
        }
        for broker in brokers { try await broker.start() }
    }

    var shardConninfos: [String] {
        [
            clusterA.conninfo(database: shardNames[0]), clusterA.conninfo(database: shardNames[1]),
            clusterB.conninfo(database: shardNames[2]),
        ]
    }

    func cluster(ofShard shard: Int) -> PostgresCluster { shard < 2 ? clusterA : clusterB }

    func connect(shard: Int) throws -> PGConnection {
        try cluster(ofShard: shard).connect(database: shardNames[shard])
    }

    func coordinator() throws -> PGConnection { try clusterA.connect(database: "coordinator") }

    func makeShipper(files: String, extra: [String] = []) -> ShipperProcess {
        .quick(broker: broker.bootstrap, files: files, directory: directory, extra: extra)
    }

    func makeConsumer(_ arguments: [String] = []) -> ConsumerProcess {
        .quick(broker: broker.bootstrap, shards: shardConninfos, arguments: arguments)
    }

    /// Every partition's end offset on the broker.
    func latestOffsets() async throws -> [Int32: Int64] {
        let client = KafkaClient(configuration: try .init(bootstrap: broker.bootstrap), logger: Logger(label: "rig"))
        defer { Task { await client.shutdown() } }
        let metadata = try await client.metadata(topics: [topic], allowAutoTopicCreation: false)
        var offsets: [Int32: Int64] = [:]
        for partition in metadata.topics.first(where: { $0.name == topic })?.partitions ?? [] {
            offsets[partition.partitionIndex] = try await client.listOffsets(
                topic: topic, partition: partition.partitionIndex, timestamp: ListOffsetsRequest.latestTimestamp
            ).offset
        }
        await client.shutdown()
        return offsets
    }

    /// The offsets the consumer committed to the broker under `group`, per partition.
    func committedOffsets(group: String = "edgelog-consumer") async throws -> [Int32: Int64] {
        let client = KafkaClient(configuration: try .init(bootstrap: broker.bootstrap), logger: Logger(label: "rig"))
        var offsets: [Int32: Int64] = [:]
        for partition in try await latestOffsets().keys {
            offsets[partition] = try await client.fetchCommittedOffset(group: group, topic: topic, partition: partition)
        }
        await client.shutdown()
        return offsets
    }

    /// Each shard's stored progress: shard -> partition -> next offset.
    func progress(shards: Range<Int> = 0..<3) throws -> [[Int32: Int64]] {
        try shards.map { shard in
            let rows = try connect(shard: shard).execute(
                "SELECT partition, next_offset FROM edgelog.consumer_progress WHERE topic = $1", parameters: [topic])
            var progress: [Int32: Int64] = [:]
            for row in rows.rows {
                if let partition = row[0].flatMap({ Int32($0) }), let offset = row[1].flatMap({ Int64($0) }) {
                    progress[partition] = offset
                }
            }
            return progress
        }
    }

    /// Waits until every shard's progress reached the end of every partition and stayed there
    /// for a second (so a late resend would have been seen).
    func waitUntilConsumed(timeout: Duration, logs: () -> String) async throws {
        let deadline = ContinuousClock.now + timeout
        var settledSince: ContinuousClock.Instant?
        var last = ""
        while ContinuousClock.now < deadline {
            let latest = try await latestOffsets()
            let progress = (try? self.progress()) ?? []
            let done = !latest.isEmpty && progress.count == 3
                && progress.allSatisfy { shard in latest.allSatisfy { shard[$0.key] == $0.value } }
            last = "latest \(latest) progress \(progress)"
            if done {
                if let since = settledSince, ContinuousClock.now - since > .seconds(1) { return }
                if settledSince == nil { settledSince = .now }
            } else {
                settledSince = nil
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw ShipperProcess.Failure(description: "not consumed in \(timeout): \(last)\n\(logs())")
    }

    /// `sql` on the coordinator, as a list of rows.
    func query(_ sql: String, _ parameters: [String?] = []) throws -> [[String?]] {
        try coordinator().execute(sql, parameters: parameters).rows
    }

    func remove() {
        for broker in brokers { broker.remove() }
        clusterA.stop()
        clusterB.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Per-(minute, site) totals computed from the generator's own request values.
struct ExpectedTotals {
    struct Key: Hashable, Comparable {
        var minute: Int64
        var site: String
        static func < (a: Key, b: Key) -> Bool { (a.minute, a.site) < (b.minute, b.site) }
    }

    /// Columns compared per row, in this order: every counter of a minute row except the three
    /// the generator's requests cannot reach (`unparsed`, `truncated`, `rejected_late`, checked
    /// as totals).
    static let columns: [String] = {
        var names = [
            "requests", "body_bytes", "request_bytes", "status_1xx", "status_2xx", "status_3xx", "status_4xx",
            "status_5xx", "status_other",
        ]
        names += [200, 301, 302, 304, 400, 403, 404, 429, 499, 500, 502, 503, 504].map { "status_\($0)" }
        names += ["hit", "miss", "expired", "stale", "updating", "revalidated", "bypass", "none"].map { "cache_\($0)" }
        names.append("request_time_us_sum")
        names += latencyBuckets.map(\.column)
        return names
    }()

    /// The latency histogram's columns with their upper bounds in ms, read from
    /// `schemas/latency_buckets.txt` (the overflow column last, without a bound).
    static let latencyBuckets: [(column: String, upperMs: Int?)] = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let text = (try? String(contentsOf: root.appendingPathComponent("schemas/latency_buckets.txt"), encoding: .utf8)) ?? ""
        let bounds = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { Int($0) }.map { $0 / 1000 }
        func name(_ ms: Int) -> String { ms >= 1000 && ms % 1000 == 0 ? "\(ms / 1000)s" : "\(ms)ms" }
        return bounds.map { ("latency_le_\(name($0))", $0) } + [("latency_gt_\(name(bounds.last ?? 0))", nil)]
    }()

    var rows: [Key: [Int64]] = [:]
    var late = 0
    var broken = 0
    var lines = 0

    mutating func add(_ request: GeneratedRequest) {
        if request.late {
            lines += 1
            late += 1
            return
        }
        add(
            minute: request.minute, site: request.site, status: request.status, bodyBytes: request.bodyBytes,
            requestLength: request.requestLength, requestTimeMs: request.requestTimeMs, cacheStatus: request.cacheStatus)
    }

    /// One request within the lateness bound, from its values.
    mutating func add(
        minute: Int64, site: String, status: Int, bodyBytes: Int, requestLength: Int, requestTimeMs: Int,
        cacheStatus: String?
    ) {
        lines += 1
        let key = Key(minute: minute, site: site)
        var row = rows[key] ?? Array(repeating: 0, count: Self.columns.count)
        func bump(_ column: String, _ by: Int64 = 1) {
            if let index = Self.columns.firstIndex(of: column) { row[index] += by }
        }
        bump("requests")
        bump("body_bytes", Int64(bodyBytes))
        bump("request_bytes", Int64(requestLength))
        bump((100...599).contains(status) ? "status_\(status / 100)xx" : "status_other")
        bump("status_\(status)")
        bump("cache_\((cacheStatus ?? "none").lowercased())")
        bump("request_time_us_sum", Int64(requestTimeMs) * 1000)
        let bucket = Self.latencyBuckets.first { $0.upperMs.map { requestTimeMs <= $0 } ?? true }
        bump(bucket?.column ?? "")
        rows[key] = row
    }

    /// Generates `count` lines into `output` with the generator, recording what each was.
    static func generate(profile: TrafficProfile, count: Int, into output: inout [UInt8]) throws -> ExpectedTotals {
        var generator = try TrafficGenerator(profile: profile, format: "edge")
        var expected = ExpectedTotals()
        for _ in 0..<count {
            if let request = generator.appendLine(to: &output) {
                expected.add(request)
            } else {
                expected.lines += 1
                expected.broken += 1
            }
        }
        return expected
    }

    /// Differences between these totals and `minute_site` rows (bucket epoch, site, columns...).
    func differences(from stored: [[String?]]) -> [String] {
        var seen: [Key: [Int64]] = [:]
        for row in stored {
            guard let epoch = row[0].flatMap({ Double($0) }), let site = row[1] else { continue }
            seen[Key(minute: Int64(epoch), site: site)] = row.dropFirst(2).map { $0.flatMap { Int64($0) } ?? -1 }
        }
        var problems: [String] = []
        for (key, values) in rows.sorted(by: { $0.key < $1.key }) where seen[key] != values {
            problems.append("\(key): expected \(values), stored \(seen[key].map { "\($0)" } ?? "nothing")")
        }
        for key in Set(seen.keys).subtracting(rows.keys).sorted() where seen[key]?.contains(where: { $0 != 0 }) == true {
            problems.append("\(key): stored \(seen[key] ?? []) but nothing expected")
        }
        return problems
    }

    /// The SQL reading the compared columns from a coordinator view, bucket as epoch seconds.
    static func selectSQL(view: String) -> String {
        "SELECT extract(epoch FROM bucket)::bigint, site, \(columns.joined(separator: ", ")) FROM \(view) ORDER BY 1, 2"
    }
}
