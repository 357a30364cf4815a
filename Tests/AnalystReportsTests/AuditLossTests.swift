import EdgelogSchema
import Foundation
import PipelineTestSupport
import PostgresSink
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The issue's audit check, end to end with the real shipper, broker and consumer processes:
/// one loss of each kind and `edgelog audit --json` shows exactly those counts.
///
/// - **A file deleted unread**: the broker is stopped so the shipper stops reading at its memory
///   limit (which must leave room above the ~128 KiB of encoding buffers the shipper keeps
///   reserved, or it reads nothing at all); the file is deleted; after the shipper's grace for deleted files (30 s) its unread
///   bytes are lost (the control record carries them as `lostBytes`; lines never read cannot be
///   counted as lines).
/// - **Content replaced (copytruncate)**: with reading paused the same way, a file that grew
///   is truncated in place (no copy where the shipper looks) and a new line written; the bytes
///   it saw but had not read are lost as `content_replaced`.
/// - **An unfinished last line**: a file whose last bytes are not a whole line is rotated
///   (renamed, a new file at its name); when it ends, those bytes are lost as `unfinished_line`.
///
/// The audit's lost bytes per cause equal the shipper's `edgelog_shipper_lost_bytes_total{cause}`.
/// - **An over-long line**: longer than `--max-line-bytes`, cut inside the request, so it is
///   shipped flagged truncated and counted as `truncated` and (it no longer parses) `unparsed`.
/// - **A line beyond the lateness bound**: two hours older than the partition's watermark.
/// - **A site folded by the cap**: a third site in a minute with `--site-cap 2`.
///
/// One partition, so the consumer sees the lines in file order and which site folds is fixed.
@Suite(.serialized, .integration)
struct AuditLossTests {
    static let maxLineBytes = 1024

    /// One `edge`-format line (combined plus host, request time, cache status, request length).
    static func line(_ host: String, time: Date, path: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "dd/MMM/yyyy:HH:mm:ss Z"
        return "10.9.0.1 - - [\(formatter.string(from: time))] \"GET \(path) HTTP/1.1\" 200 512 \"-\" \"audit-test\" \(host) 0.004 HIT 120\n"
    }

    @Test func oneLossOfEachKindShowsInTheAudit() async throws {
        try await withPostgresCluster { cluster in
            let shardNames = ["audit_shard0", "audit_shard1"]
            for name in shardNames + ["audit_coordinator"] { try await cluster.createDatabase(name) }
            let shards = shardNames.map { cluster.conninfo(database: $0) }
            let coordinatorConninfo = cluster.conninfo(database: "audit_coordinator")
            _ = try await OffPool.run { try SchemaInstaller().install(shards: shards, coordinator: coordinatorConninfo) }

            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edgelog-audit-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let broker = try BrokerProcess(partitions: 1)
            defer { broker.remove() }
            try await broker.start()
            let consumer = ConsumerProcess(
                broker: broker.bootstrap, shards: shards,
                arguments: ConsumerProcess.quickFlags + ["--site-cap", "2", "--lateness", "1h"])
            defer { consumer.remove() }
            try await consumer.start()
            let shipper = ShipperProcess(
                broker: broker.bootstrap,
                arguments: [
                    "--files", "\(directory)/*.log:edge", "--batch-bytes", "16KiB", "--memory-limit", "384KiB", "--linger", "20ms",
                    "--poll-interval", "50ms", "--drain-idle", "300ms", "--max-line-bytes", "\(Self.maxLineBytes)",
                    "--reconnect-backoff-max", "500ms",
                ],
                checkpointDirectory: "\(directory)/checkpoints")
            defer { shipper.remove() }
            try await shipper.start()

            // 1. access.log: two admitted sites, a third one (folded), an over-long line, a late line.
            let now = Date()
            let minute = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 60).rounded(.down) * 60 - 60)
            var text = ""
            for number in 0..<20 { text += Self.line(number % 2 == 0 ? "a.example" : "b.example", time: minute, path: "/ok/\(number)") }
            text += Self.line("c.example", time: minute, path: "/folded")
            text += Self.line("a.example", time: minute, path: "/long/" + String(repeating: "x", count: 2 * Self.maxLineBytes))
            text += Self.line("a.example", time: minute.addingTimeInterval(-2 * 3600), path: "/late")
            let accessLog = "\(directory)/access.log"
            try Self.append(text, to: accessLog)
            let coordinator: @Sendable () throws -> PGConnection = { try cluster.connect(database: "audit_coordinator") }
            Self.auditDump = {
                let rows = try? coordinator().execute("SELECT * FROM file_audit_totals").rows
                return "\(rows ?? [])"
            }
            // Its request records are counted now; its shipped count comes with the control record
            // that closes its checkpoint group (step 3).
            try await Self.waitFor("access.log counted", logs: { shipper.logs() + consumer.logs() }) {
                let rows = try coordinator().execute(
                    "SELECT counted_lines FROM file_audit_totals WHERE source_file = $1", parameters: [accessLog])
                return rows.rows.first.map { $0[0] == "23" } ?? false
            }

