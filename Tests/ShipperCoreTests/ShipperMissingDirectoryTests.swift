import Foundation
import PipelineTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 13 hole 4: the log directory cannot be read when the shipper starts (permissions being
/// fixed, a mount not there yet), then can. The checkpoint of the file in it must survive the
/// polls that do not see the file, so that once the directory is back the file resumes at its
/// checkpoint with its producer id: nothing re-shipped from 0, nothing lost.
///
/// Fails on the code before the fix: the first poll discarded the checkpoint (counted as a
/// `checkpoint_obsolete` loss) and, once the directory was readable again, the file was shipped
/// again from offset 0 under a new producer id, so the broker stored its first lines twice.
@Suite(.serialized, .integration)
struct ShipperMissingDirectoryTests {
    /// `glob`: the source is `<dir>/*.log` (glob(3) reads the directory); else the plain path.
    @Test(arguments: [false, true])
    func unreadableDirectoryAtStartThenReadableReshipsNothing(glob: Bool) async throws {
        let directory = try TestLog.makeDirectory()
        let away = directory + ".away"
        defer {
            chmod(directory, 0o755)
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: away)
        }
        let path = "\(directory)/access.log"
        var expected: [String] = []
        func write(_ tag: String, _ range: Range<Int>) throws {
            let (text, paths) = TestLog.lines(tag: tag, range, host: "a.example")
            try TestLog.append(text, to: path)
            expected += paths
        }
        try write("before", 0..<200)

        let broker = try BrokerProcess(partitions: 3)
        defer { broker.remove() }
        try await broker.start()
        let source = glob ? "\(directory)/*.log:edge" : "\(path):edge"
        let shipper = ShipperProcess(
            broker: broker.bootstrap,
            arguments: [
                "--files", source, "--poll-interval", "50ms", "--checkpoint-interval", "50ms", "--linger", "10ms",
                "--batch-bytes", "16KiB",
            ]
        )
        defer { shipper.remove() }
        try await shipper.start()
        _ = try await shipper.waitForMetrics(timeout: .seconds(60), "first lines acknowledged") {
            $0["edgelog_shipper_records_acknowledged_total"] == 200
        }
        #expect(try await shipper.terminate() == .exited(0), "\(shipper.logs())")

        // While the shipper is down the file grows, then its directory becomes unreadable.
        try write("meanwhile", 0..<50)
        let outage = try UnreadableDirectory(directory, movedTo: away)
        try await shipper.start()
        // About 30 polls that do not see the file.
        try await Task.sleep(for: .milliseconds(1_500))
        let during = try await shipper.metrics()
        try outage.restore()
        try write("after", 0..<20)

        let contents = try await SettledTopic.read(expecting: Set(expected), broker: broker, shipper: shipper)
        let shipped = contents.entries.map(\.record.path)
        let metrics = try await shipper.metrics()
        #expect(
            during["edgelog_shipper_missing_checkpoints"] == 1,
            "the checkpoint of the unseen file is kept and reported (\(outage.method))"
        )
        #expect(
            (during["edgelog_shipper_losses_total{cause=\"checkpoint_obsolete\"}"] ?? 0) == 0,
            "no checkpoint discarded during the outage"
        )
        #expect(Set(shipped) == Set(expected), "missing: \(Set(expected).subtracting(shipped).sorted().prefix(5))")
        let duplicates = SettledTopic.duplicates(in: contents)
        #expect(duplicates.isEmpty, "\(duplicates.count) lines stored twice, e.g. \(duplicates.keys.sorted().prefix(3))")
        #expect(metrics["edgelog_shipper_missing_checkpoints"] == 0)
        #expect((metrics.total("edgelog_shipper_losses_total") ?? 0) == 0, "no loss of any cause")
        let logs = shipper.logs()
        #expect(logs.contains("checkpoint kept"), "the unseen file is reported")
        if glob || outage.method == .permissions {
            #expect(logs.contains("cannot read log path"), "the directory error is logged")
        }
        #expect(try await shipper.terminate() == .exited(0), "\(shipper.logs())")
    }
}

/// A directory the shipper cannot list for a while. `chmod 000` where that denies reading; a
/// process running as root reads through any mode, so there the directory is renamed away (to
/// the shipper it is gone) and back. Either way the test runs, never skips.
struct UnreadableDirectory {
    enum Method: Equatable {
        case permissions
        case moved
    }

    let directory: String
    let away: String
    let method: Method

    init(_ directory: String, movedTo away: String) throws {
        self.directory = directory
        self.away = away
        guard chmod(directory, 0) == 0 else { throw TestLog.Failure(description: "chmod \(directory): errno \(errno)") }
        if let stream = opendir(directory) {
            // Permissions do not bind this process (root): move the directory away instead.
            closedir(stream)
            chmod(directory, 0o755)
            try TestLog.rename(directory, away)
            method = .moved
        } else {
            method = .permissions
        }
    }

    func restore() throws {
        switch method {
        case .permissions:
            guard chmod(directory, 0o755) == 0 else {
                throw TestLog.Failure(description: "chmod \(directory): errno \(errno)")
            }
        case .moved:
            try TestLog.rename(away, directory)
        }
    }
}
