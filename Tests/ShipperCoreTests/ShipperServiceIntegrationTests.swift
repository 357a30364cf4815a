import AccessRecord
import Foundation
import KafkaClient
import PipelineTestSupport
import Testing
import TrafficGenerator

/// The `edgelog-shipper` process against the real `edgelog-broker` process over TCP: what goes
/// into the files comes out of the broker, read back with our own Kafka client and decoded.
/// Expected values come from the traffic generator's own record of what it wrote, and from
/// the test's own line bookkeeping — never from the shipper.
@Suite(.serialized, .integration)
struct ShipperServiceIntegrationTests {
    static let topic = "edgelog.requests"

    /// N generated lines (1 % of them not in the format at all) in, N records out: same fields
    /// as generated, key = site on Kafka's default partition, and within each partition the
    /// file's order.
    @Test func generatedLinesArriveOnceWithTheirFieldsInFileOrderPerPartition() async throws {
        let count = 12_000
        var profile = TrafficProfile()
        profile.seed = 606
        profile.brokenLineShare = 0.01
        var generator = try TrafficGenerator(profile: profile, format: "edge")
        var bytes: [UInt8] = []
        var lines: [Int64: (request: GeneratedRequest?, text: [UInt8])] = [:]
        for _ in 0..<count {
            let start = bytes.count
            let request = generator.appendLine(to: &bytes)
            lines[Int64(start)] = (request, Array(bytes[start..<(bytes.count - 1)]))
        }
        #expect(generator.groundTruth().lines == count)
        let directory = try TestLog.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/access.log"
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let broker = try BrokerProcess(partitions: 4)
        defer { broker.remove() }
        try await broker.start()
        let shipper = ShipperProcess(
            broker: broker.bootstrap,
            arguments: ["--files", "\(path):edge", "--batch-bytes", "64KiB", "--linger", "20ms"]
        )
        defer { shipper.remove() }
        try await shipper.start()
        _ = try await shipper.waitForMetrics(timeout: .seconds(180), "\(count) records acknowledged") {
            $0["edgelog_shipper_records_acknowledged_total"] == Double(count)
        }
        let contents = try await TopicContents.read(bootstrap: broker.bootstrap, topic: Self.topic)

        #expect(contents.entries.count == count)
        let offsets = contents.entries.map { Int64($0.record.fileOffset) }
        #expect(Set(offsets) == Set(lines.keys), "every line exactly once, by its file offset")
        #expect(Set(offsets).count == offsets.count, "no line twice")
        var mismatches: [String] = []
        for partition in Set(contents.entries.map(\.partition)) {
            let inPartition = contents.entries.filter { $0.partition == partition }.sorted { $0.offset < $1.offset }
            let fileOrder = inPartition.map(\.record.fileOffset)
            #expect(fileOrder == fileOrder.sorted(), "partition \(partition) holds its lines in file order")
        }
        for entry in contents.entries {
            let record = entry.record
            guard let line = lines[Int64(record.fileOffset)] else { continue }
            #expect(record.edge == "test-edge")
            #expect(record.sourceFile == path)
            guard let request = line.request else {
                if !record.parseError || record.rawLine != line.text {
                    mismatches.append("offset \(record.fileOffset): broken line not shipped raw and flagged")
                }
                continue
            }
            // `$time_local` has whole seconds.
            let seconds = request.timeMs / 1000
            let expectedPartition = Partitioner.partition(forKey: Array(request.site.utf8), partitionCount: 4)
            let fields: KeyValuePairs<String, Bool> = [
                "parsed": !record.parseError, "time": record.timeUs == seconds * 1_000_000,
                "status": record.status == UInt16(request.status),
                "body bytes": record.bodyBytesSent == UInt64(request.bodyBytes),
                "request length": record.requestLength == UInt64(request.requestLength),
                "site": record.site == request.site, "key": entry.key == Array(request.site.utf8),
                "timestamp": entry.timestamp == seconds * 1000, "partition": entry.partition == expectedPartition,
                // Junk request lines have no method in the generator's eyes, yet `GET /a b HTTP/1.1`
                // starts with one (nginx's own split): only real requests are compared.
                "method": request.method == nil || record.method == AccessRecord.Method(name: request.method),
            ]
            let wrong = fields.filter { !$0.value }.map(\.key)
            if !wrong.isEmpty {
                mismatches.append("offset \(record.fileOffset): \(wrong)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) records differ: \(mismatches.prefix(3))")
        #expect(contents.batches.allSatisfy { $0.producerID >= 0 && $0.baseSequence >= 0 }, "idempotent batches")
        #expect(try await shipper.terminate() == .exited(0), "\(shipper.logs())")
    }

    /// Rename rotation while the old file is still written to, copytruncate, a file that
    /// appears after the start, a line completed only later, and a `combined` file labelled
    /// with its site: every complete line arrives exactly once.
    @Test func everyCompleteLineArrivesOnceAcrossRotationTruncationAndLateFiles() async throws {
        let directory = try TestLog.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let access = "\(directory)/access.log"
        let copied = "\(directory)/ct.log"
        let partial = "\(directory)/partial.log"
        let labelled = "\(directory)/labelled.log"
        var expected: [String] = []
        func write(_ tag: String, _ range: Range<Int>, to path: String, host: String? = "a.example") throws {
            let (text, paths) = TestLog.lines(tag: tag, range, host: host)
            try TestLog.append(text, to: path)
            expected += paths
        }
        try write("access", 0..<100, to: access)
        try write("ct", 0..<100, to: copied)
        try write("partial", 0..<50, to: partial)
        let unfinished = TestLog.line(tag: "partial", 50, host: "a.example")
        let half = unfinished.index(unfinished.startIndex, offsetBy: unfinished.count / 2)
        try TestLog.append(String(unfinished[..<half]), to: partial)
        try write("labelled", 0..<100, to: labelled, host: nil)

        let broker = try BrokerProcess(partitions: 3)
        defer { broker.remove() }
        try await broker.start()
        let files = [
            "\(access)*:edge", "\(copied):edge", "\(directory)/new-*.log:edge", "\(partial):edge",
            "\(labelled):combined@label.example",
        ]
        let shipper = ShipperProcess(
            broker: broker.bootstrap,
            arguments: [
                "--files", files.joined(separator: ","), "--poll-interval", "50ms", "--drain-idle", "500ms",
                "--linger", "10ms", "--batch-bytes", "16KiB",
            ]
        )
        defer { shipper.remove() }
        try await shipper.start()
        _ = try await shipper.waitForMetrics(timeout: .seconds(60), "first lines read") {
            $0["edgelog_shipper_lines_read_total"] == 350
        }

        // Rename rotation: nginx keeps writing to the renamed file until it reopens its logs.
        try write("access", 100..<200, to: access)
        try TestLog.rename(access, "\(access).1")
        try write("access", 200..<250, to: "\(access).1")
        try write("access", 250..<350, to: access)
        try write("access", 350..<370, to: "\(access).1")
        // copytruncate, once everything in the file was read (what it copies is not tailed).
        _ = try await shipper.waitForMetrics(timeout: .seconds(60), "access lines read") {
            $0["edgelog_shipper_lines_read_total"] == Double(expected.count)
        }
        try FileManager.default.copyItem(atPath: copied, toPath: "\(copied).1")
        try TestLog.truncate(copied)
        try write("ct", 100..<200, to: copied)
        // A file that appears after the start.
        try write("new", 0..<100, to: "\(directory)/new-1.log")
        // The unfinished line is completed, more follow.
        try TestLog.append(String(unfinished[half...]), to: partial)
        expected.append("/t/partial/50")
        try write("partial", 51..<60, to: partial)
        try write("labelled", 100..<120, to: labelled, host: nil)

        let total = Double(expected.count)
        let metrics = try await shipper.waitForMetrics(timeout: .seconds(120), "\(expected.count) records acknowledged")
        {
            $0["edgelog_shipper_records_acknowledged_total"] == total
        }
        let contents = try await TopicContents.read(bootstrap: broker.bootstrap, topic: Self.topic)
        let shipped = contents.entries.map(\.record.path)
        #expect(shipped.count == expected.count)
        #expect(Set(shipped) == Set(expected), "missing: \(Set(expected).subtracting(shipped).sorted().prefix(5))")
        #expect(Set(shipped).count == shipped.count, "no line twice")
        #expect(contents.entries.allSatisfy { !$0.record.parseError }, "no line shipped half")
        let labelledSites = Set(contents.entries.filter { $0.record.path.hasPrefix("/t/labelled/") }.map(\.record.site))
        #expect(labelledSites == ["label.example"])
        #expect(metrics.total("edgelog_shipper_lost_bytes_total") == 0)
        #expect(try await shipper.terminate() == .exited(0), "\(shipper.logs())")
    }
}

extension AccessRecord.Method {
    /// The schema's method for a method name as the generator wrote it (`nil`: junk request line).
    init(name: String?) {
        switch name {
        case "GET": self = .get
        case "HEAD": self = .head
        case "POST": self = .post
        case "PUT": self = .put
        case "DELETE": self = .delete
        case "OPTIONS": self = .options
        case "PATCH": self = .patch
        case "CONNECT": self = .connect
        case "TRACE": self = .trace
        default: self = .other
        }
    }
}

/// The shipper's control records (schema `kind = fileStats`), read back from the broker.
@Suite(.serialized, .integration)
struct ShipperFileStatsIntegrationTests {
    /// One control record per checkpoint group and one at the end of the file: their ranges
    /// tile the file, their shipped counts add up to the file's lines, and the unfinished last
    /// line of a rotated file is reported as lost bytes.
    @Test func controlRecordsCountEveryLineAndTheUnfinishedTail() async throws {
        let directory = try TestLog.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/access.log"
        let (text, paths) = TestLog.lines(tag: "stats", 0..<2000, host: "s.example")
        let tail = "10.0.0.1 - - [28/Nov/2026:12:00:00 +0000] \"GET /never-finished"
        try TestLog.append(text + tail, to: path)
        let broker = try BrokerProcess(partitions: 3)
        defer { broker.remove() }
        try await broker.start()
        let shipper = ShipperProcess(
            broker: broker.bootstrap,
            arguments: [
                // The exact path: once renamed, the old file is no source's any more and ends.
                "--files", "\(path):edge", "--batch-bytes", "16KiB", "--poll-interval", "50ms",
                "--drain-idle", "300ms",
            ]
        )
        defer { shipper.remove() }
        try await shipper.start()
        _ = try await shipper.waitForMetrics(timeout: .seconds(60), "all lines acknowledged") {
            $0["edgelog_shipper_records_acknowledged_total"] == Double(paths.count)
        }
        // Rotate: the old file (with its unfinished line) ends; a new one takes the name.
        try TestLog.rename(path, "\(path).1")
        try TestLog.append(TestLog.line(tag: "next", 0, host: "s.example"), to: path)
        let metrics = try await shipper.waitForMetrics(timeout: .seconds(60), "rotated file finished") {
            $0["edgelog_shipper_lost_bytes_total{cause=\"unfinished_line\"}"] == Double(tail.utf8.count)
                && ($0["edgelog_shipper_control_records_acknowledged_total"] ?? 0) > 0
                && $0["edgelog_shipper_files"] == 1
        }
        #expect(metrics["edgelog_shipper_losses_total{cause=\"unfinished_line\"}"] == 1)
        let contents = try await TopicContents.read(bootstrap: broker.bootstrap, topic: "edgelog.requests")
        // The renamed file's control records (the new file's one line is in a group still open:
        // no control record of it yet) and its lines.
        let stats = contents.fileStats.map(\.record).filter { $0.sourceFile == path }
            .sorted { $0.fileOffset < $1.fileOffset }
        let fileSize = UInt64(text.utf8.count)

        #expect(stats.count > 2, "several groups of 16 KiB in a \(fileSize)-byte file")
        #expect(stats.first?.fileOffset == 0)
        #expect(zip(stats, stats.dropFirst()).allSatisfy { $0.endOffset == $1.fileOffset }, "ranges tile the file")
        #expect(stats.last?.endOffset == fileSize, "up to the last complete line")
        #expect(stats.reduce(0) { $0 + $1.shippedLines } == UInt64(paths.count))
        #expect(stats.reduce(0) { $0 + $1.lostBytes } == UInt64(tail.utf8.count))
        // All of it under the metric's cause: the total's unfinished-line part.
        #expect(stats.reduce(0) { $0 + $1.lostBytesUnfinished } == UInt64(tail.utf8.count))
        #expect(stats.allSatisfy { $0.lostBytesReplaced == 0 && $0.lostBytesDeletedUnread == 0 })
        #expect(stats.allSatisfy { $0.edge == "test-edge" && $0.lostLines == 0 })
        // Each range's count is the number of lines that really start in it.
        let lineStarts = contents.entries.filter { $0.record.path.hasPrefix("/t/stats/") }.map(\.record.fileOffset)
        for record in stats where record.shippedLines > 0 {
            let inRange = lineStarts.filter { $0 >= record.fileOffset && $0 < record.endOffset }.count
            #expect(UInt64(inRange) == record.shippedLines, "range \(record.fileOffset)..<\(record.endOffset)")
        }
        #expect(try await shipper.terminate() == .exited(0), "\(shipper.logs())")
    }
}

/// `--start-at end` and restarts from checkpoints.
@Suite(.serialized, .integration)
struct ShipperStartPositionIntegrationTests {
    /// A file present at the very first start with `--start-at end` is shipped from its end;
    /// lines written while the shipper is stopped are shipped after the restart (the restart
    /// is no first start, and the checkpoint holds the file's place).
    @Test func startAtEndSkipsOldLinesAndARestartShipsWhatCameMeanwhile() async throws {
        let directory = try TestLog.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/access.log"
        try TestLog.append(TestLog.lines(tag: "before", 0..<100, host: "a.example").text, to: path)
        let broker = try BrokerProcess(partitions: 2)
        defer { broker.remove() }
        try await broker.start()
        let deduplication = BrokerDeduplication(try await broker.metrics())
        let shipper = ShipperProcess(
            broker: broker.bootstrap,
            arguments: ["--files", "\(path):edge", "--start-at", "end", "--poll-interval", "50ms"]
        )
        defer { shipper.remove() }
        try await shipper.start()
        let marker = "\(shipper.checkpointDirectory)/initialized"
        let deadline = ContinuousClock.now + .seconds(30)
        while !FileManager.default.fileExists(atPath: marker), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(FileManager.default.fileExists(atPath: marker), "first start marked initialized")
        let (after, afterPaths) = TestLog.lines(tag: "after", 0..<50, host: "a.example")
        try TestLog.append(after, to: path)
        _ = try await shipper.waitForMetrics(timeout: .seconds(60), "new lines acknowledged") {
            $0["edgelog_shipper_records_acknowledged_total"] == 50
        }
        #expect(try await shipper.terminate() == .exited(0))

        let (meanwhile, meanwhilePaths) = TestLog.lines(tag: "meanwhile", 0..<30, host: "a.example")
        try TestLog.append(meanwhile, to: path)
        try await shipper.start()
        let expected = Set(afterPaths + meanwhilePaths)
        var contents = try await TopicContents.read(bootstrap: broker.bootstrap, topic: "edgelog.requests")
        let end = ContinuousClock.now + .seconds(60)
        while !expected.isSubset(of: contents.entries.map(\.record.path)), ContinuousClock.now < end {
            try await Task.sleep(for: .milliseconds(100))
            contents = try await TopicContents.read(bootstrap: broker.bootstrap, topic: "edgelog.requests")
        }
        let shipped = contents.entries.map(\.record.path)
        #expect(
            Set(shipped) == expected,
            "missing \(expected.subtracting(shipped).sorted().prefix(3)), extra \(Set(shipped).subtracting(expected).sorted().prefix(3))"
        )
        // The restart re-sends the file's open checkpoint group under the same sequences
        // (checkpoints fall on group ends only); the broker's de-duplication drops the copies.
        let duplicates = shipped.count - Set(shipped).count
        #expect(deduplication.isAvailable, "the broker exposes no de-duplication counters")
        #expect(duplicates == 0, "\(duplicates) lines stored twice")
        #expect(try await shipper.terminate() == .exited(0), "\(shipper.logs())")
    }
}

/// DESIGN §10.3 / issue 13 hole 6: a second shipper on the same checkpoint directory refuses
/// to start with a clear message (before this, both ran and overwrote each other's checkpoints).
@Suite(.serialized, .integration)
struct ShipperCheckpointLockTests {
    @Test func aSecondShipperOnOneCheckpointDirectoryRefusesToStart() async throws {
        let broker = try BrokerProcess(partitions: 1)
        defer { broker.remove() }
        try await broker.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edgelog-lock-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = "\(directory)/access.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let first = ShipperProcess(broker: broker.bootstrap, arguments: ["--files", log], checkpointDirectory: "\(directory)/cp")
        defer { first.remove() }
        try await first.start()
        let second = ShipperProcess(broker: broker.bootstrap, arguments: ["--files", log], checkpointDirectory: "\(directory)/cp")
        defer { second.remove() }
        await #expect(throws: (any Error).self) { try await second.start() }
        let status = try await second.process?.waitForExit(timeout: .seconds(10))
        #expect(status != nil && status != .exited(0), "the second shipper exits non-zero")
        #expect(second.logs().contains("another shipper (pid"), "\(second.logs())")
        #expect(first.process?.isRunning == true, "the first one goes on")
        // The lock dies with its holder, kill -9 included.
        try await first.kill9()
        try await second.start()
        #expect(second.process?.isRunning == true)
    }
}