            // 1b. rotated.log: whole lines and an unfinished last one, rotated by rename; a new
            // file takes its name, so the old one ends once idle, losing the unfinished line.
            // Both generations share the (edge, source_file) audit row of the path.
            let rotatedLog = "\(directory)/rotated.log"
            let rotatedLines = 5
            let unfinishedTail = "10.9.0.1 - - [unfinished"
            try Self.append(
                (0..<rotatedLines).map { Self.line("a.example", time: minute, path: "/rotated/\($0)") }.joined()
                    + unfinishedTail, to: rotatedLog)
            try await Self.waitFor("rotated.log counted", logs: { shipper.logs() + consumer.logs() }) {
                let rows = try coordinator().execute(
                    "SELECT counted_lines FROM file_audit_totals WHERE source_file = $1", parameters: [rotatedLog])
                return rows.rows.first.map { $0[0] == String(rotatedLines) } ?? false
            }
            try #require(rename(rotatedLog, "\(directory)/rotated.1") == 0)
            try Self.append(Self.line("a.example", time: minute, path: "/rotated/next"), to: rotatedLog)
            _ = try await shipper.waitForMetrics(timeout: .seconds(60), "the rotated file's unfinished line counted lost") {
                $0["edgelog_shipper_lost_bytes_total{cause=\"unfinished_line\"}"] == Double(unfinishedTail.utf8.count)
            }
            try await Self.waitFor("rotated.log's control record counted", logs: { shipper.logs() + consumer.logs() }) {
                let rows = try coordinator().execute(
                    """
                    SELECT shipped_lines, counted_lines, lost_bytes_unfinished FROM file_audit_totals
                    WHERE source_file = $1
                    """, parameters: [rotatedLog])
                return rows.rows.first.map {
                    $0 == [String(rotatedLines), String(rotatedLines + 1), String(unfinishedTail.utf8.count)]
                } ?? false
            }

