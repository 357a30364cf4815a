import Foundation
import PipelineTestSupport
import PostgresSink

/// Known per-(minute, site) rows, top-talker rows, attack samples and audit rows, written into
/// the shards' tables with parameters. Every value the reports show is computed here from these
/// rows, independently of the coordinator's views.
struct TrafficFixture: Sendable {
    /// The fixture's hour: 2026-11-20T10:00:00Z ..< 11:00:00Z.
    static let start = Date(timeIntervalSince1970: 1_795_168_800)
    static let day = "2026-11-20"
    static let sites = ["alpha.example", "beta.example", "gamma.example", "evil\u{1B}[2J.example'; DROP TABLE x;--"]
    static let attackClasses = ["sqli", "xss", "traversal", "scanner"]
    static let cacheStatuses = ["hit", "miss", "expired", "stale", "updating", "revalidated", "bypass", "none"]
    /// Request times (ms) used, with their coarse and fine histogram columns.
    /// The site whose every request comes from a format without `$request_time`.
    static let untimedSite = sites[2]
    static let latencies: [(ms: Int64, coarse: String, fine: String)] = [
        (1, "latency_le_1ms", "latency_fine_le_1ms"), (3, "latency_le_5ms", "latency_fine_le_3ms"),
        (40, "latency_le_50ms", "latency_fine_le_47ms"), (200, "latency_le_250ms", "latency_fine_le_220ms"),
    ]

    struct Row: Sendable {
        var shard: Int
        var minute: Int
        var site: String
        var requests: Int64
        var bodyBytes: Int64
        var requestBytes: Int64
        /// 1xx, 2xx, 3xx, 4xx, 5xx, other.
        var statusClasses: [Int64]
        /// In `cacheStatuses` order.
        var cache: [Int64]
        var latency: Int
        /// Requests whose format logged no `$request_time` (nginx's `combined`): counted, but
        /// not in the latency histograms or the time sum. All of `untimedSite`'s, a fifth of
        /// every other row's.
        var untimed: Int64
        /// Requests in the histograms and the time sum.
        var timed: Int64 { requests - untimed }
        /// In `attackClasses` order.
        var attacks: [Int64]
        /// Client IPv4 addresses (as 32-bit numbers) seen in the row.
        var ips: [UInt32]

        var bucket: Date { TrafficFixture.start.addingTimeInterval(Double(minute) * 60) }
    }

    struct TopIP: Sendable {
        var shard: Int
        var minute: Int
        var site: String
        var ip: String
        var requests: Int64
        var attacks: [Int64]
    }

    struct Sample: Sendable {
        var shard: Int
        var minute: Int
        var site: String
        var attackClass: String
        var second: Int
        var ip: String
        var request: String
        var userAgent: String
    }

    var rows: [Row] = []
    var topIPs: [TopIP] = []
    var samples: [Sample] = []

    static func generate(seed: UInt64) -> TrafficFixture {
        var random = SplitMix64(seed: seed)
        var fixture = TrafficFixture()
        for minute in 0..<60 {
            for (siteIndex, site) in sites.enumerated() where Int.random(in: 0..<10, using: &random) < 7 {
                let shard = Int.random(in: 0...1, using: &random)
                // Sometimes the same (minute, site) on both shards, as after a re-shard.
                let shards = Int.random(in: 0..<10, using: &random) == 0 ? [shard, 1 - shard] : [shard]
                for shard in shards {
                    fixture.rows.append(randomRow(shard: shard, minute: minute, site: site, siteIndex: siteIndex, using: &random))
                }
            }
        }
        for row in fixture.rows where row.attacks.contains(where: { $0 > 0 }) {
            let ip = "203.0.113.\(Int.random(in: 1...5, using: &random))"
            fixture.topIPs.append(
                TopIP(shard: row.shard, minute: row.minute, site: row.site, ip: ip, requests: row.attacks.reduce(0, +) + 3,
                      attacks: row.attacks))
            for (index, name) in attackClasses.enumerated() where row.attacks[index] > 0 {
                fixture.samples.append(
                    Sample(
                        shard: row.shard, minute: row.minute, site: row.site, attackClass: name,
                        second: Int.random(in: 0..<60, using: &random), ip: ip,
                        request: Self.sampleRequest(name, minute: row.minute, shard: row.shard), userAgent: "probe/\(row.minute)"))
            }
        }
        return fixture
    }

    /// A sample's request line; the XSS ones carry live markup, as real ones do, so that every
    /// output (terminal, JSON, HTML page) must neutralize it.
    static func sampleRequest(_ attackClass: String, minute: Int, shard: Int) -> String {
        let payload = attackClass == "xss" ? "<script>alert(\"\(minute)\")</script>" : attackClass
        return "GET /x?q=\(payload)-\(minute)-\(shard)"
    }

