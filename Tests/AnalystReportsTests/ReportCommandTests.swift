import Foundation
import PipelineTestSupport
import PostgresSink
import Testing

/// Each report's `--json`, from the real `edgelog` executable connected as `edgelog_analyst`,
/// against the rows the fixture wrote into two shards (`TrafficFixture`, the ground truth) and
/// against SQL run directly where the value is an estimate (percentiles).
@Suite(.serialized, .reportDatabase)
struct ReportCommandTests {
    static let hour = ["--since", "2026-11-20T10:00:00Z", "--until", "2026-11-20T11:00:00Z"]

    private func common(_ database: ReportDatabase) -> [String] {
        ["--coordinator", database.analystConninfo] + Self.hour
    }

    @Test func topRanksSitesByRequestsBytesAndErrors() async throws {
        let database = try ReportDatabase.require()
        let truth = database.fixture.rows()
        let requests = TrafficFixture.perSite(truth) { $0.requests }
        let bytes = TrafficFixture.perSite(truth) { $0.bodyBytes }
        let errors = TrafficFixture.perSite(truth) { $0.statusClasses[3] + $0.statusClasses[4] }
        for (order, values) in [("requests", requests), ("bytes", bytes), ("errors", errors)] {
            let json = try await EdgelogRun.json(["top"] + common(database) + ["--by", order])
            let rows = try #require(json["rows"] as? [[String: Any]])
            let expectedOrder = values.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
            #expect(rows.compactMap { $0["site"] as? String } == expectedOrder, "order by \(order)")
            for row in rows {
                let site = try #require(row["site"] as? String)
                #expect(row.int("requests") == requests[site])
                #expect(row.int("bodyBytes") == bytes[site])
                #expect(row.int("status4xx") + row.int("status5xx") == errors[site])
                let series = try #require(row["requestsSeries"] as? [Int])
                #expect(series.count == 60)
                for minute in 0..<60 {
                    let expected = truth.filter { $0.site == site && $0.minute == minute }.map(\.requests).reduce(0, +)
                    #expect(Int64(series[minute]) == expected, "\(site) minute \(minute)")
                }
            }
            let totals = try #require(json["totals"] as? [String: Any])
            #expect(totals.int("requests") == requests.values.reduce(0, +))
            #expect(totals.int("sites") == Int64(requests.count))
            #expect(json["report"] as? String == "top")
            let range = try #require(json["range"] as? [String: Any])
            #expect(range["since"] as? String == "2026-11-20T10:00:00Z" && range["until"] as? String == "2026-11-20T11:00:00Z")
            #expect(range["site"] is NSNull)
        }
        // --limit and a narrower range with --site.
        let limited = try await EdgelogRun.json(["top"] + common(database) + ["--limit", "2"])
        #expect((limited["rows"] as? [Any])?.count == 2)
        let site = TrafficFixture.sites[1]
        let narrow = try await EdgelogRun.json([
            "top", "--coordinator", database.analystConninfo, "--since", "2026-11-20T10:10:00Z",
            "--until", "2026-11-20T10:20:00Z", "--site", site,
        ])
        let narrowRows = try #require(narrow["rows"] as? [[String: Any]])
        #expect(narrowRows.count == 1)
        #expect(narrowRows.first?.int("requests") == database.fixture.rows(in: 10..<20, site: site).map(\.requests).reduce(0, +))
    }

