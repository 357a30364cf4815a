import EdgelogSchema
import PipelineTestSupport
import PostgresSink
import Testing
import TrafficAggregation

/// The installed schema on real PostgreSQL: installing, re-installing, refusing, the tables'
/// columns, reading shards through the coordinator, the analysts' rights, aggregate pushdown and
/// the partition functions.
@Suite(.serialized, .installedSchema)
struct SchemaIntegrationTests {
    /// 0001's counters, 0002's `unique_ips`, 0003's fine latency histogram, 0004's attacks.
    static let siteColumns = ["shard_id", "bucket", "site"]
        + SiteCounter.allCases.prefix(through: SiteCounter.rejectedLate.index).map(\.rawValue) + ["unique_ips"]
        + LatencyHistogram.fineCounters.map(\.rawValue) + attackColumns
    static let attackColumns = ["attacks_sqli", "attacks_xss", "attacks_traversal", "attacks_scanner"]

    // MARK: - Installing

    @Test func firstInstallAppliesEveryMigrationEverywhere() throws {
        let installed = try InstalledSchema.require()
        let summary = installed.firstInstall
        #expect(summary.databases.map(\.database) == [.shard(0), .shard(1), .shard(2), .coordinator])
        for result in summary.databases {
            #expect(result.applied.map(\.version) == Array(1...result.database.kind.knownVersion))
            #expect(result.version == result.database.kind.knownVersion)
        }
        #expect(summary.definedShards == [0, 1, 2])
        #expect(summary.optionsNotCarried[2] == ["connect_timeout"])
        let coordinator = try installed.coordinator()
        let shards = try coordinator.execute("SELECT shard_id, server_name FROM edgelog.shards ORDER BY shard_id")
        #expect(shards.rows == [["0", "edgelog_shard_0"], ["1", "edgelog_shard_1"], ["2", "edgelog_shard_2"]])
        let servers = try coordinator.execute(
            "SELECT srvoptions::text FROM pg_foreign_server WHERE srvname = 'edgelog_shard_2'"
        )
        #expect(
            servers.firstColumn == [
                "{host=127.0.0.1,port=\(installed.clusterB.port),dbname=edgelog_shard2,async_capable=true,fetch_size=10000,fdw_tuple_cost=0.2,extensions=hll}"
            ]
        )
    }

    @Test func secondInstallIsANoOp() throws {
        let installed = try InstalledSchema.require()
        let before = try appliedAt(installed)
        let summary = try SchemaInstaller().install(
            shards: installed.shardConninfos,
            coordinator: installed.coordinatorConninfo
        )
        #expect(summary.appliedNothing)
        #expect(summary.databases.map(\.version) == summary.databases.map(\.database.kind.knownVersion))
        #expect(summary.definedShards == [0, 1, 2])
        #expect(try appliedAt(installed) == before)
        let coordinator = try installed.coordinator()
        let partitions = try coordinator.execute(
            "SELECT count(*) FROM pg_inherits WHERE inhparent = 'edgelog.site_minute'::regclass"
        )
        #expect(partitions.firstColumn == ["3"])
    }

    /// Every database's schema_migrations rows, to show a re-run rewrote nothing.
    private func appliedAt(_ installed: InstalledSchema) throws -> [[[String?]]] {
        var all = try (0..<3).map { id in
            try installed.shard(id).execute("SELECT version, name, applied_at::text FROM edgelog.schema_migrations ORDER BY version").rows
        }
        all.append(
            try installed.coordinator().execute(
                "SELECT version, name, applied_at::text FROM edgelog.schema_migrations ORDER BY version"
            ).rows
        )
        return all
    }

    @Test func newerSchemaIsRefusedAndLeftUnchanged() async throws {
        let installed = try InstalledSchema.require()
        try await installed.clusterA.createDatabase("edgelog_future")
        let conninfo = installed.clusterA.conninfo(database: "edgelog_future")
        _ = try SchemaInstaller().install(shards: [conninfo], coordinator: nil)
        let database = try installed.clusterA.connect(database: "edgelog_future")
        try database.execute(
            "INSERT INTO edgelog.schema_migrations (version, name) VALUES ($1::int, $2)",
            parameters: ["\(Migration.Kind.shard.knownVersion + 1)", "from_the_future"]
        )
        let snapshot = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'edgelog' ORDER BY 1"
        let tablesBefore = try database.execute(snapshot)
        let versionsBefore = try SchemaInstaller.appliedVersions(database)

        let error = try #require(throws: SchemaError.self) {
            try SchemaInstaller().install(shards: [conninfo], coordinator: nil)
        }
        guard case .newerSchema(let role, _, let found, let knownVersion) = error else {
            Issue.record("expected .newerSchema, got \(error)")
            return
        }
        #expect(role == .shard(0))
        let known = Migration.Kind.shard.knownVersion
        #expect(found == known + 1)
        #expect(knownVersion == known)
        #expect("\(error)".contains("schema version \(known + 1) is newer than this edgelog (knows up to \(known)); upgrade edgelog"))
        #expect(try database.execute(snapshot) == tablesBefore)
        #expect(try SchemaInstaller.appliedVersions(database) == versionsBefore)

        let check = try #require(throws: SchemaCheckFailure.self) { try SchemaInstaller.checkShard(database, shardID: 0) }
        #expect(check == .versionMismatch(shardID: 0, found: Migration.Kind.shard.knownVersion + 1, expected: Migration.Kind.shard.knownVersion))
    }

    @Test func checkShardAcceptsShardsOnly() throws {
        let installed = try InstalledSchema.require()
        for id in 0..<3 {
            try SchemaInstaller.checkShard(try installed.shard(id), shardID: id)
        }
        let coordinator = try #require(throws: SchemaCheckFailure.self) {
            try SchemaInstaller.checkShard(try installed.coordinator())
        }
        #expect(coordinator == .notAShard(shardID: nil))
        let empty = try #require(throws: SchemaCheckFailure.self) {
            try SchemaInstaller.checkShard(try installed.clusterA.connect(database: "postgres"), shardID: 7)
        }
        #expect(empty == .missing(shardID: 7))
    }

    @Test func connectionErrorsCarryTheRedactedConninfoOnly() throws {
        let port = try FreePort.next()
        let conninfo = "host=127.0.0.1 port=\(port) dbname=d user=u password=hunter2-Secret connect_timeout=5"
        let error = try #require(throws: SchemaError.self) {
            try SchemaInstaller().install(shards: [conninfo], coordinator: nil)
        }
        guard case .connectionFailed(let role, let shown, _) = error else {
            Issue.record("expected .connectionFailed, got \(error)")
            return
        }
        #expect(role == .shard(0))
        #expect(shown == "host=127.0.0.1 port=\(port) dbname=d user=u connect_timeout=5 password=<redacted>")
        #expect(!"\(error)".contains("hunter2"))
    }

    @Test func invalidConninfoIsRefusedBeforeTouchingAnyDatabase() async throws {
        let installed = try InstalledSchema.require()
        try await installed.clusterA.createDatabase("edgelog_untouched")
        let error = try #require(throws: SchemaError.self) {
            try SchemaInstaller().install(
                shards: [installed.clusterA.conninfo(database: "edgelog_untouched"), "host=h password=pw tail"],
                coordinator: nil
            )
        }
        guard case .invalidConninfo(let role, _) = error else {
            Issue.record("expected .invalidConninfo, got \(error)")
            return
        }
        #expect(role == .shard(1))
        #expect(!"\(error)".contains("tail"))
        let untouched = try installed.clusterA.connect(database: "edgelog_untouched")
        #expect(try SchemaInstaller.appliedVersions(untouched) == [])
    }

    /// A shard password reaches the user mappings but never edgelog.shards or the summary.
    @Test func shardPasswordsStayOutOfDescriptions() async throws {
        let installed = try InstalledSchema.require()
        try await installed.clusterB.createDatabase("edgelog_coordinator_pw")
        // Trust authentication ignores the password; only where it ends up matters here.
        let shard = installed.shardConninfos[0] + " password=Sh4rd-Secret"
        let summary = try SchemaInstaller().install(
            shards: [shard],
            coordinator: installed.clusterB.conninfo(database: "edgelog_coordinator_pw")
        )
        #expect(!summary.description.contains("Sh4rd-Secret"))
        let coordinator = try installed.clusterB.connect(database: "edgelog_coordinator_pw")
        let description = try coordinator.execute("SELECT description FROM edgelog.shards WHERE shard_id = 0")
        #expect(
            description.firstColumn == [
                "host=127.0.0.1 port=\(installed.clusterA.port) dbname=edgelog_shard0 user=postgres password=<redacted>"
            ]
        )
        let mappings = try coordinator.execute(
            "SELECT usename, umoptions::text FROM pg_user_mappings WHERE srvname = 'edgelog_shard_0' ORDER BY usename"
        )
        #expect(
            mappings.rows == [
                ["edgelog_analyst", "{user=postgres,password=Sh4rd-Secret}"],
                ["postgres", "{user=postgres,password=Sh4rd-Secret}"],
            ]
        )
    }

    // MARK: - Tables

    @Test(arguments: ["site_minute", "site_hour", "site_day"])
    func siteTablesHaveTheSiteCounterColumnsInOrder(table: String) throws {
        let installed = try InstalledSchema.require()
        let query = """
            SELECT column_name, data_type, is_nullable, column_default
            FROM information_schema.columns
            WHERE table_schema = 'edgelog' AND table_name = $1
            ORDER BY ordinal_position
            """
        for connection in [try installed.shard(0), try installed.shard(2), try installed.coordinator()] {
            let columns = try connection.execute(query, parameters: [table])
            #expect(columns.firstColumn.compactMap { $0 } == Self.siteColumns)
            #expect(columns.rows.first { $0[0] == "unique_ips" }?[1] == "USER-DEFINED", "unique_ips is an hll")
            for row in columns.rows.dropFirst(3) where row[0] != "unique_ips" {
                #expect(row[1] == "bigint")
                #expect(row[2] == "NO")
                #expect(row[3] == "0")
            }
        }
    }

    @Test(arguments: ["minute_site", "hour_site", "day_site"])
    func analystViewsHaveBucketSiteCountersAndRatio(view: String) throws {
        let installed = try InstalledSchema.require()
        let columns = try installed.coordinator().execute(
            """
            SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position
            """,
            parameters: [view]
        )
        #expect(
            columns.firstColumn.compactMap { $0 }
                == ["bucket", "site"] + SiteCounter.allCases.prefix(through: SiteCounter.rejectedLate.index).map(\.rawValue)
                + ["cache_hit_ratio", "unique_ips", "unique_ips_hll"] + Self.attackColumns)
        #expect(
            Set(columns.firstColumn.compactMap { $0 }).isSuperset(
                of: SiteCounter.allCases.filter(\.isInAnalystViews).map(\.rawValue)))
        let types = columns.rows.map { $0[1] }
        #expect(types.first == "timestamp with time zone")
        #expect(types.dropFirst(2).dropLast(7).allSatisfy { $0 == "bigint" })
        #expect(types.suffix(7) == ["double precision", "bigint", "USER-DEFINED", "bigint", "bigint", "bigint", "bigint"])
    }

    @Test func latencyBucketTableMatchesTheHistogram() throws {
        let installed = try InstalledSchema.require()
        let rows = try installed.coordinator().execute(
            "SELECT idx, upper_us, column_name FROM edgelog.latency_bucket ORDER BY idx"
        )
        let bounds: [String?] = LatencyHistogram.upperBoundsMicros.map { String($0) } + [nil]
        let expected: [[String?]] = LatencyHistogram.counters.enumerated().map { index, counter in
            [String(index), bounds[index], counter.rawValue]
        }
        #expect(rows.rows == expected)
    }

    @Test func latencyFineBucketTableMatchesTheHistogram() throws {
        let installed = try InstalledSchema.require()
        let rows = try installed.coordinator().execute(
            "SELECT idx, upper_us, column_name FROM edgelog.latency_fine_bucket ORDER BY idx"
        )
        let expected: [[String?]] =
            zip(LatencyHistogram.fineUpperBoundsMicros, LatencyHistogram.fineCounters).enumerated().map { index, pair in
                [String(index), String(pair.0), pair.1.rawValue]
            } + [["47", nil, "latency_gt_10s"]]
        #expect(rows.rows == expected)
    }

    /// `edgelog.latency_quantile` on hand-made histograms: whole milliseconds are exact, a
    /// quantile inside a wider bucket stays inside it, the overflow reads as 10 s.
    @Test func latencyQuantileOnHandMadeHistograms() throws {
        let coordinator = try InstalledSchema.require().coordinator()
        func quantile(_ counts: [Int: Int], _ q: Double) throws -> Double? {
            let array = (0..<48).map { String(counts[$0] ?? 0) }.joined(separator: ",")
            let value = try coordinator.execute(
                "SELECT edgelog.latency_quantile($1::bigint[], $2::float8)", parameters: ["{\(array)}", String(q)]
            ).rows.first?.first ?? nil
            return value.flatMap(Double.init)
        }
        // 10 requests at 3 ms, 10 at 7 ms: rank ceil(0.5 * 20) = 10 is the last 3 ms one.
        #expect(try quantile([3: 10, 7: 10], 0.5) == 3_000)
        #expect(try quantile([3: 10, 7: 10], 0.51) == 7_000)
        #expect(try quantile([3: 10, 7: 10], 0) == 3_000)
        #expect(try quantile([0: 5], 0.99) == 0)
        // Everything in (10 ms, 12 ms]: the answer is in there, and grows with q.
        let low = try #require(try quantile([11: 100], 0.1))
        let high = try #require(try quantile([11: 100], 0.9))
        #expect(low > 10_000 && low < high && high <= 12_000, "\(low) \(high)")
        #expect(try quantile([3: 1, 47: 99], 0.5) == 10_000_000)
        #expect(try quantile([:], 0.5) == nil)
        #expect(throws: (any Error).self) { try quantile([1: 1], 1.5) }
        #expect(throws: (any Error).self) {
            try coordinator.execute("SELECT edgelog.latency_quantile('{1,2,3}'::bigint[], 0.5)")
        }
    }

    // MARK: - Reading through the coordinator

    @Test func shardRowsReadBackVerbatimAndSummedThroughTheCoordinator() throws {
        let installed = try InstalledSchema.require()
        let hostile = "x'); DROP TABLE edgelog.site_hour; --"
        let plain = "www.read-back.example"
        let bucket = "2030-06-15 12:34:00+00"
        let insert = """
            INSERT INTO edgelog.site_minute (shard_id, bucket, site, requests, cache_hit, cache_miss, cache_none)
            VALUES ($1::int, $2::timestamptz, $3, $4::bigint, $5::bigint, $6::bigint, $7::bigint)
            """
        // The same (bucket, site) on shards 0 and 2 (a re-shard leaves such pairs): summed.
        for (shardID, site, requests, hit, miss, none) in [
            (0, hostile, 5, 3, 1, 1), (2, hostile, 7, 3, 1, 3), (1, plain, 11, 0, 0, 11),
        ] {
            let shard = try installed.shard(shardID)
            try shard.execute("SELECT edgelog.ensure_minute_partition($1::date)", parameters: ["2030-06-15"])
            try shard.execute(
                insert,
                parameters: [String(shardID), bucket, site, String(requests), String(hit), String(miss), String(none)]
            )
        }
        let coordinator = try installed.coordinator()
        let rows = try coordinator.execute(
            """
            SELECT site, bucket = $1::timestamptz, requests, cache_hit, cache_miss, cache_none, cache_hit_ratio
            FROM minute_site WHERE site = ANY($2::text[]) ORDER BY site
            """,
            parameters: [bucket, "{\"\(plain)\",\"x'); DROP TABLE edgelog.site_hour; --\"}"]
        )
        try #require(rows.rowCount == 2)
        #expect(Array((rows.rows[0][0] ?? "").utf8) == Array(plain.utf8))
        #expect(rows.rows[0][1...] == ["t", "11", "0", "0", "11", nil])
        #expect(Array((rows.rows[1][0] ?? "").utf8) == Array(hostile.utf8))
        #expect(rows.rows[1][1...] == ["t", "12", "6", "2", "4", "0.75"])
        // The payload stayed a value: site_hour is still there, on every shard.
        for id in 0..<3 {
            #expect(try installed.shard(id).execute("SELECT to_regclass('edgelog.site_hour') IS NOT NULL").firstColumn == ["t"])
        }
    }

    /// `latency_percentiles` sums the fine histogram over shards and reads it; where the
    /// range's fine counts fall short of the coarse ones (rows from before migration 0003) it
    /// reads the coarse histogram instead.
    @Test func latencyPercentilesFallBackToTheCoarseHistogramForOlderRows() throws {
        let installed = try InstalledSchema.require()
        let bucket = "2030-07-01 08:00:00+00"
        for (shardID, site, fine) in [
            (0, "fine.percentiles.example", true), (2, "fine.percentiles.example", true),
            (1, "old.percentiles.example", false), (2, "mixed.percentiles.example", true),
            (0, "mixed.percentiles.example", false),
        ] {
            let shard = try installed.shard(shardID)
            try shard.execute("SELECT edgelog.ensure_minute_partition($1::date)", parameters: ["2030-07-01"])
            try shard.execute(
                """
                INSERT INTO edgelog.site_minute (shard_id, bucket, site, requests, latency_le_5ms, latency_fine_le_3ms)
                VALUES ($1::int, $2::timestamptz, $3, 10, 10, $4::bigint)
                """,
                parameters: [String(shardID), bucket, site, fine ? "10" : "0"]
            )
        }
        let rows = try installed.coordinator().execute(
            """
            SELECT site, requests, p50_ms FROM latency_percentiles($1::timestamptz, $1::timestamptz + interval '1 minute')
            WHERE site LIKE '%.percentiles.example' ORDER BY site
            """,
            parameters: [bucket]
        ).rows
        try #require(rows.count == 3)
        #expect(rows[0][0] == "fine.percentiles.example" && rows[0][1] == "20" && rows[0][2] == "3", "\(rows[0])")
        for row in rows.dropFirst() {
            // Every request in (2 ms, 5 ms] and nothing finer known (or not for all of them).
            let p50 = try #require(row[2].flatMap(Double.init))
            #expect(row[1] == (row[0] == "old.percentiles.example" ? "10" : "20"))
            #expect(p50 > 2 && p50 < 5 && p50 != 3, "\(row)")
        }
    }

    @Test func otherViewsSumOverShards() throws {
        let installed = try InstalledSchema.require()
        for shardID in [0, 1] {
            let shard = try installed.shard(shardID)
            try shard.execute(
                """
                INSERT INTO edgelog.file_audit (shard_id, edge, source_file, shipped_lines, lost_lines, counted_lines)
                VALUES ($1::int, $2, $3, 10, 1, 9)
                """,
                parameters: [String(shardID), "edge-a", "/var/log/nginx/access.log"]
            )
            try shard.execute(
                """
                INSERT INTO edgelog.rejected_records (shard_id, topic, partition, cause, records, first_offset, last_offset)
                VALUES ($1::int, 'edgelog.requests', 3, 'undecodable', 2, $2::bigint, $3::bigint)
                """,
                parameters: [String(shardID), String(100 * (shardID + 1)), String(100 * (shardID + 1) + 5)]
            )
            try shard.execute(
                """
                INSERT INTO edgelog.consumer_progress (shard_id, topic, partition, next_offset, watermark_us, cluster_id)
                VALUES ($1::int, 'edgelog.requests', 3, 42, 7, 'cluster-x')
                """,
                parameters: [String(shardID)]
            )
            try shard.execute(
                "INSERT INTO edgelog.site_day (shard_id, bucket, site, requests) VALUES ($1::int, '2030-06-15', 'day.example', 4)",
                parameters: [String(shardID)]
            )
        }
        let coordinator = try installed.coordinator()
        #expect(
            try coordinator.execute(
                "SELECT shipped_lines, lost_lines, lost_bytes, counted_lines FROM file_audit_totals WHERE edge = 'edge-a'"
            ).rows == [["20", "2", "0", "18"]]
        )
        #expect(
            try coordinator.execute(
                "SELECT records, first_offset, last_offset FROM rejected_records_totals WHERE cause = 'undecodable'"
            ).rows == [["4", "100", "205"]]
        )
        #expect(
            try coordinator.execute(
                "SELECT shard_id, next_offset, cluster_id FROM consumer_progress_by_shard WHERE partition = 3 ORDER BY shard_id"
            ).rows == [["0", "42", "cluster-x"], ["1", "42", "cluster-x"]]
        )
        #expect(try coordinator.execute("SELECT requests FROM day_site WHERE site = 'day.example'").rows == [["8"]])
    }

    /// Lost bytes by cause (migration 5): the two recorded parts sum over shards, and deleted
    /// unread is the rest of each shard's total, never negative.
    @Test func fileAuditTotalsSplitLostBytesByCause() throws {
        let installed = try InstalledSchema.require()
        // shard 0: 100 lost, 30 replaced, 5 unfinished; shard 2: 50 lost, all unfinished; shard 1:
        // a hostile row whose parts exceed its total (clamped to 0 deleted unread).
        for (shardID, total, replaced, unfinished) in [(0, 100, 30, 5), (2, 50, 0, 50), (1, 10, 20, 0)] {
            try installed.shard(shardID).execute(
                """
                INSERT INTO edgelog.file_audit (shard_id, edge, source_file, lost_bytes, lost_bytes_replaced,
                    lost_bytes_unfinished)
                VALUES ($1::int, 'edge-causes', '/var/log/nginx/access.log', $2::bigint, $3::bigint, $4::bigint)
                """,
                parameters: [String(shardID), String(total), String(replaced), String(unfinished)]
            )
        }
        let rows = try installed.coordinator().execute(
            """
            SELECT lost_bytes, lost_bytes_replaced, lost_bytes_unfinished, lost_bytes_deleted_unread
            FROM file_audit_totals WHERE edge = 'edge-causes'
            """
        ).rows
        #expect(rows == [["160", "50", "55", "65"]])
        let columns = try installed.coordinatorAsAnalyst().execute(
            """
            SELECT column_name FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = 'file_audit_totals' ORDER BY ordinal_position
            """
        ).firstColumn
        #expect(columns == [
            "edge", "source_file", "shipped_lines", "lost_lines", "lost_bytes", "counted_lines", "stats_records",
            "folded_lines", "lost_bytes_replaced", "lost_bytes_unfinished", "lost_bytes_deleted_unread",
        ])
    }

    // MARK: - The analysts' role

    @Test func analystReadsButCannotWrite() throws {
        let installed = try InstalledSchema.require()
        let analyst = try installed.coordinatorAsAnalyst()
        _ = try analyst.execute("SELECT count(*) FROM minute_site")
        _ = try analyst.execute("SELECT count(*) FROM hour_site")
        _ = try analyst.execute("SELECT count(*) FROM edgelog.site_minute")
        _ = try analyst.execute("SELECT count(*) FROM edgelog.latency_bucket")
        let insert = try #require(throws: PostgresError.self) {
            try analyst.execute(
                "INSERT INTO edgelog.site_minute (shard_id, bucket, site) VALUES (0, now(), $1)",
                parameters: ["analyst.example"]
            )
        }
        #expect(insert.sqlState == "42501")
        let define = try #require(throws: PostgresError.self) {
            try analyst.execute("SELECT edgelog.define_shard(9, NULL, NULL, NULL, NULL, NULL)")
        }
        #expect(define.sqlState == "42501")
        let mappings = try analyst.execute("SELECT count(*) FROM pg_user_mappings WHERE umoptions IS NOT NULL")
        #expect(mappings.firstColumn == ["0"], "the analyst must not read user mapping options (passwords)")
    }

    // MARK: - Aggregate pushdown

    /// PITFALLS "postgres_fdw coordinator": the views' inner GROUP BY includes shard_id, so with
    /// enable_partitionwise_aggregate (set on the database) and statistics (define_shard's
    /// ANALYZE, refreshed by re-running the installer) each shard computes its own sums.
    @Test func dayQueryPushesTheAggregateToEveryShard() throws {
        let installed = try InstalledSchema.require()
        // A realistic day: every minute for three sites on every shard.
        for shardID in 0..<3 {
            let shard = try installed.shard(shardID)
            try shard.execute("SELECT edgelog.ensure_minute_partition($1::date)", parameters: ["2031-03-04"])
            try shard.execute(
                """
                INSERT INTO edgelog.site_minute (shard_id, bucket, site, requests)
                SELECT $1::int, $2::timestamptz + minute * interval '1 minute', site, 1
                FROM generate_series(0, 1439) AS minute, unnest($3::text[]) AS site
                """,
                parameters: [String(shardID), "2031-03-04 00:00:00+00", "{pd-a.example,pd-b.example,pd-c.example}"]
            )
            try shard.execute("ANALYZE edgelog.site_minute")
        }
        // Re-running the installer re-analyzes the coordinator's foreign tables.
        _ = try SchemaInstaller().install(shards: installed.shardConninfos, coordinator: installed.coordinatorConninfo)

        let coordinator = try installed.coordinator()
        #expect(try coordinator.execute("SHOW enable_partitionwise_aggregate").firstColumn == ["on"])
        let plan = try coordinator.execute(
            """
            EXPLAIN (VERBOSE, COSTS OFF)
            SELECT site, sum(requests) FROM minute_site
            WHERE bucket >= '2031-03-04 00:00:00+00' AND bucket < '2031-03-05 00:00:00+00'
            GROUP BY site
            """
        ).firstColumn.compactMap { $0 }
        let text = plan.joined(separator: "\n")
        let asyncScans = plan.filter { $0.contains("Async Foreign Scan") }
        let remoteAggregates = plan.filter { $0.contains("Remote SQL:") && $0.contains("GROUP BY") }
        #expect(asyncScans.count == 3, "\(text)")
        #expect(remoteAggregates.count == 3, "\(text)")
        #expect(remoteAggregates.allSatisfy { $0.contains("sum(requests)") }, "\(text)")

        let sums = try coordinator.execute(
            """
            SELECT site, sum(requests) FROM minute_site
            WHERE bucket >= $1::timestamptz AND bucket < $2::timestamptz GROUP BY site ORDER BY site
            """,
            parameters: ["2031-03-04 00:00:00+00", "2031-03-05 00:00:00+00"]
        )
        #expect(sums.rows == [["pd-a.example", "4320"], ["pd-b.example", "4320"], ["pd-c.example", "4320"]])

        // hll is among the servers' extensions, so its aggregate runs on the shards too.
        let hllPlan = try coordinator.execute(
            """
            EXPLAIN (VERBOSE, COSTS OFF)
            SELECT site, hll_union_agg(unique_ips_hll) FROM minute_site
            WHERE bucket >= '2031-03-04 00:00:00+00' AND bucket < '2031-03-05 00:00:00+00'
            GROUP BY site
            """
        ).firstColumn.compactMap { $0 }
        let hllRemote = hllPlan.filter { $0.contains("Remote SQL:") && $0.contains("hll_union_agg") }
        #expect(hllRemote.count == 3, "\(hllPlan.joined(separator: "\n"))")
    }

    // MARK: - Partition functions

    @Test func minutePartitionsAreDailyInUTCAndDroppedByCutoff() async throws {
        let installed = try InstalledSchema.require()
        try await installed.clusterA.createDatabase("edgelog_partitions")
        _ = try SchemaInstaller().install(shards: [installed.clusterA.conninfo(database: "edgelog_partitions")], coordinator: nil)
        let shard = try installed.clusterA.connect(database: "edgelog_partitions")
        // The session's time zone must not move the bounds.
        try shard.execute("SET TimeZone = 'America/New_York'")
        for day in ["2029-12-30", "2029-12-31", "2030-01-01", "2030-01-01", "2030-01-02"] {
            try shard.execute("SELECT edgelog.ensure_minute_partition($1::date)", parameters: [day])
        }
        try shard.execute("SET TimeZone = 'UTC'")
        let bounds = """
            SELECT c.relname, pg_get_expr(c.relpartbound, c.oid)
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'edgelog.site_minute'::regclass ORDER BY c.relname
            """
        #expect(
            try shard.execute(bounds).rows == [
                [
                    "site_minute_p20291230",
                    "FOR VALUES FROM ('2029-12-30 00:00:00+00') TO ('2029-12-31 00:00:00+00')",
                ],
                [
                    "site_minute_p20291231",
                    "FOR VALUES FROM ('2029-12-31 00:00:00+00') TO ('2030-01-01 00:00:00+00')",
                ],
                [
                    "site_minute_p20300101",
                    "FOR VALUES FROM ('2030-01-01 00:00:00+00') TO ('2030-01-02 00:00:00+00')",
                ],
                [
                    "site_minute_p20300102",
                    "FOR VALUES FROM ('2030-01-02 00:00:00+00') TO ('2030-01-03 00:00:00+00')",
                ],
            ]
        )
        try shard.execute(
            "INSERT INTO edgelog.site_minute (shard_id, bucket, site, requests) VALUES (0, $1::timestamptz, 'kept.example', 1)",
            parameters: ["2030-01-01 00:00:00+00"]
        )
        try shard.execute("SET TimeZone = 'Asia/Tokyo'")
        let dropped = try shard.execute("SELECT edgelog.drop_minute_partitions_before($1::date)", parameters: ["2030-01-01"])
        #expect(dropped.firstColumn == ["2"])
        #expect(
            try shard.execute(bounds).firstColumn == ["site_minute_p20300101", "site_minute_p20300102"]
        )
        #expect(try shard.execute("SELECT count(*) FROM edgelog.site_minute").firstColumn == ["1"])
        let again = try shard.execute("SELECT edgelog.drop_minute_partitions_before($1::date)", parameters: ["2030-01-01"])
        #expect(again.firstColumn == ["0"])
    }
}