    private static func randomRow(shard: Int, minute: Int, site: String, siteIndex: Int, using random: inout SplitMix64) -> Row {
        let requests = Int64.random(in: 1...200, using: &random)
        var statusClasses = Array(repeating: Int64(0), count: 6)
        var cache = Array(repeating: Int64(0), count: 8)
        for _ in 0..<requests {
            statusClasses[[1, 1, 1, 1, 1, 1, 2, 3, 4, 0, 5].randomElement(using: &random) ?? 1] += 1
            cache[Int.random(in: 0..<8, using: &random)] += 1
        }
        var attacks = Array(repeating: Int64(0), count: 4)
        if Int.random(in: 0..<4, using: &random) == 0 {
            for index in attacks.indices { attacks[index] = Int64.random(in: 0...3, using: &random) }
        }
        // 30 addresses per site, overlapping the next site's: 120 distinct at most (exact in hll).
        let ips = (0..<Int.random(in: 1...6, using: &random)).map { _ in
            UInt32(0x0A00_0000) + UInt32(siteIndex * 25 + Int.random(in: 0..<30, using: &random))
        }
        return Row(
            shard: shard, minute: minute, site: site, requests: requests,
            bodyBytes: requests * Int64.random(in: 100...50_000, using: &random),
            requestBytes: requests * Int64.random(in: 50...800, using: &random), statusClasses: statusClasses,
            cache: cache, latency: Int.random(in: 0..<latencies.count, using: &random),
            untimed: site == untimedSite ? requests : requests / 5, attacks: attacks, ips: ips)
    }

    /// Inserts everything into the shards (`connections[shard]`), with parameters only.
    func write(to connections: [PGConnection]) throws {
        for connection in connections {
            try connection.execute("SELECT edgelog.ensure_minute_partition($1::date)", parameters: [Self.day])
        }
        for row in rows {
            let latency = Self.latencies[row.latency]
            // Column names come from the fixed lists above, never from data.
            let columns = [
                "shard_id", "bucket", "site", "requests", "body_bytes", "request_bytes", "status_1xx", "status_2xx",
                "status_3xx", "status_4xx", "status_5xx", "status_other",
            ] + Self.cacheStatuses.map { "cache_\($0)" } + [
                "request_time_us_sum", latency.coarse, latency.fine,
            ] + Self.attackClasses.map { "attacks_\($0)" }
            var values: [String?] = [String(row.shard), ReportTime.text(row.bucket), row.site]
            values += [row.requests, row.bodyBytes, row.requestBytes].map { String($0) }
            values += row.statusClasses.map { String($0) } + row.cache.map { String($0) }
            values += [String(row.timed * latency.ms * 1000), String(row.timed), String(row.timed)]
            values += row.attacks.map { String($0) }
            let placeholders = (1...values.count).map { "$\($0)" }.joined(separator: ", ")
            let hexIPs = row.ips.map { String(format: "%08x", $0) }.joined(separator: ",")
            values.append(hexIPs)
            try connections[row.shard].execute(
                """
                INSERT INTO edgelog.site_minute (\(columns.joined(separator: ", ")), unique_ips)
                VALUES (\(placeholders), (SELECT hll_add_agg(hll_hash_bytea(decode(x, 'hex')))
                                         FROM unnest(string_to_array($\(values.count), ',')) AS x))
                """, parameters: values)
        }
        for top in topIPs {
            try connections[top.shard].execute(
                """
                INSERT INTO edgelog.top_ip_minute (shard_id, bucket, site, client_ip, requests, error,
                    attacks_sqli, attacks_xss, attacks_traversal, attacks_scanner)
                VALUES ($1, $2, $3, $4::inet, $5, 0, $6, $7, $8, $9)
                ON CONFLICT (bucket, site, client_ip, shard_id) DO UPDATE SET
                    requests = edgelog.top_ip_minute.requests + excluded.requests,
                    attacks_sqli = edgelog.top_ip_minute.attacks_sqli + excluded.attacks_sqli,
                    attacks_xss = edgelog.top_ip_minute.attacks_xss + excluded.attacks_xss,
                    attacks_traversal = edgelog.top_ip_minute.attacks_traversal + excluded.attacks_traversal,
                    attacks_scanner = edgelog.top_ip_minute.attacks_scanner + excluded.attacks_scanner
                """,
                parameters: [
                    String(top.shard), ReportTime.text(Self.start.addingTimeInterval(Double(top.minute) * 60)), top.site, top.ip,
                    String(top.requests),
                ] + top.attacks.map { String($0) })
        }
        for sample in samples {
            let bucket = Self.start.addingTimeInterval(Double(sample.minute) * 60)
            try connections[sample.shard].execute(
                """
                INSERT INTO edgelog.attack_sample_minute (shard_id, bucket, site, class, slot, time, client_ip, request, user_agent)
                VALUES ($1, $2, $3, $4, 0, $5, $6::inet, $7, $8)
                """,
                parameters: [
                    String(sample.shard), ReportTime.text(bucket), sample.site, sample.attackClass,
                    ReportTime.text(bucket.addingTimeInterval(Double(sample.second))), sample.ip, sample.request,
                    sample.userAgent,
                ])
        }
    }

    // MARK: - Ground truth

    func rows(in minutes: Range<Int> = 0..<60, site: String? = nil) -> [Row] {
        rows.filter { minutes.contains($0.minute) && (site == nil || $0.site == site) }
    }

    /// Sum of `value` per site over `rows`.
    static func perSite(_ rows: [Row], _ value: (Row) -> Int64) -> [String: Int64] {
        rows.reduce(into: [:]) { $0[$1.site, default: 0] += value($1) }
    }
}

enum ReportTime {
    static func text(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