    @Test func cacheHitRatioPerPointAndSite() async throws {
        let database = try ReportDatabase.require()
        let site = TrafficFixture.sites[0]
        let json = try await EdgelogRun.json(["cache"] + common(database) + ["--site", site])
        let points = try #require(json["rows"] as? [[String: Any]])
        #expect(points.count == 60)
        for (minute, point) in points.enumerated() {
            let rows = database.fixture.rows(in: minute..<(minute + 1), site: site)
            let counts = try #require(point["counts"] as? [String: Any])
            let hit = rows.map { $0.cache[0] }.reduce(0, +)
            let cacheable = rows.map { $0.cache.prefix(7).reduce(0, +) }.reduce(0, +)
            #expect(counts.int("hit") == hit && counts.int("none") == rows.map { $0.cache[7] }.reduce(0, +))
            #expect(counts.int("requests") == rows.map(\.requests).reduce(0, +))
            if cacheable == 0 {
                #expect(counts["hitRatio"] is NSNull, "minute \(minute)")
            } else {
                #expect(abs(counts.double("hitRatio") - Double(hit) / Double(cacheable)) < 1e-9, "minute \(minute)")
            }
            #expect(point["start"] as? String == ReportTime.text(TrafficFixture.start.addingTimeInterval(Double(minute) * 60)))
        }
        #expect((json["sites"] as? [Any])?.isEmpty == true, "no per-site list for one site")
        // The fleet: totals and the per-site list.
        let fleet = try await EdgelogRun.json(["cache"] + common(database))
        let totals = try #require(fleet["totals"] as? [String: Any])
        let all = database.fixture.rows()
        let hit = all.map { $0.cache[0] }.reduce(0, +)
        let cacheable = all.map { $0.cache.prefix(7).reduce(0, +) }.reduce(0, +)
        #expect(totals.int("hit") == hit && totals.int("miss") == all.map { $0.cache[1] }.reduce(0, +))
        #expect(abs(totals.double("hitRatio") - Double(hit) / Double(cacheable)) < 1e-9)
        #expect((fleet["sites"] as? [Any])?.count == TrafficFixture.sites.count)
    }

    @Test func statusCountsRatesAndPercentiles() async throws {
        let database = try ReportDatabase.require()
        let json = try await EdgelogRun.json(["status"] + common(database))
        let rows = try #require(json["rows"] as? [[String: Any]])
        #expect(rows.count == TrafficFixture.sites.count)
        let coordinator = try database.coordinator()
        for row in rows {
            let site = try #require(row["site"] as? String)
            let truth = database.fixture.rows(site: site)
            let counts = try #require(row["counts"] as? [String: Any])
            let requests = truth.map(\.requests).reduce(0, +)
            #expect(counts.int("requests") == requests)
            for (index, key) in ["status1xx", "status2xx", "status3xx", "status4xx", "status5xx", "statusOther"].enumerated() {
                #expect(counts.int(key) == truth.map { $0.statusClasses[index] }.reduce(0, +), "\(site) \(key)")
            }
            let serverErrors = truth.map { $0.statusClasses[4] }.reduce(0, +)
            #expect(abs(counts.double("serverErrorRate") - Double(serverErrors) / Double(requests)) < 1e-9)
            // Mean and percentiles over the timed requests only; a site whose format logs no
            // $request_time has none (null), not 0 ms.
            let timeMs = truth.map { $0.timed * TrafficFixture.latencies[$0.latency].ms }.reduce(0, +)
            let timed = truth.map(\.timed).reduce(0, +)
            guard timed > 0 else {
                #expect(site == TrafficFixture.untimedSite)
                for key in ["meanMs", "p50Ms", "p95Ms", "p99Ms"] { #expect(row[key] is NSNull, "\(site) \(key)") }
                continue
            }
            #expect(timed < requests, "a fifth of every other row is untimed")
            #expect(abs(row.double("meanMs") - Double(timeMs) / Double(timed)) < 1e-9)
            // Percentiles: the coordinator's function, called directly as the superuser.
            let direct = try coordinator.execute(
                "SELECT p50_ms, p95_ms, p99_ms FROM latency_percentiles($1::timestamptz, $2::timestamptz, $3)",
                parameters: ["2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z", site])
            let expected = try #require(direct.rows.first).map { $0.flatMap(Double.init) }
            for (index, key) in ["p50Ms", "p95Ms", "p99Ms"].enumerated() {
                let value = row.double(key)
                #expect(abs(value - (expected[index] ?? -1)) < 1e-6, "\(site) \(key)")
            }
            // And sanity against the data: p50 lies within the fixture's latency range.
            #expect(row.double("p50Ms") > 0 && row.double("p99Ms") <= 220)
        }
        // The fleet's percentiles: the fixture's fine histogram, summed here, read by the
        // coordinator's own quantile function.
        let fineBounds = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 18, 22, 27, 33, 39, 47, 56, 68, 82, 100, 120, 150, 180, 220,
                          270, 330, 390, 470, 560, 680, 820, 1000, 1200, 1500, 1800, 2200, 2700, 3300, 3900, 4700, 5600, 6800,
                          8200, 10000]
        var histogram = Array(repeating: Int64(0), count: fineBounds.count + 1)
        for row in database.fixture.rows() {
            let column = TrafficFixture.latencies[row.latency].fine
            let index = try #require(fineBounds.firstIndex { "latency_fine_le_\($0)ms" == column })
            histogram[index] += row.timed
        }
        let literal = "{" + histogram.map(String.init).joined(separator: ",") + "}"
        let fleet = try #require(json["latency"] as? [String: Any])
        #expect(fleet.int("requests") == histogram.reduce(0, +))
        for (q, key) in [("0.5", "p50Ms"), ("0.95", "p95Ms"), ("0.99", "p99Ms")] {
            let direct = try coordinator.execute(
                "SELECT edgelog.latency_quantile($1::bigint[], $2::float8) / 1000.0", parameters: [literal, q])
            let expected = try #require(direct.rows.first.flatMap { $0.first ?? nil }.flatMap { Double($0) })
            #expect(abs(fleet.double(key) - expected) < 1e-6, "fleet \(key)")
        }
        // For one site, the fleet figure is that site's.
        let one = try await EdgelogRun.json(["status"] + common(database) + ["--site", TrafficFixture.sites[1]])
        let oneRow = try #require((one["rows"] as? [[String: Any]])?.first)
        let oneLatency = try #require(one["latency"] as? [String: Any])
        #expect(abs(oneLatency.double("p95Ms") - oneRow.double("p95Ms")) < 1e-9)

        let series = try #require(json["series"] as? [[String: Any]])
        #expect(series.count == 60)
        let minute7 = database.fixture.rows(in: 7..<8)
        #expect((series[7]["counts"] as? [String: Any])?.int("status5xx") == minute7.map { $0.statusClasses[4] }.reduce(0, +))
    }

