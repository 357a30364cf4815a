import Foundation
import PipelineTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 13 hole 5: logrotate's `copytruncate` with a glob (`access.log*`) that also matches the
/// copy (`access.log.1`). The copy is a new inode with the tracked file's first bytes: it must
/// be recognised as the copy and read only from where the original was read to, so the lines
/// written between the last read and the truncation are recovered from it, and nothing is
/// shipped twice. The truncated original goes on from 0 as a new generation.
///
/// Each test fails on the code before the fix: the copy was a new file to it, read from 0, so
/// every line read before the rotation was stored twice.
@Suite(.serialized, .integration)
struct ShipperCopytruncateTests {
    /// The shipper is stopped (SIGTERM, or kill -9 so its checkpoint may lag what the broker
    /// acknowledged), lines are appended, the file is copied and truncated, more lines are
    /// written; after the restart the copy resumes at the checkpoint with its producer id.
    @Test(arguments: [false, true])
    func copytruncateWhileStoppedShipsTheCopysTailOnce(kill9: Bool) async throws {
        let directory = try TestLog.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/access.log"
        var expected: [String] = []
        func write(_ tag: String, _ range: Range<Int>) throws {
            let (text, paths) = TestLog.lines(tag: tag, range, host: "a.example")
            try TestLog.append(text, to: path)
            expected += paths
        }
        try write("before", 0..<300)

        let broker = try BrokerProcess(partitions: 3)
        defer { broker.remove() }
        try await broker.start()
        let shipper = ShipperProcess(broker: broker.bootstrap, arguments: Self.arguments(path))
        defer { shipper.remove() }
        try await shipper.start()
        _ = try await shipper.waitForMetrics(timeout: .seconds(60), "first lines acknowledged") {
            $0["edgelog_shipper_records_acknowledged_total"] == 300
        }
        if kill9 {
            try await shipper.kill9()
        } else {
            #expect(try await shipper.terminate() == .exited(0), "\(shipper.logs())")
        }

        // Down: lines the shipper never read, then copytruncate, then nginx writes on.
        try write("unread", 0..<80)
        try FileManager.default.copyItem(atPath: path, toPath: "\(path).1")
        try TestLog.truncate(path)
        try write("after", 0..<40)
        try await shipper.start()

        let contents = try await SettledTopic.read(expecting: Set(expected), broker: broker, shipper: shipper)
        try await Self.check(contents, expected: expected, recoveredTag: "unread", copy: "\(path).1", shipper: shipper)
        #expect(try await shipper.terminate() == .exited(0), "\(shipper.logs())")
    }

    /// The live case: the shipper runs (frozen with SIGSTOP so the lines surely land between its
    /// last read and the truncation), logrotate copies and truncates, nginx writes on. The
    /// truncation and the copy are noticed in one poll; the copy is read from the original's
    /// read offset.
    @Test func copytruncateWhileRunningShipsTheCopysTailOnce() async throws {
        let directory = try TestLog.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/access.log"
        var expected: [String] = []
        func write(_ tag: String, _ range: Range<Int>) throws {
            let (text, paths) = TestLog.lines(tag: tag, range, host: "a.example")
            try TestLog.append(text, to: path)
            expected += paths
        }
        try write("before", 0..<300)

        let broker = try BrokerProcess(partitions: 3)
        defer { broker.remove() }
        try await broker.start()
        let shipper = ShipperProcess(broker: broker.bootstrap, arguments: Self.arguments(path))
        defer { shipper.remove() }
        try await shipper.start()
        _ = try await shipper.waitForMetrics(timeout: .seconds(60), "first lines acknowledged") {
            $0["edgelog_shipper_records_acknowledged_total"] == 300
        }
        let pid = try #require(shipper.process?.pid)
        // Every shipper thread stopped before the lines are written (kill alone returns early).
        try await ProcessFreeze.freeze(pid)
        try write("unread", 0..<80)
        try FileManager.default.copyItem(atPath: path, toPath: "\(path).1")
        try TestLog.truncate(path)
        try write("after", 0..<40)
        #expect(kill(pid, SIGCONT) == 0)

        let contents = try await SettledTopic.read(expecting: Set(expected), broker: broker, shipper: shipper)
        try await Self.check(contents, expected: expected, recoveredTag: "unread", copy: "\(path).1", shipper: shipper)
        #expect(try await shipper.terminate() == .exited(0), "\(shipper.logs())")
    }

    private static func arguments(_ path: String) -> [String] {
        [
            "--files", "\(path)*:edge", "--poll-interval", "50ms", "--checkpoint-interval", "50ms", "--linger", "10ms",
            "--batch-bytes", "16KiB", "--drain-idle", "300ms",
        ]
    }

    /// Every line exactly once, the unread lines from the copy, and no loss counted (the copy
    /// held everything the original lost).
    private static func check(
        _ contents: TopicContents,
        expected: [String],
        recoveredTag: String,
        copy: String,
        shipper: ShipperProcess
    ) async throws {
        let shipped = contents.entries.map(\.record.path)
        #expect(Set(shipped) == Set(expected), "missing: \(Set(expected).subtracting(shipped).sorted().prefix(5))")
        let duplicates = SettledTopic.duplicates(in: contents)
        #expect(duplicates.isEmpty, "\(duplicates.count) lines stored twice, e.g. \(duplicates.keys.sorted().prefix(3))")
        let recovered = contents.entries.filter { $0.record.path.hasPrefix("/t/\(recoveredTag)/") }
        #expect(
            !recovered.isEmpty && recovered.allSatisfy { $0.record.sourceFile == copy },
            "the unread lines come from the copy: \(Set(recovered.map(\.record.sourceFile)))"
        )
        let metrics = try await shipper.metrics()
        #expect((metrics.total("edgelog_shipper_lost_bytes_total") ?? 0) == 0, "no bytes lost")
        #expect((metrics.total("edgelog_shipper_losses_total") ?? 0) == 0, "no loss of any cause")
    }
}
