import LogTailing

/// Copies the lines a tailer hands out, with what the tests check about each.
struct CollectedLine: Equatable {
    var file: TailedFileID
    var text: String
    var range: Range<Int64>
    var isTruncated: Bool
}

/// Drives a `Tailer` like the shipper would (poll, pull, repeat) and keeps lines and events.
final class LineCollector {
    var lines: [CollectedLine] = []
    var events: [TailEvent] = []

    var texts: [String] { lines.map(\.text) }

    func texts(of file: TailedFileID) -> [String] {
        lines.filter { $0.file == file }.map(\.text)
    }

    /// One poll and one pull.
    func step<C: Clock>(_ tailer: Tailer<C>, maxBytes: Int = 1 << 20) throws {
        events += try tailer.poll()
        _ = try tailer.nextLines(maxBytes: maxBytes) { line in
            lines.append(
                CollectedLine(
                    file: line.file, text: String(decoding: line.bytes, as: UTF8.self), range: line.range,
                    isTruncated: line.isTruncated))
        }
    }

    /// Steps until `done` holds or `timeout` passes (then the caller's expectations fail and
    /// show what was collected). The timeout only bounds a failing test, so it is generous:
    /// tests run in parallel on a two-thread pool, and a 5 ms sleep between steps can take
    /// seconds while other tests keep both threads busy.
    func run<C: Clock>(
        _ tailer: Tailer<C>, timeout: Duration = .seconds(120), maxBytes: Int = 1 << 20, until done: () -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while !done(), ContinuousClock.now < deadline {
            try step(tailer, maxBytes: maxBytes)
            if done() { return }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    func started() -> [(file: TailedFileID, path: String, offset: Int64, resumedFrom: Checkpoint?)] {
        events.compactMap {
            if case .started(let file, let path, _, _, let offset, let checkpoint) = $0 {
                return (file, path, offset, checkpoint)
            }
            return nil
        }
    }

    func finished() -> [(file: TailedFileID, reason: TailedFileEnd, lostBytes: Int64)] {
        events.compactMap {
            if case .finished(let file, let reason, let lost) = $0 { return (file, reason, lost) }
            return nil
        }
    }

    func file(at path: String) -> TailedFileID? {
        started().last { $0.path == path }?.file
    }
}