    @Test func uniquesAreUnionsNotSums() async throws {
        let database = try ReportDatabase.require()
        let json = try await EdgelogRun.json(["uniques"] + common(database))
        let rows = try #require(json["rows"] as? [[String: Any]])
        let all = database.fixture.rows()
        for row in rows {
            let site = try #require(row["site"] as? String)
            let distinct = Set(all.filter { $0.site == site }.flatMap(\.ips)).count
            #expect(row.int("uniqueIps") == Int64(distinct), "\(site)")
        }
        let totals = try #require(json["totals"] as? [String: Any])
        let distinctAll = Set(all.flatMap(\.ips)).count
        #expect(totals.int("uniqueIps") == Int64(distinctAll))
        #expect(Int64(distinctAll) < rows.map { $0.int("uniqueIps") }.reduce(0, +), "the sites share addresses")
        let series = try #require(json["series"] as? [[String: Any]])
        for minute in [0, 13, 59] {
            let expected = Set(database.fixture.rows(in: minute..<(minute + 1)).flatMap(\.ips)).count
            #expect(series[minute].int("uniqueIps") == Int64(expected), "minute \(minute)")
        }
    }

    @Test func attacksByClassSiteSourceAndSamples() async throws {
        let database = try ReportDatabase.require()
        let json = try await EdgelogRun.json(["attacks"] + common(database) + ["--samples", "1000"])
        let all = database.fixture.rows()
        let classes = try #require(json["rows"] as? [[String: Any]])
        #expect(classes.compactMap { $0["attackClass"] as? String } == TrafficFixture.attackClasses)
        for (index, row) in classes.enumerated() {
            #expect(row.int("requests") == all.map { $0.attacks[index] }.reduce(0, +))
            let series = try #require(row["series"] as? [Int])
            #expect(Int64(series.reduce(0, +)) == row.int("requests"))
        }
        let sites = try #require(json["sites"] as? [[String: Any]])
        for site in sites {
            let name = try #require(site["site"] as? String)
            let attacks = try #require(site["attacks"] as? [String: Any])
            for (index, attackClass) in TrafficFixture.attackClasses.enumerated() {
                #expect(attacks.int(attackClass) == all.filter { $0.site == name }.map { $0.attacks[index] }.reduce(0, +))
            }
        }
        let sources = try #require(json["sources"] as? [[String: Any]])
        let tops = database.fixture.topIPs
        #expect(Set(sources.compactMap { $0["clientIp"] as? String }) == Set(tops.map(\.ip)))
        for source in sources {
            let ip = try #require(source["clientIp"] as? String)
            #expect(source.int("total") == tops.filter { $0.ip == ip }.map { $0.attacks.reduce(0, +) }.reduce(0, +))
        }
        let samples = try #require(json["samples"] as? [[String: Any]])
        #expect(samples.count == database.fixture.samples.count)
        #expect(Set(samples.compactMap { $0["request"] as? String }) == Set(database.fixture.samples.map(\.request)))
        let times = samples.compactMap { $0["time"] as? String }
        #expect(times == times.sorted(by: >), "latest first")
    }

