import Foundation
import PipelineTestSupport
import PostgresSink
import Testing
import TrafficGenerator

/// The second half of the path end to end with real processes: generated nginx lines ->
/// edgelog-shipper -> edgelog-broker -> edgelog-consumer -> three shards on two PostgreSQL
/// clusters -> the coordinator's views. Expected numbers come from the generator's own values.
@Suite(.serialized, .integration)
struct ConsumerPipelineTests {
    /// Traffic with planted requests stamped more than the lateness bound behind the traffic,
    /// lines outside the format, and a site that is an SQL-injection payload.
    static func makeWriter(at path: String, seed: UInt64) throws -> SteadyTrafficWriter {
        var profile = TrafficProfile()
        profile.seed = seed
        profile.requestsPerSecond = 400
        profile.siteCount = 20
        profile.lateShare = 0.002
        profile.brokenLineShare = 0.001
        let writer = try SteadyTrafficWriter(path: path, profile: profile)
        try writer.append(lines: 20_000)
        // A hostile $host, stored verbatim: never spliced into SQL. (nginx's $host has no
        // spaces; SQL does not need them.)
        var bytes: [UInt8] = []
        for second in 0..<3 {
            bytes += Array(
                "203.0.113.9 - - [28/Nov/2026:12:00:1\(second) +0000] \"GET /a HTTP/1.1\" 200 10 \"-\" \"ua\" \(hostileSite) 0.001 HIT 50\n"
                    .utf8)
        }
        try writer.appendRaw(bytes) { expected in
            for _ in 0..<3 {
                expected.add(
                    minute: 1_795_867_200, site: hostileSite, status: 200, bodyBytes: 10, requestLength: 50,
                    requestTimeMs: 1, cacheStatus: "HIT")
            }
        }
        return writer
    }

    static let hostileSite = "x');DROP/**/TABLE/**/edgelog.site_hour;--"

