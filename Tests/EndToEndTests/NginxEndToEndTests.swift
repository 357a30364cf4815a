import Foundation
import PipelineTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 17's first "Done when": Debian's nginx on loopback (a caching reverse proxy in front
/// of a small origin, several `server_name`s, the `edge` log format, `$time_local` in a
/// half-hour time zone) under a bounded load of normal and attack requests, rotated once with
/// `mv` + `nginx -s reopen` midway while the load goes on; the shipper tails nginx's own files;
/// at the end the coordinator's totals per (minute, site) equal an independent count of the
/// log files, the attack counts equal `edgelog detect` over the same lines, and the audit shows
/// no loss.
@Suite(.serialized, .integration)
struct NginxEndToEndTests {
    /// St John's is UTC-03:30 in winter, UTC-02:30 in summer: a sign and a half hour to get wrong.
    static let timeZone = "America/St_Johns"

    @Test func realNginxLogsAreCountedExactlyOnceAcrossRotation() async throws {
        let rig = try await EndToEndRig.start()
        defer { rig.remove() }
        // Clients over IPv6 too where the machine has ::1 (some containers do not).
        let configuration = EdgeProxyConfiguration(
            edgePort: try FreePort.next(), originPort: try FreePort.next(), ipv6: LoopbackProbe.hasIPv6Loopback)
        let nginx = try NginxProcess(timeZone: Self.timeZone) {
            _ in configuration.text(runningAsRoot: geteuid() == 0)
        }
        defer { nginx.remove() }
        try Self.prepare(prefix: nginx.prefix)
        try await nginx.checkConfiguration()
        try await nginx.start(listeningOn: [configuration.edgePort, configuration.originPort])

        let logs = "\(nginx.prefix)/\(EdgeProxyConfiguration.accessLog)"
        // As in production: one glob for the live file and its renamed generation.
        let shipper = rig.makeShipper(files: "\(logs)*:edge", extra: ["--drain-idle", "500ms"])
        defer { shipper.remove() }
        let consumer = rig.makeConsumer()
        defer { consumer.remove() }
        try await shipper.start()
        try await consumer.start()

        let plan = RequestPlan.requests(seed: 17, count: 1_200)
        let progress = LoadProgress()
        async let answered = Self.send(plan, port: configuration.edgePort, ipv6: configuration.ipv6, progress: progress)
        // logrotate's way, midway through the load and without pausing it: rename, then tell
        // nginx to reopen. Reopen only once nginx has written to the renamed file, so the
        // shipper must drain a file that grew after its rename (as under real load, where
        // workers reopen up to a second later).
        try await progress.waitUntilAnswered(plan.count / 2)
        try FileManager.default.moveItem(atPath: logs, toPath: logs + ".1")
        let bytesAtRename = try Self.size(of: logs + ".1")
        try await Self.waitUntil("nginx writes to the renamed file", timeout: .seconds(10)) {
            try Self.size(of: logs + ".1") > bytesAtRename
        }
        try await nginx.reopenLogs()
        #expect(try await answered == plan.count, "nginx answered every request")
        // Graceful quit: every request is logged and nginx writes nothing more.
        let quit = try await nginx.quit()
        #expect(quit == .exited(0), "\(nginx.logs())")

        var count = IndependentLogCount()
        var rotatedLines = 0
        for file in [logs + ".1", logs] {
            let before = count.lines
            try count.add(fileContents: try Data(contentsOf: URL(fileURLWithPath: file)))
            if file.hasSuffix(".1") { rotatedLines = count.lines - before }
        }
        try checkTheLoadIsWhatWasMeant(count, plan: plan, rotatedLines: rotatedLines)

        try await waitUntilCounted(rig, count, rotatedLines: rotatedLines) { shipper.logs() + consumer.logs() }
        try await checkAudit(rig)
        try await checkRollupsAndUniques(rig, count)
        try await checkAttacks(rig, files: [logs + ".1", logs], plan: plan)
        for (name, port) in [
            ("shipper", shipper.metricsPort), ("broker", rig.broker.metricsPort), ("consumer", consumer.metricsPort),
        ] {
            try await checkMetricsParse(name, port: port)
        }
        #expect(try await shipper.terminate() == .exited(0), "\(shipper.logs())")
        #expect(try await consumer.terminate() == .exited(0), "\(consumer.logs())")
    }

    /// A process's `/metrics`, as scraped, read by the Prometheus project's own Python parser
    /// (Debian's python3-prometheus-client), which rejects what Prometheus would reject; and it
    /// holds the process's own metric families, not an empty page.
    func checkMetricsParse(_ name: String, port: Int) async throws {
        let reply = try await OffPool.run { try LoopbackProbe.httpGet(port: port, path: "/metrics", timeout: .seconds(5)) }
        let parser = """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            families = [f.name for f in text_string_to_metric_families(sys.stdin.read())]
            print(len([f for f in families if f.startswith("edgelog_")]))
            """
        // Debian's interpreter: the one python3-prometheus-client is installed for (a pyenv or
        // venv python3 earlier on PATH would not see it).
        let result = try await ExternalTool.run("/usr/bin/python3", ["-c", parser], stdin: Data(reply.body))
        #expect(result.status == 0, "\(name) /metrics does not parse: \(result.stderrText.suffix(1500))")
        let families = Int(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(families >= 3, "\(name) /metrics: \(families) edgelog_ families")
    }

    // MARK: - Setting up

    /// The directories nginx does not create itself, and the origin's static files. Modes are
    /// explicit (whatever the umask): nginx's workers run as `nobody` when the test is root.
    static func prepare(prefix: String) throws {
        let files = FileManager.default
        for directory in ["logs", "temp", "origin", "origin/static"] {
            try files.createDirectory(
                atPath: "\(prefix)/\(directory)", withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        }
        for (index, size) in RequestPlan.staticFileSizes.enumerated() {
            let body = Data((0..<size).map { UInt8(ascii: "a") &+ UInt8($0 % 26) })
            let path = "\(prefix)/origin/static/file-\(index).txt"
            guard files.createFile(atPath: path, contents: body, attributes: [.posixPermissions: 0o644]) else {
                throw NginxProcess.Failure(description: "cannot write the origin's file-\(index).txt")
            }
        }
    }

    /// Sends `requests` in two lanes at once (so two workers log concurrently and lines can
    /// land out of order), each request on its own connection, paced by a few milliseconds so
    /// the load spans several cache lifetimes. Returns how many nginx answered.
    /// With `ipv6`, every fifth request comes from `::1`.
    static func send(_ requests: [PlannedRequest], port: Int, ipv6: Bool, progress: LoadProgress) async throws -> Int {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for lane in 0..<2 {
                let mine = requests.enumerated().filter { $0.offset % 2 == lane }.map { ($0.element, ipv6 && $0.offset % 5 == 0) }
                group.addTask {
                    try await OffPool.run {
                        var replies = 0
                        for (request, overIPv6) in mine {
                            // Any answer counts (an HTTP/0.9 reply has no status line); a
                            // request nginx never answered throws.
                            let bytes = try LoopbackProbe.exchange(
                                port: port, request: request.bytes, ipv6: overIPv6, timeout: .seconds(5))
                            if !bytes.isEmpty { replies += 1 }
                            progress.answered.add(1, ordering: .relaxed)
                            usleep(8_000)
                        }
                        return replies
                    }
                }
            }
            return try await group.reduce(0, +)
        }
    }

    static func size(of path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    /// Polls `condition` every 5 ms; throws once `timeout` passed without it holding.
    static func waitUntil(_ what: String, timeout: Duration, _ condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try !condition() {
            guard ContinuousClock.now < deadline else { throw NginxProcess.Failure(description: "never: \(what)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    // MARK: - Checks

    /// The test's own premises, before anything of the product is looked at: nginx logged each
    /// request once, in the configured zone, with every cache status the setup is meant to
    /// produce, statuses from 2xx to 5xx, and lines on both sides of the rotation.
    func checkTheLoadIsWhatWasMeant(
        _ count: IndependentLogCount, plan: [PlannedRequest], rotatedLines: Int
    ) throws {
        #expect(count.lines == plan.count, "nginx logged every request once: \(count.lines) lines, \(plan.count) requests")
        #expect(count.utcOffsets.isSubset(of: ["-0330", "-0230"]) && !count.utcOffsets.isEmpty,
            "$time_local in \(Self.timeZone): \(count.utcOffsets)")
        for status in ["MISS", "HIT", "EXPIRED", "REVALIDATED", "BYPASS", "-"] {
            #expect(count.cacheStatusesSeen[status, default: 0] > 0, "\(status) logged: \(count.cacheStatusesSeen)")
        }
        for status in [200, 204, 301, 400, 403, 404, 414, 500, 503] {
            #expect(count.statusesSeen[status, default: 0] > 0, "status \(status) logged: \(count.statusesSeen)")
        }
        #expect(rotatedLines > 0 && rotatedLines < count.lines, "lines before and after the rotation: \(rotatedLines)")
        #expect(Set(count.rows.keys.map(\.site)).isSuperset(of: EdgeProxyConfiguration.defaultSites + EdgeProxyConfiguration.shopSites))
    }

    /// Polls the coordinator until `minute_site` equals the independent count, the consumer
    /// has read every partition to its end on every shard, and the audit has counted every
    /// line and closed the rotated file, all still true a second later (a late duplicate
    /// would show). Fails with the differences at the deadline.
    func waitUntilCounted(
        _ rig: EndToEndRig, _ count: IndependentLogCount, rotatedLines: Int, logs: () -> String
    ) async throws {
        let deadline = ContinuousClock.now + .seconds(45)
        var settledSince: ContinuousClock.Instant?
        var last = ""
        while true {
            let checked = ContinuousClock.now
            let differences = count.differences(from: try await rig.query(IndependentLogCount.selectSQL))
            let (consumed, progress) = try await rig.isFullyConsumed()
            let audit = try await rig.query(
                "SELECT coalesce(sum(counted_lines), 0)::bigint, coalesce(sum(shipped_lines), 0)::bigint FROM file_audit_totals")
            let counted = audit.first?[0].flatMap { Int($0) } ?? -1
            let shipped = audit.first?[1].flatMap { Int($0) } ?? -1
            last = """
                \(differences.count) (minute, site) rows differ:
                \(differences.prefix(12).joined(separator: "\n"))
                \(progress); audit counted \(counted) of \(count.lines) lines, shipped \(shipped) (rotated file: \(rotatedLines))
                """
            if differences.isEmpty && consumed && counted == count.lines && shipped >= rotatedLines {
                if let since = settledSince, checked - since >= .seconds(1) { return }
                if settledSince == nil { settledSince = checked }
            } else {
                settledSince = nil
            }
            guard checked < deadline else { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("the coordinator never matched the logs:\n\(last)\n\(logs())")
        throw NginxProcess.Failure(description: "not counted")
    }

    /// Zero losses of every kind the product counts.
    func checkAudit(_ rig: EndToEndRig) async throws {
        let files = try await rig.query(
            "SELECT edge, source_file, shipped_lines, counted_lines, lost_lines, lost_bytes, folded_lines FROM file_audit_totals ORDER BY 2")
        #expect(!files.isEmpty)
        for row in files {
            #expect(row[0] == "test-edge", "edge name: \(row)")
            #expect(row[4] == "0" && row[5] == "0" && row[6] == "0", "no lost or folded lines: \(files)")
            #expect((Int(row[2] ?? "") ?? .max) <= (Int(row[3] ?? "") ?? -1), "shipped <= counted: \(files)")
        }
        let rejected = try await rig.query("SELECT partition, cause, records FROM rejected_records_totals")
        #expect(rejected.isEmpty, "no rejected records: \(rejected)")
        let flagged = try await rig.query(
            "SELECT sum(unparsed)::bigint, sum(truncated)::bigint, sum(rejected_late)::bigint FROM minute_site")
        #expect(flagged == [["0", "0", "0"]], "no unparsed, truncated or late lines: \(flagged)")
    }

    /// The hour and day rollups hold the same totals as the minutes, and each (minute, site)'s
    /// unique client count is the number of distinct `$remote_addr`s in its lines (127.0.0.1,
    /// and ::1 where the machine has IPv6: the sketch is exact at that size).
    func checkRollupsAndUniques(_ rig: EndToEndRig, _ count: IndependentLogCount) async throws {
        let requests = count.rows.values.map { $0[0] }.reduce(0, +)
        let bytes = count.rows.values.map { $0[1] }.reduce(0, +)
        for view in ["hour_site", "day_site"] {
            let totals = try await rig.query("SELECT sum(requests)::bigint, sum(body_bytes)::bigint FROM \(view)")
            #expect(totals == [["\(requests)", "\(bytes)"]], "\(view): \(totals), logs: \(requests) requests, \(bytes) bytes")
        }
        let stored = try await rig.query("SELECT extract(epoch FROM bucket)::bigint, site, unique_ips FROM minute_site")
        var uniques: [IndependentLogCount.Key: Int] = [:]
        for row in stored {
            guard let epoch = row[0].flatMap({ Int64($0) }), let site = row[1] else { continue }
            uniques[.init(minute: epoch, site: site)] = row[2].flatMap { Int($0) } ?? -1
        }
        let expected = count.clientAddresses.mapValues(\.count)
        #expect(uniques == expected, "unique_ips per (minute, site): stored \(uniques), logs \(expected)")
        if LoopbackProbe.hasIPv6Loopback {
            #expect(expected.values.contains(2), "clients over IPv4 and IPv6: \(count.clientAddresses)")
        }
    }

    /// The stored attack counts per (minute, site, class) equal `edgelog detect` run over the
    /// same log lines (so each line was classified once, by the consumer's detector), and the
    /// planted attacks of every class are found.
    func checkAttacks(_ rig: EndToEndRig, files: [String], plan: [PlannedRequest]) async throws {
        let classes = ["sqli", "xss", "traversal", "scanner"]
        var expected: [IndependentLogCount.Key: [Int64]] = [:]
        for file in files {
            let detected = try await ExternalTool.run(try BuiltExecutable.path(named: "edgelog"), ["detect", "--format", "edge", file])
            #expect(detected.status == 0, "\(detected.stderrText)")
            let lines = String(decoding: try Data(contentsOf: URL(fileURLWithPath: file)), as: UTF8.self)
                .split(separator: "\n").map(String.init)
            let answers = detected.stdoutText.split(separator: "\n")
            #expect(answers.count == lines.count, "one answer per line of \(file)")
            for (line, answer) in zip(lines, answers) {
                let object = try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any]
                let found = object?["classes"] as? [String] ?? []
                let key = try IndependentLogCount.parse(line).key
                var row = expected[key] ?? Array(repeating: 0, count: classes.count)
                for name in found { if let index = classes.firstIndex(of: name) { row[index] += 1 } }
                expected[key] = row
            }
        }
        let stored = try await rig.query(
            "SELECT extract(epoch FROM bucket)::bigint, site, \(classes.map { "attacks_\($0)" }.joined(separator: ", ")) FROM minute_site")
        var seen: [IndependentLogCount.Key: [Int64]] = [:]
        for row in stored {
            guard let epoch = row[0].flatMap({ Int64($0) }), let site = row[1] else { continue }
            seen[.init(minute: epoch, site: site)] = row.dropFirst(2).map { $0.flatMap { Int64($0) } ?? -1 }
        }
        let differing = expected.filter { seen[$0.key] != $0.value }
        #expect(differing.isEmpty, "attacks per (minute, site) differ from edgelog detect: \(differing.prefix(5)) stored \(differing.prefix(5).map { seen[$0.key] })")
        for (index, name) in classes.enumerated() {
            let total = expected.values.map { $0[index] }.reduce(0, +)
            let planted = plan.filter { $0.plantedAttack == name }.count
            #expect(planted > 0 && total >= Int64(planted), "\(name): \(total) detected, \(planted) planted")
        }
        let shopAttacks = seen.filter { EdgeProxyConfiguration.shopSites.contains($0.key.site) }.values.map { $0.reduce(0, +) }
        #expect(shopAttacks.reduce(0, +) > 0, "attacks counted on the attacked sites")
    }
}