    /// The audit over SQL-written file and reject rows (the pipeline's own test is `AuditLossTests`).
    @Test func auditListsFilesSitesAndRejects() async throws {
        let database = try ReportDatabase.require()
        try await OffPool.run {
            let shard0 = try database.shard(0)
            let shard1 = try database.shard(1)
            let insert = """
                INSERT INTO edgelog.file_audit (shard_id, edge, source_file, shipped_lines, lost_lines, lost_bytes,
                    counted_lines, stats_records, folded_lines, lost_bytes_replaced, lost_bytes_unfinished)
                VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $10)
                """
            try shard0.execute(
                insert, parameters: ["0", "edge-1", "/var/log/nginx/access.log", "100", "2", "70", "60", "3", "0", "30"])
            try shard1.execute(
                insert, parameters: ["1", "edge-1", "/var/log/nginx/access.log", "0", "0", "512", "38", "1", "100", "12"])
            try shard1.execute(
                "INSERT INTO edgelog.rejected_records (shard_id, topic, partition, cause, records, first_offset, last_offset) VALUES (1, 'edgelog.requests', 3, 'undecodable', 4, 10, 40)"
            )
        }
        let json = try await EdgelogRun.json(["audit", "--coordinator", database.analystConninfo, "--last", "1h"])
        let files = try #require(json["rows"] as? [[String: Any]])
        #expect(files.count == 1)
        let file = try #require(files.first)
        #expect(file["edge"] as? String == "edge-1" && file["sourceFile"] as? String == "/var/log/nginx/access.log")
        #expect(file.int("shippedLines") == 100 && file.int("countedLines") == 98 && file.int("uncountedLines") == 2)
        #expect(file.int("foldedLines") == 4 && file.int("lostLines") == 2 && file.int("lostBytes") == 582)
        // Per cause: deleted unread is the rest of each shard's total (40 + 400).
        #expect(file.int("lostBytesReplaced") == 100 && file.int("lostBytesUnfinished") == 42)
        #expect(file.int("lostBytesDeletedUnread") == 440)
        let totals = try #require(json["totals"] as? [String: Any])
        #expect(totals.int("lostBytes") == 582 && totals.int("lostBytesDeletedUnread") == 440)
        #expect(totals.int("lostBytesReplaced") == 100 && totals.int("lostBytesUnfinished") == 42)
        #expect((totals["rejectedRecords"] as? [String: Any])?.int("undecodable") == 4)
        #expect((totals["rejectedRecords"] as? [String: Any])?.int("retention_gap") == 0)
        let rejected = try #require(json["rejected"] as? [[String: Any]])
        #expect(rejected.first?.int("partition") == 3 && rejected.first?.int("firstOffset") == 10)
    }