    @Test func exactTotalsAcrossFiveKillNinesWithAShardTransactionOpen() async throws {
        let rig = try await PipelineRig()
        defer { rig.remove() }
        let log = "\(rig.directory)/access.log"
        let writer = try Self.makeWriter(at: log, seed: 7)
        let shipper = rig.makeShipper(files: "\(log):edge")
        defer { shipper.remove() }
        // Every shard transaction stays open 150 ms before COMMIT, so a kill finds one open.
        let consumer = rig.makeConsumer(["--commit-delay", "150ms", "--fetch-max-bytes", "64KiB"])
        defer { consumer.remove() }
        try await shipper.start()
        try await consumer.start()

        var openAtKill: [String] = []
        var committedBeforeKill: [Double] = []
        for round in 0..<5 {
            try writer.append(lines: 8_000)
            // Let this run commit a few flushes first, so the restart has progress to resume
            // from and records to skip (a kill during the very first flush would test nothing).
            let deadline = ContinuousClock.now + .seconds(30)
            var flushes = 0.0
            while ContinuousClock.now < deadline {
                flushes = (try? await consumer.metrics().total("edgelog_consumer_flushes_total")) ?? 0
                if flushes >= 4 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            committedBeforeKill.append(flushes)
            let open = try await waitForOpenTransaction(rig, timeout: .seconds(20), round: round, logs: consumer.logs)
            try await consumer.kill9()
            openAtKill.append(open)
            try await consumer.start()
        }
        try writer.append(lines: 5_000)
        try await rig.waitUntilConsumed(timeout: .seconds(120), logs: { consumer.logs() + shipper.logs() })
        let expected = writer.expected

        // The smallest progress over shards reaches the broker's group (lag tools, retention).
        let latest = try await rig.latestOffsets()
        var committed: [Int32: Int64] = [:]
        for _ in 0..<50 where committed != latest {
            committed = try await rig.committedOffsets()
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(committed == latest, "group offsets \(committed) vs end offsets \(latest)")

        #expect(openAtKill.count == 5, "kills with a shard transaction open: \(openAtKill)")
        #expect(committedBeforeKill.allSatisfy { $0 >= 4 }, "each run committed flushes before its kill: \(committedBeforeKill)")
        try Self.checkTotals(rig, expected)
        #expect(try await consumer.terminate() == .exited(0), "SIGTERM exits 0\n\(consumer.logs())")
    }

    /// Polls the shards' `pg_stat_activity` until a consumer backend is inside a transaction.
    func waitForOpenTransaction(
        _ rig: PipelineRig, timeout: Duration, round: Int, logs: () -> String
    ) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            for shard in 0..<3 {
                let rows = try rig.connect(shard: shard).execute(
                    """
                    SELECT pid, state FROM pg_stat_activity
                    WHERE application_name = 'edgelog-consumer' AND xact_start IS NOT NULL AND datname = $1
                    """,
                    parameters: [rig.shardNames[shard]]
                ).rows
                if let row = rows.first {
                    return "round \(round): shard \(shard) backend \(row[0] ?? "?") \(row[1] ?? "?")"
                }
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw ShipperProcess.Failure(description: "no open consumer transaction within \(timeout)\n\(logs())")
    }

    /// Minute rows equal the generator's totals; hour and day rows equal the sums of their
    /// minutes; late and unparsed lines are counted where they belong; hostile sites verbatim.
    static func checkMinuteTotals(_ rig: PipelineRig, _ expected: ExpectedTotals) throws {
        let minutes = try rig.query(ExpectedTotals.selectSQL(view: "minute_site"))
        let problems = expected.differences(from: minutes)
        #expect(problems.isEmpty, "\(problems.count) differing rows, first: \(problems.prefix(5))")
    }

    static func checkTotals(_ rig: PipelineRig, _ expected: ExpectedTotals) throws {
        let minutes = try rig.query(ExpectedTotals.selectSQL(view: "minute_site"))
        let problems = expected.differences(from: minutes)
        #expect(problems.isEmpty, "\(problems.count) differing rows, first: \(problems.prefix(5))")

        let columns = ExpectedTotals.columns
        for (view, seconds) in [("hour_site", 3600), ("day_site", 86400)] {
            let rollup = try rig.query(
                """
                SELECT r.site, r.bucket, \(columns.map { "r.\($0) = m.\($0)" }.joined(separator: " AND "))
                FROM \(view) r JOIN (
                    SELECT site, to_timestamp(floor(extract(epoch FROM bucket) / \(seconds)) * \(seconds)) AS bucket,
                           \(columns.map { "sum(\($0))::bigint AS \($0)" }.joined(separator: ", "))
                    FROM minute_site GROUP BY 1, 2) m ON m.site = r.site AND m.bucket = r.bucket
                """)
            let count = try rig.query("SELECT count(*) FROM \(view)")
            #expect(rollup.allSatisfy { $0[2] == "t" }, "\(view) rows differ from their minutes: \(rollup.filter { $0[2] != "t" }.prefix(3))")
            #expect(Int(count.first?[0] ?? "") == rollup.count, "\(view): every row has minutes")
        }

        let sums = try rig.query("SELECT sum(rejected_late)::bigint, sum(unparsed)::bigint FROM minute_site")
        #expect(sums.first?[0] == "\(expected.late)", "rejected-late = planted late lines (\(expected.late))")
        #expect(sums.first?[1] == "\(expected.broken)", "unparsed = planted broken lines (\(expected.broken))")
        #expect(expected.late > 0 && expected.broken > 0, "the log plants late and broken lines")

        let hostile = try rig.query("SELECT site, requests FROM minute_site WHERE site = $1", [hostileSite])
        #expect(hostile.count == 1 && hostile.first?[1] == "3", "the hostile site is stored verbatim: \(hostile)")
        #expect(try rig.query("SELECT count(*) FROM edgelog.site_hour").isEmpty == false)

        // Every line counted once. The live file's last checkpoint group has no control record
        // until it closes (at batch-bytes, or when the file ends), so shipped <= counted here;
        // `auditShippedEqualsCountedAfterRotationAndShipperKill` checks equality on ended files.
        let audit = try rig.query("SELECT source_file, shipped_lines, counted_lines FROM file_audit_totals")
        #expect(audit.map { Int($0[2] ?? "") ?? 0 }.reduce(0, +) == expected.lines, "counted lines: \(audit)")
        #expect(audit.allSatisfy { (Int($0[1] ?? "") ?? 0) <= (Int($0[2] ?? "") ?? 0) }, "shipped <= counted: \(audit)")
    }
}