            // 2. deleted.log: its first lines shipped (the file is open, with its producer id),
            // then the broker stops, many more lines are written, the shipper stops reading at its
            // memory limit, and the file is deleted before the rest was read.
            let deletedLog = "\(directory)/deleted.log"
            let lineLength = Int64(Self.line("a.example", time: minute, path: "/gone/000000").utf8.count)
            let deletedLines = 40_000
            let firstLines = 10
            func deletedText(_ range: Range<Int>) -> String {
                range.map { Self.line("a.example", time: minute, path: String(format: "/gone/%06ld", $0)) }.joined()
            }
            // 2b. replaced.log: the same way, its first lines shipped, then it grows while reading
            // is paused and is truncated in place with one new line written: copytruncate whose
            // copy is not where the shipper looks.
            let replacedLog = "\(directory)/replaced.log"
            let replacedLines = 3_000
            func replacedText(_ range: Range<Int>) -> String {
                range.map { Self.line("a.example", time: minute, path: String(format: "/swap/%06ld", $0)) }.joined()
            }
            try Self.append(deletedText(0..<firstLines), to: deletedLog)
            try Self.append(replacedText(0..<firstLines), to: replacedLog)
            try await Self.waitFor("deleted.log's and replaced.log's first lines counted", logs: { shipper.logs() + consumer.logs() }) {
                let rows = try coordinator().execute(
                    "SELECT counted_lines FROM file_audit_totals WHERE source_file = ANY($1::text[])",
                    parameters: ["{\(deletedLog),\(replacedLog)}"])
                return rows.rows.count == 2 && rows.rows.allSatisfy { $0[0] == String(firstLines) }
            }
            try await broker.terminate()
            try Self.append(deletedText(firstLines..<deletedLines), to: deletedLog)
            _ = try await shipper.waitForMetrics(timeout: .seconds(60), "reading paused at the memory limit") {
                $0["edgelog_shipper_reading_paused"] == 1
            }
            try Self.append(replacedText(firstLines..<replacedLines), to: replacedLog)
            // Let a poll see the grown size before the content goes (PITFALLS: settle first).
            try await Task.sleep(for: .milliseconds(500))
            try #require(truncate(replacedLog, 0) == 0)
            try Self.append(replacedText(replacedLines..<(replacedLines + 1)), to: replacedLog)
            try await Task.sleep(for: .milliseconds(500))
            try #require(unlink(deletedLog) == 0)
            let lost = try await shipper.waitForMetrics(timeout: .seconds(90), "the deleted file's unread bytes counted lost") {
                ($0["edgelog_shipper_lost_bytes_total{cause=\"deleted_unread\"}"] ?? 0) > 0
                    && ($0["edgelog_shipper_lost_bytes_total{cause=\"content_replaced\"}"] ?? 0) > 0
            }
            let lostBytes = Int64(lost["edgelog_shipper_lost_bytes_total{cause=\"deleted_unread\"}"] ?? 0)
            let replacedBytes = Int64(lost["edgelog_shipper_lost_bytes_total{cause=\"content_replaced\"}"] ?? 0)
            try await broker.start()
            try await Self.waitFor("deleted.log's control record counted", logs: { shipper.logs() + consumer.logs() }) {
                let rows = try coordinator().execute(
                    "SELECT shipped_lines, counted_lines, lost_bytes FROM file_audit_totals WHERE source_file = $1",
                    parameters: [deletedLog])
                guard let row = rows.rows.first, let shipped = row[0].flatMap({ Int64($0) }) else { return false }
                return row[1] == row[0] && row[2] == String(lostBytes) && shipped > 0
            }
            // The new generation's line is counted now; its shipped count comes with step 3.
            try await Self.waitFor("replaced.log's loss and new line counted", logs: { shipper.logs() + consumer.logs() }) {
                let rows = try coordinator().execute(
                    "SELECT counted_lines, lost_bytes_replaced FROM file_audit_totals WHERE source_file = $1",
                    parameters: [replacedLog])
                return rows.rows.first == [String(firstLines + 1), String(replacedBytes)]
            }
            // 3. access.log's (and replaced.log's new generation's) shipped count travels in the control record that closes its checkpoint
            // group: at 16 KiB of file (batch-bytes) or the file's end. A clean stop carries an open
            // group over in the checkpoint instead, so end the file: delete it, read to its end
            // (lost bytes 0: a file read completely and deleted loses nothing).
            try #require(unlink(accessLog) == 0)
            try #require(unlink(replacedLog) == 0)
            try await Self.waitFor("access.log's and replaced.log's control records counted", logs: { shipper.logs() + consumer.logs() }) {
                let rows = try coordinator().execute(
                    "SELECT source_file, shipped_lines FROM file_audit_totals WHERE source_file = ANY($1::text[]) ORDER BY 1",
                    parameters: ["{\(accessLog),\(replacedLog)}"])
                return rows.rows == [[accessLog, "23"], [replacedLog, String(firstLines + 1)]]
            }
            // Let a late resend show up before reading back (PITFALLS: read back when idle).
            try await Task.sleep(for: .seconds(1))
            let shipperMetrics = try await shipper.waitForMetrics(timeout: .seconds(10), "metrics") { _ in true }
            func metricLostBytes(_ cause: String) -> Int64 {
                Int64(shipperMetrics["edgelog_shipper_lost_bytes_total{cause=\"\(cause)\"}"] ?? 0)
            }