    /// The same numbers from SQL run on each shard directly (not through the coordinator's
    /// views), merged here: sums add, sketches union.
    @Test func reportsMatchSQLOnTheShards() async throws {
        let database = try ReportDatabase.require()
        let range = ["2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z"]
        struct SiteSums: Sendable {
            var requests: Int64 = 0, bytes: Int64 = 0, hit: Int64 = 0, sqli: Int64 = 0, scanner: Int64 = 0
            var sketches: [String?] = []
        }
        let perSite: [String: SiteSums] = try await OffPool.run {
            var sums: [String: SiteSums] = [:]
            for shard in 0..<2 {
                let rows = try database.shard(shard).execute(
                    """
                    SELECT site, sum(requests), sum(body_bytes), sum(cache_hit), sum(attacks_sqli), sum(attacks_scanner),
                           hll_union_agg(unique_ips)::text
                    FROM edgelog.site_minute WHERE bucket >= $1::timestamptz AND bucket < $2::timestamptz GROUP BY site
                    """, parameters: range)
                for row in rows.rows {
                    guard let site = row[0] else { continue }
                    var entry = sums[site] ?? SiteSums(sketches: [nil, nil])
                    entry.requests += row[1].flatMap { Int64($0) } ?? 0
                    entry.bytes += row[2].flatMap { Int64($0) } ?? 0
                    entry.hit += row[3].flatMap { Int64($0) } ?? 0
                    entry.sqli += row[4].flatMap { Int64($0) } ?? 0
                    entry.scanner += row[5].flatMap { Int64($0) } ?? 0
                    entry.sketches[shard] = row[6]
                    sums[site] = entry
                }
            }
            return sums
        }
        // Union of the two shards' sketches of a site, by the extension (on the coordinator).
        let uniques: [String: Int64] = try await OffPool.run {
            let coordinator = try database.coordinator()
            var result: [String: Int64] = [:]
            for (site, sums) in perSite {
                let rows = try coordinator.execute(
                    "SELECT round(hll_cardinality(hll_union(coalesce($1::hll, hll_empty()), coalesce($2::hll, hll_empty()))))::bigint",
                    parameters: sums.sketches)
                result[site] = rows.rows.first.flatMap { $0.first ?? nil }.flatMap { Int64($0) }
            }
            return result
        }
        let top = try await EdgelogRun.json(["top"] + common(database))
        for row in try #require(top["rows"] as? [[String: Any]]) {
            let site = try #require(row["site"] as? String)
            #expect(row.int("requests") == perSite[site]?.requests && row.int("bodyBytes") == perSite[site]?.bytes, "\(site)")
        }
        let cache = try await EdgelogRun.json(["cache"] + common(database))
        for row in try #require(cache["sites"] as? [[String: Any]]) {
            let site = try #require(row["site"] as? String)
            #expect((row["counts"] as? [String: Any])?.int("hit") == perSite[site]?.hit, "\(site)")
        }
        let uniquesReport = try await EdgelogRun.json(["uniques"] + common(database))
        for row in try #require(uniquesReport["rows"] as? [[String: Any]]) {
            let site = try #require(row["site"] as? String)
            #expect(row.int("uniqueIps") == uniques[site], "\(site)")
        }
        let attacks = try await EdgelogRun.json(["attacks"] + common(database))
        for row in try #require(attacks["sites"] as? [[String: Any]]) {
            let site = try #require(row["site"] as? String)
            let classes = try #require(row["attacks"] as? [String: Any])
            #expect(classes.int("sqli") == perSite[site]?.sqli && classes.int("scanner") == perSite[site]?.scanner, "\(site)")
        }
    }

    @Test func textOutputIsTablesWithSparklinesAndSafeSites() async throws {
        let database = try ReportDatabase.require()
        for report in ["top", "cache", "status", "uniques", "attacks", "audit"] {
            let output = try await EdgelogRun.run([report] + common(database))
            #expect(output.status == 0, "\(report): \(output.stderr)")
            #expect(!output.stdout.contains("\u{1B}"), "\(report): a log-written site must not reach the terminal raw")
            if report != "audit" {
                #expect(output.stdout.unicodeScalars.contains { (0x2581...0x2588).contains($0.value) }, "\(report) sparkline")
            }
        }
        let top = try await EdgelogRun.run(["top"] + common(database))
        #expect(top.stdout.contains("evil\\x1B[2J.example'; DROP TABLE x;--"))
    }

    @Test func environmentVariableNamesTheCoordinator() async throws {
        let database = try ReportDatabase.require()
        var environment = ProcessInfo.processInfo.environment
        environment["EDGELOG_COORDINATOR"] = database.analystConninfo
        let output = try await EdgelogRun.run(["top", "--json"] + Self.hour, environment: environment)
        #expect(output.status == 0, "\(output.stderr)")
    }

    /// `--watch` clears the screen and redraws until it is stopped; a coordinator that goes
    /// away is shown on the screen and retried, not an exit.
    @Test func watchRedrawsUntilStopped() async throws {
        let database = try ReportDatabase.require()
        let process = try ManagedProcess.start(
            executable: try BuiltExecutable.path(named: "edgelog"),
            arguments: ["top", "--watch", "--interval", "1"] + common(database))
        defer { process.stop() }
        let clear = "\u{1B}[H\u{1B}[2J"
        let deadline = ContinuousClock.now + .seconds(20)
        var screen = ""
        while ContinuousClock.now < deadline {
            screen = (try? String(contentsOfFile: process.stdoutPath, encoding: .utf8)) ?? ""
            if screen.components(separatedBy: clear).count >= 3 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(screen.components(separatedBy: clear).count >= 3, "two frames drawn: \(screen)")
        #expect(screen.contains("top sites by requests") && screen.contains("Ctrl-C to stop"))
        #expect(process.isRunning, "still watching")
        process.terminate()
        _ = try await process.waitForExit(timeout: .seconds(10))

        let port = try FreePort.next()
        let unreachable = try ManagedProcess.start(
            executable: try BuiltExecutable.path(named: "edgelog"),
            arguments: ["top", "--watch", "--interval", "1", "--coordinator", "host=127.0.0.1 port=\(port) user=x dbname=x"])
        defer { unreachable.stop() }
        try await unreachable.waitUntilOutput(contains: "coordinator unreachable", timeout: .seconds(20))
        try await Task.sleep(for: .milliseconds(1500))
        #expect(unreachable.isRunning, "an outage is shown and retried while watching")
        unreachable.terminate()
        _ = try await unreachable.waitForExit(timeout: .seconds(10))
    }

    // MARK: - Exit codes

    @Test func unreachableCoordinatorExits3() async throws {
        let port = try FreePort.next()
        let output = try await EdgelogRun.run([
            "top", "--coordinator", "host=127.0.0.1 port=\(port) user=edgelog_analyst password=hunter2 dbname=x",
        ])
        #expect(output.status == 3)
        #expect(output.stderr.contains("coordinator unreachable"), "\(output.stderr)")
        #expect(!output.stderr.contains("hunter2"), "the password is never printed")
    }

    @Test func emptyRangeExits4() async throws {
        let database = try ReportDatabase.require()
        for report in ["top", "cache", "status", "uniques", "attacks"] {
            let output = try await EdgelogRun.run([
                report, "--coordinator", database.analystConninfo, "--since", "2020-01-01T00:00:00Z", "--until",
                "2020-01-01T01:00:00Z",
            ])
            #expect(output.status == 4, "\(report): \(output.stderr)")
            #expect(output.stderr.contains("no data"), "\(output.stderr)")
        }
        let unknownSite = try await EdgelogRun.run(["top"] + common(database) + ["--site", "nowhere.example"])
        #expect(unknownSite.status == 4 && unknownSite.stderr.contains("nowhere.example"))
    }

    @Test func oldSchemaExits5NamingTheVersion() async throws {
        let database = try ReportDatabase.require()
        try await database.cluster.createDatabase("old_coordinator")
        try await database.cluster.createDatabase("bare_coordinator")
        try await OffPool.run {
            let old = try database.cluster.connect(database: "old_coordinator")
            try old.execute("CREATE SCHEMA edgelog")
            try old.execute("CREATE TABLE edgelog.schema_migrations (version int PRIMARY KEY, name text NOT NULL)")
            try old.execute("INSERT INTO edgelog.schema_migrations VALUES (1, 'initial'), (2, 'sketches'), (3, 'latency_fine')")
        }
        let old = try await EdgelogRun.run(["attacks", "--coordinator", database.cluster.conninfo(database: "old_coordinator")])
        #expect(old.status == 5)
        #expect(old.stderr.contains("migration 4") && old.stderr.contains("edgelog db init"), "\(old.stderr)")
        let bare = try await EdgelogRun.run(["top", "--coordinator", database.cluster.conninfo(database: "bare_coordinator")])
        #expect(bare.status == 5, "\(bare.stderr)")
        #expect(bare.stderr.contains("no edgelog schema"), "\(bare.stderr)")
    }

    @Test(arguments: [
        ["top", "--last", "15x"], ["top", "--last", "1h", "--since", "2026-01-01T00:00:00Z"],
        ["top", "--watch", "--json"], ["top", "--since", "2026-01-01T00:00:00"], ["top", "--by", "colour"],
        ["cache", "--since", "2026-01-02T00:00:00Z", "--until", "2026-01-01T00:00:00Z"], ["status", "--limit", "0"],
    ])
    func usageErrorsExit2(arguments: [String]) async throws {
        let output = try await EdgelogRun.run(arguments + ["--coordinator", "host=127.0.0.1 port=1"])
        #expect(output.status == 2, "\(arguments): \(output.stderr)")
        #expect(output.stderr.contains("Error"), "\(output.stderr)")
    }

    @Test func unparsableCoordinatorIsAUsageErrorWithoutThePassword() async throws {
        let output = try await EdgelogRun.run(["top", "--coordinator", "host=127.0.0.1 password=hunter2 junk"])
        #expect(output.status == 2, "\(output.stderr)")
        #expect(output.stderr.contains("--coordinator: invalid connection string"), "\(output.stderr)")
        #expect(!output.stderr.contains("hunter2"))
    }

    @Test func missingCoordinatorIsAUsageError() async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["EDGELOG_COORDINATOR"] = nil
        let output = try await EdgelogRun.run(["top"], environment: environment)
        #expect(output.status == 2)
        #expect(output.stderr.contains("EDGELOG_COORDINATOR"), "\(output.stderr)")
    }

    @Test func helpDocumentsExitCodesAndJSON() async throws {
        for report in ["top", "cache", "status", "uniques", "attacks", "audit"] {
            let output = try await EdgelogRun.run([report, "--help"])
            #expect(output.status == 0)
            let help = output.stdout.replacingOccurrences(of: "\n", with: " ")
            for needle in ["--coordinator", "--last", "--since", "--json", "--watch", "coordinator unreachable", "no data"] {
                #expect(help.contains(needle), "\(report) --help lacks \(needle)")
            }
        }
    }
}

extension Dictionary where Key == String, Value == Any {
    /// An integer member (-1 when absent or not a number, so a comparison fails visibly).
    func int(_ key: String) -> Int64 {
        (self[key] as? NSNumber).map { $0.int64Value } ?? -1
    }

    /// A floating-point member (NaN when absent or null).
    func double(_ key: String) -> Double {
        (self[key] as? NSNumber).map { $0.doubleValue } ?? .nan
    }
}
