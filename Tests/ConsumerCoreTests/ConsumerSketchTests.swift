import AttackDetection
import Foundation
import PipelineTestSupport
import PostgresSink
import Testing
import TrafficGenerator

#if canImport(Glibc)
    import Glibc
#endif

/// Consumer II end to end with real processes (shipper -> broker -> consumer -> three shards ->
/// coordinator), each run with kill -9s of the consumer while a shard transaction is open:
/// unique IPs (hll), latency percentiles, top talkers, flood sources and the site cap, checked
/// against the generator's own values and against SQL the hll extension computes itself.
@Suite(.serialized, .integration)
struct ConsumerSketchTests {
    // MARK: - Unique IPs, percentiles, top talkers, floods

    @Test func sketchesMatchTheGroundTruthAcrossKillNines() async throws {
        let rig = try await PipelineRig()
        defer { rig.remove() }
        var profile = TrafficProfile()
        profile.seed = 15
        profile.requestsPerSecond = 400
        profile.siteCount = 12
        profile.clientCount = 20_000
        profile.heavyClients = 2
        profile.heavyPaths = 2
        profile.heavyHitterShare = 0.03
        profile.flood = true
        profile.floodShare = 0.2
        let log = "\(rig.directory)/access.log"
        let writer = try SteadyTrafficWriter(path: log, profile: profile)
        writer.keepsRequests = true
        let shipper = rig.makeShipper(files: "\(log):edge")
        defer { shipper.remove() }
        let consumer = rig.makeConsumer(["--commit-delay", "100ms", "--fetch-max-bytes", "64KiB"])
        defer { consumer.remove() }
        try await shipper.start()
        try await consumer.start()
        let kills = try await runWithKills(rig: rig, writer: writer, consumer: consumer, rounds: 2, linesPerRound: 15_000)
        try writer.append(lines: 10_000)
        try await rig.waitUntilConsumed(timeout: .seconds(120), logs: { consumer.logs() + shipper.logs() })
        #expect(kills.count == 2, "kills with a shard transaction open: \(kills)")

        try ConsumerPipelineTests.checkMinuteTotals(rig, writer.expected)
        let requests = writer.requests.filter { !$0.late }
        try checkUniqueIPs(rig, requests)
        try checkPercentiles(rig, requests)
        try checkTopTalkers(rig, requests, heavyClients: profile.heavyClients)
        try checkFloods(rig, requests)
        try checkAttacks(rig, requests)
        #expect(try await consumer.terminate() == .exited(0), "SIGTERM exits 0\n\(consumer.logs())")
    }