            // 4. The audit, as the analyst sees it.
            let output = try await EdgelogRun.run([
                "audit", "--json", "--last", "1h", "--coordinator",
                "host=127.0.0.1 port=\(cluster.port) user=edgelog_analyst dbname=audit_coordinator",
            ])
            try #require(output.status == 0, "\(output.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
            let totals = try #require(json["totals"] as? [String: Any])
            let files = try #require(json["rows"] as? [[String: Any]])
            let access = try #require(files.first { $0["sourceFile"] as? String == accessLog })
            let deleted = try #require(files.first { $0["sourceFile"] as? String == deletedLog })
            let rotated = try #require(files.first { $0["sourceFile"] as? String == rotatedLog })
            let replaced = try #require(files.first { $0["sourceFile"] as? String == replacedLog })

            // Deleted unread: the bytes of the lines never read, from the file's own layout.
            let shippedFromDeleted = deleted.int("shippedLines")
            #expect(shippedFromDeleted >= Int64(firstLines) && shippedFromDeleted < Int64(deletedLines), "not all read")
            #expect(deleted.int("lostBytes") == (Int64(deletedLines) - shippedFromDeleted) * lineLength)
            #expect(deleted.int("lostBytes") == lostBytes)
            #expect(deleted.int("lostBytesDeletedUnread") == lostBytes)
            #expect(deleted.int("lostBytesReplaced") == 0 && deleted.int("lostBytesUnfinished") == 0)
            // Content replaced: the old generation's lines never read (the new line was shipped).
            let shippedFromReplaced = replaced.int("shippedLines")
            #expect(shippedFromReplaced > Int64(firstLines) && shippedFromReplaced < Int64(replacedLines), "not all read")
            #expect(replaced.int("lostBytes") == (Int64(replacedLines) - (shippedFromReplaced - 1)) * lineLength)
            #expect(replaced.int("lostBytesReplaced") == replacedBytes && replaced.int("lostBytes") == replacedBytes)
            #expect(replaced.int("lostBytesDeletedUnread") == 0 && replaced.int("lostBytesUnfinished") == 0)
            #expect(replaced.int("countedLines") == shippedFromReplaced)
            // Unfinished last line: the rotated file's tail, under its own cause only.
            let tailBytes = Int64(unfinishedTail.utf8.count)
            #expect(rotated.int("lostBytes") == tailBytes && rotated.int("lostBytesUnfinished") == tailBytes)
            #expect(rotated.int("lostBytesDeletedUnread") == 0 && rotated.int("lostBytesReplaced") == 0)
            #expect(rotated.int("shippedLines") == Int64(rotatedLines))
            #expect(deleted.int("countedLines") == shippedFromDeleted && deleted.int("foldedLines") == 0)
            // Folded by the cap: c.example's one line, counted under (other).
            #expect(access.int("shippedLines") == 23 && access.int("countedLines") == 23 && access.int("foldedLines") == 1)
            #expect(access.int("lostBytes") == 0 && access.int("lostLines") == 0)
            #expect(access.int("lostBytesDeletedUnread") == 0 && access.int("lostBytesUnfinished") == 0)
            // Each kind exactly once, nothing else.
            #expect(totals.int("foldedLines") == 1)
            #expect(totals.int("truncated") == 1)
            #expect(totals.int("unparsed") == 1, "the cut line no longer parses")
            #expect(totals.int("rejectedLate") == 1)
            #expect(totals.int("lostLines") == 0)
            #expect(totals.int("lostBytes") == lostBytes + tailBytes + replacedBytes)
            // Per cause, exactly what the shipper's metric counted.
            #expect(totals.int("lostBytesDeletedUnread") == metricLostBytes("deleted_unread"))
            #expect(totals.int("lostBytesReplaced") == metricLostBytes("content_replaced"))
            #expect(totals.int("lostBytesUnfinished") == metricLostBytes("unfinished_line"))
            #expect(metricLostBytes("deleted_unread") == lostBytes && metricLostBytes("unfinished_line") == tailBytes)
            #expect(metricLostBytes("content_replaced") == replacedBytes)
            // The text report's three rows say the same.
            let textOutput = try await EdgelogRun.run([
                "audit", "--last", "1h", "--coordinator",
                "host=127.0.0.1 port=\(cluster.port) user=edgelog_analyst dbname=audit_coordinator",
            ])
            try #require(textOutput.status == 0, "\(textOutput.stderr)")
            let textLines = textOutput.stdout.split(separator: "\n").map(String.init)
            /// The count column of a cause row: the first number after the cause's name.
            func causeCount(_ cause: String) -> String? {
                guard let line = textLines.first(where: { $0.hasPrefix(cause + "  ") }) else { return nil }
                return line.dropFirst(cause.count).split(separator: " ").first.map { $0.filter(\.isNumber) }
            }
            #expect(causeCount("deleted unread") == String(lostBytes), "\(textOutput.stdout)")
            #expect(causeCount("content replaced (copytruncate)") == String(replacedBytes), "\(textOutput.stdout)")
            #expect(causeCount("unfinished last line") == String(tailBytes), "\(textOutput.stdout)")
            let rejected = try #require(totals["rejectedRecords"] as? [String: Any])
            #expect(rejected.values.compactMap { ($0 as? NSNumber)?.int64Value }.allSatisfy { $0 == 0 })
            let sites = try #require(json["sites"] as? [[String: Any]])
            #expect(sites.first { $0["site"] as? String == "a.example" }?.int("rejectedLate") == 1)
            // The other reports over what the real consumer wrote: every parsed, timely request is
            // a 200, a cache HIT, 512 body bytes, from 10.9.0.1; the folded line is in (other).
            let analyst = ["--last", "1h", "--coordinator", "host=127.0.0.1 port=\(cluster.port) user=edgelog_analyst dbname=audit_coordinator"]
            let requests = 20 + 1 + shippedFromDeleted + shippedFromReplaced + Int64(rotatedLines) + 1
            let top = try await EdgelogRun.json(["top"] + analyst)
            let topRows = try #require(top["rows"] as? [[String: Any]])
            let siteNames = Set(topRows.compactMap { $0["site"] as? String })
            #expect(siteNames == ["a.example", "b.example", "(other)", "(unknown)"], "\(siteNames)")
            #expect((top["totals"] as? [String: Any])?.int("requests") == requests)
            #expect((top["totals"] as? [String: Any])?.int("bodyBytes") == requests * 512)
            #expect(topRows.first { $0["site"] as? String == "(other)" }?.int("requests") == 1)
            #expect(topRows.first { $0["site"] as? String == "b.example" }?.int("requests") == 10)
            let cache = try await EdgelogRun.json(["cache"] + analyst)
            let cacheTotals = try #require(cache["totals"] as? [String: Any])
            #expect(cacheTotals.int("hit") == requests && cacheTotals.double("hitRatio") == 1.0)
            let status = try await EdgelogRun.json(["status"] + analyst)
            #expect((status["totals"] as? [String: Any])?.int("status2xx") == requests)
            let uniques = try await EdgelogRun.json(["uniques"] + analyst)
            #expect((uniques["totals"] as? [String: Any])?.int("uniqueIps") == 1)

            #expect(try await shipper.terminate() == .exited(0), "\(shipper.logs())")
            _ = try await consumer.terminate()
        }
    }

    /// What the coordinator's audit view holds, for failure messages (set by the test).
    nonisolated(unsafe) static var auditDump: (() -> String)?

    static func append(_ text: String, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        try #require(descriptor >= 0, "open \(path)")
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            try #require(count > 0, "write \(path)")
            written += count
        }
    }

    /// Polls `condition` (off the cooperative pool: it talks to PostgreSQL) until it holds.
    static func waitFor(
        _ what: String, timeout: Duration = .seconds(90), logs: () -> String, _ condition: @escaping @Sendable () throws -> Bool
    ) async throws {
        let auditDump = Self.auditDump
        let deadline = ContinuousClock.now + timeout
        var lastError = ""
        while ContinuousClock.now < deadline {
            do {
                if try await OffPool.run({ try condition() }) { return }
            } catch {
                lastError = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("timed out waiting for: \(what) \(lastError)\nfile_audit: \(auditDump?() ?? "")\n\(logs())")
        throw CancellationError()
    }
}