    /// Each (minute, site)'s stored hll is byte-identical to `hll_add_agg(hll_hash_bytea(ip))`
    /// over its IPs, computed by the extension; the union over everything estimates the exact
    /// distinct count within three standard errors.
    func checkUniqueIPs(_ rig: PipelineRig, _ requests: [GeneratedRequest]) throws {
        let coordinator = try rig.coordinator()
        try coordinator.execute("CREATE TEMP TABLE truth (bucket_epoch bigint, site text, ip bytea)")
        var rows: [[String?]] = []
        var distinct = Set<[UInt8]>()
        for request in requests {
            let bytes = try #require(Self.addressBytes(request.clientIP), "\(request.clientIP)")
            distinct.insert(bytes)
            rows.append(["\(request.minute)", request.site, "\\x" + bytes.map { String(format: "%02x", $0) }.joined()])
        }
        _ = try coordinator.copyIn("COPY truth (bucket_epoch, site, ip) FROM STDIN", rows: rows)
        let compared = try coordinator.execute(
            """
            SELECT count(*) FILTER (WHERE m.unique_ips_hll = e.h),
                   count(*) FILTER (WHERE m.unique_ips_hll IS DISTINCT FROM e.h),
                   count(*) FILTER (WHERE hll_type(e.h) = 4),
                   count(*) FILTER (WHERE hll_type(e.h) = 3)
            FROM (SELECT bucket_epoch, site, hll_add_agg(hll_hash_bytea(ip)) AS h FROM truth GROUP BY 1, 2) AS e
            LEFT JOIN minute_site AS m ON extract(epoch FROM m.bucket)::bigint = e.bucket_epoch AND m.site = e.site
            """
        ).rows
        let windows = Set(requests.map { "\($0.minute) \($0.site)" }).count
        #expect(compared.first?[0] == "\(windows)", "identical hll per (minute, site): \(compared)")
        #expect(compared.first?[1] == "0", "differing hll per (minute, site): \(compared)")
        // The data set reaches every representation (EXPLICIT, SPARSE and FULL).
        #expect((compared.first?[2].flatMap { Int($0) } ?? 0) > 0, "some FULL values: \(compared)")
        #expect((compared.first?[3].flatMap { Int($0) } ?? 0) > 0, "some SPARSE values: \(compared)")

        let estimate = try #require(
            try coordinator.execute("SELECT hll_cardinality(hll_union_agg(unique_ips_hll)) FROM minute_site").rows
                .first?.first?.flatMap { Double($0) })
        let exact = Double(distinct.count)
        let bound = 3 * 1.04 / sqrt(2048.0)
        #expect(abs(estimate - exact) / exact <= bound, "estimate \(estimate) vs exact \(exact)")
        let perMinute = try coordinator.execute(
            "SELECT sum(unique_ips) > 0 AND bool_and(unique_ips <= requests) FROM minute_site").rows
        #expect(perMinute == [["t"]], "unique_ips is there and never above requests")
    }

    /// p50/p95/p99 from the additive histogram are within 10 % of the exact values, per site.
    func checkPercentiles(_ rig: PipelineRig, _ requests: [GeneratedRequest]) throws {
        var times: [String: [Int]] = [:]
        for request in requests { times[request.site, default: []].append(request.requestTimeMs) }
        let rows = try rig.query("SELECT site, requests, p50_ms, p95_ms, p99_ms FROM latency_percentiles('-infinity', 'infinity')")
        var checked = 0
        for row in rows {
            guard let site = row[0], let sorted = times[site]?.sorted(), sorted.count >= 2_000 else { continue }
            #expect(row[1] == "\(sorted.count)", "\(site): histogram holds every request")
            for (index, q) in [0.5, 0.95, 0.99].enumerated() {
                let exact = Double(sorted[Int((q * Double(sorted.count)).rounded(.up)) - 1])
                let estimate = try #require(row[2 + index].flatMap { Double($0) })
                #expect(abs(estimate - exact) <= 0.1 * exact, "\(site) p\(Int(q * 100)): \(estimate) ms vs exact \(exact) ms")
            }
            checked += 1
        }
        #expect(checked >= 3, "sites with enough requests to check: \(checked)")
    }

    /// The stored attack counts per (minute, site, class) equal the detector run here over the
    /// generator's own request values (so each request was classified once, kill -9s or not);
    /// the generator's planted attacks are among them and its look-alikes are not; samples stay
    /// within 5 per (minute, site, class), each a request of its class.
    func checkAttacks(_ rig: PipelineRig, _ requests: [GeneratedRequest]) throws {
        let detector = AttackDetector()
        let names = ["sqli", "xss", "traversal", "scanner"]
        var expected: [String: [Int64]] = [:]
        var sampledLines: [String: Set<String>] = [:]
        var plantedFound = [Int](repeating: 0, count: 4)
        var planted = [Int](repeating: 0, count: 4)
        var flaggedLookalikes = 0
        for request in requests {
            guard let method = request.method else { continue }
            let path = String(decoding: request.path, as: UTF8.self)
            let query = request.query.map { String(decoding: $0, as: UTF8.self) } ?? ""
            let classes = detector.classify(
                method: method, path: path, query: query, userAgent: request.userAgent ?? "",
                referer: request.referer ?? "")
            if let attack = request.attack, let lane = names.firstIndex(of: attack.rawValue) {
                planted[lane] += 1
                if classes.rawValue & (1 << lane) != 0 { plantedFound[lane] += 1 }
            }
            if request.lookalike && !classes.isEmpty { flaggedLookalikes += 1 }
            guard !classes.isEmpty else { continue }
            let key = "\(request.minute)|\(request.site)"
            var counts = expected[key] ?? [0, 0, 0, 0]
            for lane in 0..<4 where classes.rawValue & (1 << lane) != 0 {
                counts[lane] += 1
                sampledLines[names[lane], default: []].insert(method + " " + path + (query.isEmpty ? "" : "?" + query))
            }
            expected[key] = counts
        }
        #expect(planted.allSatisfy { $0 >= 5 }, "planted attacks per class: \(planted)")
        #expect(plantedFound == planted, "planted attacks found per class: \(plantedFound) of \(planted)")
        #expect(flaggedLookalikes == 0, "look-alikes classified as attacks")

        var stored: [String: [Int64]] = [:]
        for row in try rig.query(
            """
            SELECT extract(epoch FROM bucket)::bigint, site, attacks_sqli, attacks_xss, attacks_traversal, attacks_scanner
            FROM minute_site WHERE attacks_sqli + attacks_xss + attacks_traversal + attacks_scanner > 0
            """)
        {
            stored["\(row[0] ?? "")|\(row[1] ?? "")"] = row[2...].map { Int64($0 ?? "") ?? -1 }
        }
        #expect(stored == expected, "attack counts per (minute, site)")

        let samples = try rig.query("SELECT bucket, site, class, request FROM minute_attack_sample")
        #expect(!samples.isEmpty)
        var perKey: [String: Int] = [:]
        for sample in samples {
            perKey["\(sample[0] ?? "")|\(sample[1] ?? "")|\(sample[2] ?? "")", default: 0] += 1
            #expect(sampledLines[sample[2] ?? ""]?.contains(sample[3] ?? "") == true, "sample \(sample)")
        }
        #expect(perKey.values.allSatisfy { $0 <= 5 }, "samples per (minute, site, class): \(perKey.values.max() ?? 0)")
    }

    /// Each planted heavy client and path is in its site's top 10 over the whole run, with the
    /// true count within the sketch's bounds: requests - error <= true <= requests + floor.
    func checkTopTalkers(_ rig: PipelineRig, _ requests: [GeneratedRequest], heavyClients: Int) throws {
        var clientCounts: [String: [String: Int]] = [:]
        var pathCounts: [String: [String: Int]] = [:]
        for request in requests {
            clientCounts[request.site, default: [:]][request.clientIP, default: 0] += 1
            pathCounts[request.site, default: [:]][String(decoding: request.path, as: UTF8.self), default: 0] += 1
        }
        let floors = Dictionary(
            uniqueKeysWithValues: try rig.query("SELECT site, sum(ip_floor), sum(path_floor) FROM minute_top_floor GROUP BY site")
                .compactMap { row -> (String, (Int, Int))? in
                    guard let site = row[0] else { return nil }
                    return (site, (row[1].flatMap { Int($0) } ?? 0, row[2].flatMap { Int($0) } ?? 0))
                })
        let heavy = (0..<heavyClients).map { "198.51.100.\(10 + $0)" }
        let hotPaths = ["/hot/item-0.html", "/hot/item-1.html"]
        var checked = 0
        for (site, counts) in clientCounts {
            let total = counts.values.reduce(0, +)
            guard total >= 3_000 else { continue }
            let top = try rig.query(
                "SELECT host(client_ip), requests, error FROM top_ips('-infinity', 'infinity', $1, 10)", [site])
            for ip in heavy {
                let truth = counts[ip] ?? 0
                let row = try #require(top.first { $0[0] == ip }, "\(site): \(ip) (\(truth) requests) not in the top 10: \(top)")
                let upper = try #require(row[1].flatMap { Int($0) })
                let lower = upper - (row[2].flatMap { Int($0) } ?? 0)
                let floor = floors[site]?.0 ?? 0
                #expect(lower <= truth && truth <= upper + floor, "\(site) \(ip): true \(truth), stored \(lower)...\(upper) + floor \(floor)")
            }
            let topPaths = try rig.query("SELECT path, requests, error FROM top_paths('-infinity', 'infinity', $1, 10)", [site])
            for path in hotPaths {
                let truth = pathCounts[site]?[path] ?? 0
                let row = try #require(topPaths.first { $0[0] == path }, "\(site): \(path) not in the top 10: \(topPaths)")
                let upper = try #require(row[1].flatMap { Int($0) })
                let lower = upper - (row[2].flatMap { Int($0) } ?? 0)
                let floor = floors[site]?.1 ?? 0
                #expect(lower <= truth && truth <= upper + floor, "\(site) \(path): true \(truth), stored \(lower)...\(upper) + floor \(floor)")
            }
            checked += 1
        }
        #expect(checked >= 2, "sites checked: \(checked)")
    }

    /// The flood view lists the planted flood source, on its site, and nobody else.
    func checkFloods(_ rig: PipelineRig, _ requests: [GeneratedRequest]) throws {
        let listed = try rig.query("SELECT DISTINCT host(client_ip), site FROM flood_sources")
        let floodSite = requests.first { $0.clientIP == "203.0.113.66" }?.site
        #expect(floodSite != nil)
        #expect(listed == [["203.0.113.66", floodSite]], "flood sources: \(listed)")
    }

    // MARK: - The site cap

    @Test func theCapKeepsExactlyItsSitesPerMinuteAcrossKillNines() async throws {
        let rig = try await PipelineRig()
        defer { rig.remove() }
        var profile = TrafficProfile()
        profile.seed = 16
        profile.requestsPerSecond = 600
        profile.siteCount = 1_000
        let log = "\(rig.directory)/access.log"
        let writer = try SteadyTrafficWriter(path: log, profile: profile)
        writer.keepsRequests = true
        let shipper = rig.makeShipper(files: "\(log):edge")
        defer { shipper.remove() }
        let consumer = rig.makeConsumer(["--site-cap", "100", "--commit-delay", "100ms", "--fetch-max-bytes", "64KiB"])
        defer { consumer.remove() }
        try await shipper.start()
        try await consumer.start()
        let kills = try await runWithKills(rig: rig, writer: writer, consumer: consumer, rounds: 2, linesPerRound: 20_000)
        try writer.append(lines: 10_000)
        try await rig.waitUntilConsumed(timeout: .seconds(120), logs: { consumer.logs() + shipper.logs() })
        #expect(kills.count == 2, "kills with a shard transaction open: \(kills)")

        let requests = writer.requests.filter { !$0.late }
        var sitesPerMinute: [Int64: Set<String>] = [:]
        var requestsPerMinute: [Int64: Int] = [:]
        var requestsPerRow: [String: Int] = [:]
        for request in requests {
            sitesPerMinute[request.minute, default: []].insert(request.site)
            requestsPerMinute[request.minute, default: 0] += 1
            requestsPerRow["\(request.minute) \(request.site)", default: 0] += 1
        }
        let stored = try rig.query("SELECT extract(epoch FROM bucket)::bigint, site, requests FROM minute_site ORDER BY 1, 2")
        var ownRows: [Int64: Int] = [:]
        var storedPerMinute: [Int64: Int] = [:]
        var otherRequests = 0
        for row in stored {
            guard let minute = row[0].flatMap({ Int64($0) }), let site = row[1], let count = row[2].flatMap({ Int($0) }) else {
                continue
            }
            storedPerMinute[minute, default: 0] += count
            if site == "(other)" {
                otherRequests += count
                continue
            }
            ownRows[minute, default: 0] += 1
            // An admitted site's row holds exactly its requests: nothing of it went to (other).
            #expect(requestsPerRow["\(minute) \(site)"] == count, "\(minute) \(site): stored \(count)")
        }
        for (minute, sites) in sitesPerMinute {
            #expect(ownRows[minute] == min(100, sites.count), "minute \(minute): \(ownRows[minute] ?? 0) own rows of \(sites.count) sites")
            #expect(storedPerMinute[minute] == requestsPerMinute[minute], "minute \(minute): totals")
        }
        #expect(sitesPerMinute.values.contains { $0.count > 100 }, "the cap was reached")
        let foldedRows = try rig.query("SELECT sum(folded_lines) FROM file_audit_totals")
        let folded = foldedRows.first?.first.flatMap { $0 }.flatMap { Int($0) }
        #expect(folded == otherRequests && otherRequests > 0, "audit folded_lines \(String(describing: folded)) vs (other) \(otherRequests)")
        #expect(try await consumer.terminate() == .exited(0), "SIGTERM exits 0\n\(consumer.logs())")
    }

    // MARK: - Helpers

    /// Appends `rounds` × `linesPerRound` lines, killing the consumer (-9) in each round while a
    /// shard transaction is open, after it committed a few flushes; returns where each kill landed.
    func runWithKills(
        rig: PipelineRig, writer: SteadyTrafficWriter, consumer: ConsumerProcess, rounds: Int, linesPerRound: Int
    ) async throws -> [String] {
        var landed: [String] = []
        for round in 0..<rounds {
            try writer.append(lines: linesPerRound)
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                let flushes = (try? await consumer.metrics().total("edgelog_consumer_flushes_total")) ?? 0
                if flushes >= 4 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            let open = try await ConsumerPipelineTests().waitForOpenTransaction(
                rig, timeout: .seconds(20), round: round, logs: consumer.logs)
            try await consumer.kill9()
            landed.append(open)
            try await consumer.start()
        }
        return landed
    }

    /// The 4 (IPv4) or 16 (IPv6) network-order bytes of an address as nginx prints it.
    static func addressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}
