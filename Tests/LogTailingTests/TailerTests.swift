import PipelineTestSupport
import Foundation
import LogTailing
import Testing

/// The tailer on real files in temporary directories, with a writer that behaves like nginx
/// (one `O_APPEND` descriptor per log, kept across a rename). Expected lines are the lines the
/// test wrote.
@Suite struct TailerTests {
    static let settings = TailerConfiguration(
        startAt: .beginning, pollInterval: .zero, drainIdle: .milliseconds(100), deletedFileGrace: .seconds(5),
        maxLineBytes: 4_096, readBufferBytes: 16 * 1_024)

    /// Writes `text` in random pieces (lines split anywhere), pausing now and then so the
    /// tailer runs in between.
    static func writeInPieces(_ text: String, to writer: LogWriter, random: inout SplitMix64) async throws {
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = min(bytes.count - written, Int.random(in: 1...400, using: &random))
            try writer.write(Array(bytes[written..<written + count]))
            written += count
            if Int.random(in: 0..<4, using: &random) == 0 { try await Task.sleep(for: .milliseconds(1)) }
        }
    }

    /// Bytes of `lines` with their newlines, counted from the text (not from the tailer).
    static func size(_ lines: [String]) -> Int64 {
        Int64(LogLines.text(lines).utf8.count)
    }

    /// logrotate's `create` + nginx: rename while nginx writes, nginx keeps writing to the renamed
    /// file, a new empty file appears, the old one still gets lines from a worker that has not
    /// reopened, then only the new file grows.
    @Test func renameRotationWhileWritingShipsEveryLineOnce() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("access.log")
        let first = try LogWriter(path: path)
        let tailer = Tailer(sources: [LogSource(pattern: path)], configuration: Self.settings, isFirstStart: true)
        let collector = LineCollector()
        try collector.step(tailer)

        let writer = Task.detached {
            var random = SplitMix64(seed: 42)
            try await Self.writeInPieces(LogLines.text(LogLines.lines(0..<400)), to: first, random: &random)
            FileOps.rename(path, path + ".1")
            try await Self.writeInPieces(LogLines.text(LogLines.lines(400..<500)), to: first, random: &random)
            let second = try LogWriter(path: path)
            try await Self.writeInPieces(LogLines.text(LogLines.lines(500..<550)), to: first, random: &random)
            first.closeFile()
            try await Self.writeInPieces(LogLines.text(LogLines.lines(550..<800)), to: second, random: &random)
        }
        try await collector.run(tailer) { collector.lines.count >= 800 && !collector.finished().isEmpty }
        try await writer.value

        let started = collector.started()
        try #require(started.count == 2)
        #expect(collector.texts(of: started[0].file) == LogLines.lines(0..<550))
        #expect(collector.texts(of: started[1].file) == LogLines.lines(550..<800))
        #expect(collector.lines.count == 800)
        #expect(collector.finished().map(\.file) == [started[0].file])
        #expect(collector.finished().first?.reason == .rotated)
        #expect(collector.finished().first?.lostBytes == 0)
        #expect(tailer.trackedFiles == [started[1].file])
    }

    /// copytruncate while caught up, with the new content shorter (size check) or longer
    /// (first-bytes check) than the old: the new lines come once, from their start.
    @Test(arguments: [10, 400])
    func copytruncateRestartsAtZero(newLines: Int) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("access.log")
        let writer = try LogWriter(path: path)
        try writer.write(LogLines.text(LogLines.lines(0..<60)))
        let tailer = Tailer(sources: [LogSource(pattern: path)], configuration: Self.settings, isFirstStart: true)
        let collector = LineCollector()
        try await collector.run(tailer) { collector.lines.count >= 60 }

        try FileOps.copy(path, path + ".1")
        FileOps.truncate(path)
        let fresh = LogLines.lines(1_000..<1_000 + newLines, tag: "after-truncate")
        try writer.write(LogLines.text(fresh))
        try await collector.run(tailer) { collector.lines.count >= 60 + newLines }

        let started = collector.started()
        try #require(started.count == 2)
        #expect(collector.texts(of: started[0].file) == LogLines.lines(0..<60))
        #expect(collector.texts(of: started[1].file) == fresh)
        #expect(started[1].offset == 0)
        #expect(collector.lines.count == 60 + newLines)
        #expect(collector.finished().map(\.reason) == [.truncated])
        #expect(collector.finished().map(\.lostBytes) == [0])
    }

    /// copytruncate while behind: what was seen of the old content and not read is the loss.
    @Test func copytruncateWhileBehindCountsTheUnreadBytes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("access.log")
        let writer = try LogWriter(path: path)
        let old = LogLines.lines(0..<200)
        try writer.write(LogLines.text(old))
        let tailer = Tailer(sources: [LogSource(pattern: path)], configuration: Self.settings, isFirstStart: true)
        let collector = LineCollector()
        try collector.step(tailer, maxBytes: 3_000)
        let received = collector.lines.count
        #expect(received > 0 && received < 200)
        #expect(collector.texts == Array(old.prefix(received)))

        FileOps.truncate(path)
        try writer.write(LogLines.text(LogLines.lines(0..<3, tag: "new")))
        try collector.step(tailer)
        #expect(collector.finished().map(\.reason) == [.truncated])
        #expect(collector.finished().map(\.lostBytes) == [Self.size(old) - Self.size(Array(old.prefix(received)))])
        #expect(Array(collector.texts.dropFirst(received)) == LogLines.lines(0..<3, tag: "new"))
    }

    /// `--start-at end` on a first start skips what a present file holds (from its last line
    /// boundary); a file created later is read from its beginning; an unfinished line waits.
    @Test func filesCreatedAfterStartAreReadFromTheBeginning() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let present = try LogWriter(path: directory.file("a.log"))
        try present.write(LogLines.text(LogLines.lines(0..<50)) + "unfinished ")
        var settings = Self.settings
        settings.startAt = .end
        let tailer = Tailer(sources: [LogSource(pattern: directory.file("*.log"))], configuration: settings, isFirstStart: true)
        let collector = LineCollector()
        try collector.step(tailer)
        #expect(collector.lines.isEmpty)

        let later = try LogWriter(path: directory.file("b.log"))
        try later.write(LogLines.text(LogLines.lines(0..<30, tag: "b")) + "half of b")
        try present.write("line of a\n" + LogLines.text(LogLines.lines(50..<60)))
        try await collector.run(tailer) { collector.lines.count >= 41 }
        try collector.step(tailer)
        try later.write(" completed\n")
        try await collector.run(tailer) { collector.lines.count >= 42 }

        let a = try #require(collector.file(at: directory.file("a.log")))
        let b = try #require(collector.file(at: directory.file("b.log")))
        #expect(collector.texts(of: a) == ["unfinished line of a"] + LogLines.lines(50..<60))
        #expect(collector.texts(of: b) == LogLines.lines(0..<30, tag: "b") + ["half of b completed"])
        #expect(collector.lines.count == 42)
    }

    /// `access.log*` also matches logrotate's compressed rotations; they are skipped, the
    /// plain rotation and the live file are read.
    @Test func compressedRotationsAPatternMatchesAreSkipped() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try LogWriter(path: directory.file("access.log")).write(LogLines.text(LogLines.lines(0..<20)))
        try LogWriter(path: directory.file("access.log.1")).write(LogLines.text(LogLines.lines(0..<10, tag: "one")))
        // gzip's magic, then bytes with newlines that would read as lines if the file were tailed.
        try LogWriter(path: directory.file("access.log.2.gz")).write([0x1F, 0x8B, 0x08, 0x00] + Array(String(repeating: "garbage\n", count: 50).utf8))
        try LogWriter(path: directory.file("access.log.3.zst")).write([0x28, 0xB5, 0x2F, 0xFD] + Array("more\n".utf8))
        let tailer = Tailer(
            sources: [LogSource(pattern: directory.file("access.log*"))], configuration: Self.settings, isFirstStart: true)
        let collector = LineCollector()
        try await collector.run(tailer) { collector.lines.count >= 30 }
        try collector.step(tailer)
        try collector.step(tailer)
        #expect(collector.file(at: directory.file("access.log.2.gz")) == nil)
        #expect(collector.file(at: directory.file("access.log.3.zst")) == nil)
        let live = try #require(collector.file(at: directory.file("access.log")))
        let rotated = try #require(collector.file(at: directory.file("access.log.1")))
        #expect(collector.texts(of: live) == LogLines.lines(0..<20))
        #expect(collector.texts(of: rotated) == LogLines.lines(0..<10, tag: "one"))
        #expect(collector.lines.count == 30)
    }

    /// A compressed rotation caught while the compressor has written nothing yet is decided at
    /// a later poll (then skipped); an empty live log is read from its first line.
    @Test func aCompressedFileCaughtEmptyIsNotReadLater() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let live = try LogWriter(path: directory.file("access.log"))
        let compressed = try LogWriter(path: directory.file("access.log.1.gz"))
        let tailer = Tailer(
            sources: [LogSource(pattern: directory.file("access.log*"))], configuration: Self.settings, isFirstStart: true)
        let collector = LineCollector()
        try collector.step(tailer)
        try compressed.write([0x1F, 0x8B, 0x08, 0x00] + Array(String(repeating: "garbage\n", count: 20).utf8))
        try live.write(LogLines.text(LogLines.lines(0..<15)))
        try await collector.run(tailer) { collector.lines.count >= 15 }
        try collector.step(tailer)
        #expect(collector.file(at: directory.file("access.log.1.gz")) == nil)
        let file = try #require(collector.file(at: directory.file("access.log")))
        #expect(collector.texts(of: file) == LogLines.lines(0..<15))
        #expect(collector.lines.count == 15)
    }

    @Test func overlongLinesAreShippedTruncatedWithAFlag() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("access.log")
        let writer = try LogWriter(path: path)
        let huge = String(repeating: "/very/long/uri", count: 2_000)
        try writer.write(LogLines.text([LogLines.line(1), huge, LogLines.line(2)]))
        let tailer = Tailer(sources: [LogSource(pattern: path)], configuration: Self.settings, isFirstStart: true)
        let collector = LineCollector()
        try await collector.run(tailer) { collector.lines.count >= 3 }
        #expect(collector.texts == [LogLines.line(1), String(huge.prefix(4_096)), LogLines.line(2)])
        #expect(collector.lines.map(\.isTruncated) == [false, true, false])
        let hugeStart = Self.size([LogLines.line(1)])
        #expect(collector.lines[1].range == hugeStart..<hugeStart + Int64(huge.utf8.count) + 1)
    }

    /// Unlinked before it was read to its end (and the grace is over): the unread bytes are a
    /// counted loss, and a new file at the path is followed.
    @Test func deletionBeforeFullyReadIsALossWithTheUnreadBytes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("access.log")
        let lines = LogLines.lines(0..<200)
        try LogWriter(path: path).write(LogLines.text(lines))
        var settings = Self.settings
        settings.deletedFileGrace = .zero
        let tailer = Tailer(sources: [LogSource(pattern: path)], configuration: settings, isFirstStart: true)
        let collector = LineCollector()
        try collector.step(tailer, maxBytes: 5_000)
        let received = collector.lines.count
        #expect(received > 0 && received < 200)

        FileOps.unlink(path)
        try collector.step(tailer)
        #expect(collector.lines.count == received)
        let old = try #require(collector.started().first?.file)
        #expect(collector.finished().map(\.file) == [old])
        #expect(collector.finished().map(\.reason) == [.deleted])
        #expect(collector.finished().map(\.lostBytes) == [Self.size(lines) - Self.size(Array(lines.prefix(received)))])

        try LogWriter(path: path).write(LogLines.text(LogLines.lines(0..<5, tag: "next")))
        try collector.step(tailer)
        #expect(Array(collector.texts.dropFirst(received)) == LogLines.lines(0..<5, tag: "next"))
    }

    /// A checkpoint whose inode now belongs to a file with other first bytes must not move the
    /// new file's start: it is read from 0 and the checkpoint is reported obsolete.
    @Test func aReusedInodeIsReadFromTheStart() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("access.log")
        let lines = LogLines.lines(0..<20, tag: "new-file")
        try LogWriter(path: path).write(LogLines.text(lines))
        let stat = FileOps.inode(path)
        let stale = Checkpoint(
            identity: FileIdentity(device: stat.device, inode: stat.inode, fingerprint: Array(LogLines.line(0, tag: "old-file").utf8)),
            path: path, sourcePattern: path, offset: 300, producerId: 9, producerEpoch: 0, sequences: [0: 3])
        let tailer = Tailer(sources: [LogSource(pattern: path)], configuration: Self.settings, checkpoints: [stale], isFirstStart: false)
        let collector = LineCollector()
        try collector.step(tailer)
        #expect(collector.texts == lines)
        #expect(collector.events.contains(.checkpointObsolete(stale, reason: .contentReplaced)))
        #expect(collector.started().first?.resumedFrom == nil)
    }

    /// Run 1 reads everything, batches of 7 lines are acknowledged out of order with batch 5
    /// missing, the checkpoint is written. While the shipper is down the file grows (and is
    /// rotated by rename). Run 2 ships exactly the lines after the acknowledged prefix, from
    /// the renamed file, with the checkpoint's producer state, plus the new file.
    @Test(arguments: [false, true])
    func restartResumesExactlyAfterTheAcknowledgedPrefix(rotateWhileDown: Bool) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("access.log")
        let store = CheckpointStore(directory: directory.file("checkpoints"))
        let writer = try LogWriter(path: path)
        let lines = LogLines.lines(0..<100)
        try writer.write(LogLines.text(lines))

        let loaded = try store.load()
        #expect(loaded.isFirstStart)
        let firstRun = Tailer(sources: [LogSource(pattern: path)], configuration: Self.settings, isFirstStart: loaded.isFirstStart)
        let collector = LineCollector()
        try await collector.run(firstRun) { collector.lines.count >= 100 }
        let file = try #require(collector.started().first?.file)
        var prefix = AcknowledgedPrefix<[Int32: Int32]>(startingAt: 0)
        var batches: [Range<Int64>] = []
        for (index, start) in stride(from: 0, to: 100, by: 7).enumerated() {
            let group = collector.lines[start..<min(start + 7, 100)]
            let range = group.first!.range.lowerBound..<group.last!.range.upperBound
            try prefix.register(range, mark: [0: Int32(start + group.count), 1: Int32(index)])
            batches.append(range)
        }
        var random = SplitMix64(seed: 7)
        for index in Array(batches.indices).shuffled(using: &random) where index != 5 {
            try prefix.acknowledge(batches[index])
        }
        #expect(prefix.acknowledgedOffset == Self.size(Array(lines.prefix(35))))
        #expect(prefix.acknowledgedMark == [0: 35, 1: 4])
        let checkpoint = try #require(
            firstRun.checkpoint(
                of: file, at: prefix.acknowledgedOffset, producerId: 42, producerEpoch: 3,
                sequences: prefix.acknowledgedMark ?? [:]))
        try store.write(checkpoint)
        try store.markInitialized()

        // Down: the file grows, maybe is rotated, and a new file gets lines.
        try writer.write(LogLines.text(LogLines.lines(100..<110)))
        var newer: [String] = []
        if rotateWhileDown {
            FileOps.rename(path, path + ".1")
            newer = LogLines.lines(0..<20, tag: "after-restart")
            try LogWriter(path: path).write(LogLines.text(newer))
        }

        let reloaded = try store.load()
        #expect(reloaded.checkpoints == [checkpoint])
        #expect(!reloaded.isFirstStart)
        let secondRun = Tailer(
            sources: [LogSource(pattern: path)], configuration: Self.settings, checkpoints: reloaded.checkpoints,
            isFirstStart: reloaded.isFirstStart)
        let after = LineCollector()
        let expected = Array(lines[35...]) + LogLines.lines(100..<110)
        try await after.run(secondRun) {
            after.lines.count >= expected.count + newer.count && (!rotateWhileDown || !after.finished().isEmpty)
        }
        let resumed = try #require(after.started().first { $0.resumedFrom != nil })
        #expect(resumed.resumedFrom == checkpoint)
        #expect(resumed.offset == checkpoint.offset)
        #expect(resumed.path == (rotateWhileDown ? path + ".1" : path))
        #expect(after.texts(of: resumed.file) == expected)
        #expect(after.lines.count == expected.count + newer.count)
        if rotateWhileDown {
            let fresh = try #require(after.started().first { $0.resumedFrom == nil })
            #expect(fresh.path == path)
            #expect(fresh.offset == 0)
            #expect(after.texts(of: fresh.file) == newer)
            #expect(after.finished().map(\.file) == [resumed.file])
            #expect(after.finished().map(\.lostBytes) == [0])
        }
    }

    /// While the shipper was down the file was truncated and rewritten with other lines
    /// (shorter or longer than the checkpoint's offset), or cut short in place: the
    /// checkpoint's offset belongs to content that is gone, so the file is read from 0.
    @Test(arguments: [(5, 0), (300, 0), (0, 20)])
    func restartAfterTruncationWhileDownReadsFromZero(rewrittenLines: Int, keptLines: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("access.log")
        let writer = try LogWriter(path: path)
        let old = LogLines.lines(0..<100)
        try writer.write(LogLines.text(old))
        let stat = FileOps.inode(path)
        let checkpoint = Checkpoint(
            identity: FileIdentity(device: stat.device, inode: stat.inode, fingerprint: Array(LogLines.text(old).utf8.prefix(256))),
            path: path, sourcePattern: path, offset: Self.size(Array(old.prefix(60))))
        FileOps.truncate(path, to: Self.size(Array(old.prefix(keptLines))))
        let fresh = LogLines.lines(0..<rewrittenLines, tag: "rewritten")
        try writer.write(LogLines.text(fresh))

        let tailer = Tailer(sources: [LogSource(pattern: path)], configuration: Self.settings, checkpoints: [checkpoint], isFirstStart: false)
        let collector = LineCollector()
        try collector.step(tailer)
        try collector.step(tailer)
        #expect(collector.texts == Array(old.prefix(keptLines)) + fresh)
        let reason: ObsoleteCheckpointReason = keptLines > 0 ? .fileShrank : .contentReplaced
        #expect(collector.events.contains(.checkpointObsolete(checkpoint, reason: reason)))
        #expect(collector.started().map(\.offset) == [0])
    }

    /// Nothing is read unless pulled, and one pull stays within its budget (plus at most one
    /// line): the file is the buffer while the output is slow.
    @Test func readingFollowsThePullBudget() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("access.log")
        let lines = LogLines.lines(0..<2_000)
        try LogWriter(path: path).write(LogLines.text(lines))
        let tailer = Tailer(sources: [LogSource(pattern: path)], configuration: Self.settings, isFirstStart: true)
        for _ in 0..<5 { _ = try tailer.poll() }
        var texts: [String] = []
        let summary = try tailer.nextLines(maxBytes: 1_000) { texts.append(String(decoding: $0.bytes, as: UTF8.self)) }
        #expect(!summary.isCaughtUp)
        #expect(summary.lines == texts.count)
        #expect(summary.scannedBytes <= 1_000 + Int64(Self.settings.maxLineBytes + 1))
        #expect(texts == Array(lines.prefix(texts.count)))
        var total = texts.count
        while true {
            let next = try tailer.nextLines(maxBytes: 1_000) { texts.append(String(decoding: $0.bytes, as: UTF8.self)) }
            total += next.lines
            if next.isCaughtUp { break }
        }
        #expect(texts == lines)
    }

    // MARK: - copytruncate's copy under a glob (issue 13 hole 5)

    /// copytruncate with `access.log*`: lines written after the last read are read from the
    /// copy, from where the original was read to; the truncated original goes on from 0.
    /// Nothing twice, nothing lost.
    @Test func copytruncateUnderAGlobReadsOnlyTheCopysTail() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("access.log")
        let writer = try LogWriter(path: path)
        try writer.write(LogLines.text(LogLines.lines(0..<60)))
        let tailer = Tailer(sources: [LogSource(pattern: path + "*")], configuration: Self.settings, isFirstStart: true)
        let collector = LineCollector()
        try await collector.run(tailer) { collector.lines.count >= 60 }

        // Appended after the last read, then copied and truncated before the next poll.
        try writer.write(LogLines.text(LogLines.lines(60..<80)))
        try FileOps.copy(path, path + ".1")
        FileOps.truncate(path)
        let fresh = LogLines.lines(0..<10, tag: "after-truncate")
        try writer.write(LogLines.text(fresh))
        try await collector.run(tailer) { collector.lines.count >= 90 }
        try collector.step(tailer)

        let copy = try #require(collector.started().first { $0.path == path + ".1" })
        #expect(copy.offset == Self.size(LogLines.lines(0..<60)))
        #expect(copy.resumedFrom == nil)
        #expect(collector.texts(of: copy.file) == LogLines.lines(60..<80))
        let original = try #require(collector.started().last { $0.path == path })
        #expect(collector.texts(of: original.file) == fresh)
        #expect(collector.lines.count == 90)
        #expect(Set(collector.texts) == Set(LogLines.lines(0..<80) + fresh))
        #expect(collector.finished().map(\.reason) == [.truncated])
        #expect(collector.finished().map(\.lostBytes) == [0])
    }

    /// copytruncate while the shipper was down: the copy continues the original's checkpoint
    /// (its producer state with it); the original, new content, starts at 0. The checkpoint is
    /// not reported obsolete.
    @Test func aCopyMadeWhileDownResumesAtTheOriginalsCheckpoint() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("access.log")
        let writer = try LogWriter(path: path)
        let old = LogLines.lines(0..<60)
        try writer.write(LogLines.text(old))
        let stat = FileOps.inode(path)
        let checkpoint = Checkpoint(
            identity: FileIdentity(device: stat.device, inode: stat.inode, fingerprint: Array(LogLines.text(old).utf8.prefix(256))),
            path: path, sourcePattern: path + "*", offset: Self.size(old), producerId: 9, producerEpoch: 0, sequences: [0: 60])
        // Down: more lines, logrotate's copy and truncation, nginx writes on.
        try writer.write(LogLines.text(LogLines.lines(60..<80)))
        try FileOps.copy(path, path + ".1")
        FileOps.truncate(path)
        let fresh = LogLines.lines(0..<10, tag: "after-truncate")
        try writer.write(LogLines.text(fresh))

        let tailer = Tailer(
            sources: [LogSource(pattern: path + "*")], configuration: Self.settings, checkpoints: [checkpoint], isFirstStart: false)
        let collector = LineCollector()
        try collector.step(tailer)
        try collector.step(tailer)
        let copy = try #require(collector.started().first { $0.path == path + ".1" })
        #expect(copy.resumedFrom == checkpoint)
        #expect(copy.offset == checkpoint.offset)
        #expect(collector.texts(of: copy.file) == LogLines.lines(60..<80))
        let original = try #require(collector.started().first { $0.path == path })
        #expect(original.resumedFrom == nil && original.offset == 0)
        #expect(collector.texts(of: original.file) == fresh)
        #expect(collector.lines.count == 30)
        #expect(!collector.events.contains { if case .checkpointObsolete = $0 { true } else { false } })
    }

    // MARK: - Checkpoints of files not seen (issue 13 hole 4)

    /// The log directory is away at start-up (renamed, as when a mount is late; chmod would
    /// not stop root): the checkpoint is kept and reported once with the time it went
    /// missing; once the directory is back the file resumes at the checkpoint.
    @Test(arguments: [false, true])
    func aCheckpointWhoseDirectoryIsAwayResumesWhenItIsBack(glob: Bool) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let logs = directory.file("logs")
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: false)
        let path = logs + "/access.log"
        let lines = LogLines.lines(0..<50)
        try LogWriter(path: path).write(LogLines.text(lines))
        let stat = FileOps.inode(path)
        let pattern = glob ? logs + "/*.log" : path
        let checkpoint = Checkpoint(
            identity: FileIdentity(device: stat.device, inode: stat.inode, fingerprint: Array(LogLines.text(lines).utf8.prefix(256))),
            path: path, sourcePattern: pattern, offset: Self.size(Array(lines.prefix(30))), producerId: 4, producerEpoch: 0,
            sequences: [1: 30])
        FileOps.rename(logs, logs + ".away")

        let before = Int64(Date().timeIntervalSince1970 * 1_000)
        let tailer = Tailer(
            sources: [LogSource(pattern: pattern)], configuration: Self.settings, checkpoints: [checkpoint], isFirstStart: false)
        let collector = LineCollector()
        for _ in 0..<3 { try collector.step(tailer) }
        #expect(collector.lines.isEmpty)
        #expect(tailer.missingCheckpointCount == 1)
        guard case .checkpointMissing(let reported)? = collector.events.first, collector.events.count == 1 else {
            Issue.record("unexpected \(collector.events)")
            return
        }
        #expect((reported.missingSince ?? 0) >= before)
        var unchanged = reported
        unchanged.missingSince = nil
        #expect(unchanged == checkpoint)

        FileOps.rename(logs + ".away", logs)
        try collector.step(tailer)
        try collector.step(tailer)
        let resumed = try #require(collector.started().first)
        #expect(resumed.resumedFrom == checkpoint)
        #expect(collector.texts == Array(lines[30...]))
        #expect(tailer.missingCheckpointCount == 0)
    }

    /// `missingSince` is kept across restarts: a checkpoint missing for longer than the expiry
    /// is discarded at the first poll; one missing for less is reported with its old time.
    @Test func theExpiryCountsTheTimeMissingBeforeARestart() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("gone.log")
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        func checkpoint(inode: UInt64, missingFor minutes: Int64) -> Checkpoint {
            Checkpoint(
                identity: FileIdentity(device: 1, inode: inode, fingerprint: Array(LogLines.line(0).utf8)), path: path,
                sourcePattern: path, offset: 100, missingSince: now - minutes * 60_000)
        }
        let expired = checkpoint(inode: 77, missingFor: 120)
        let recent = checkpoint(inode: 78, missingFor: 10)
        var settings = Self.settings
        settings.missingFileExpiry = .seconds(3_600)
        let tailer = Tailer(
            sources: [LogSource(pattern: path)], configuration: settings, checkpoints: [expired, recent], isFirstStart: false)
        let events = try tailer.poll()
        #expect(events == [.checkpointObsolete(expired, reason: .fileNotFound), .checkpointMissing(recent)])
        #expect(tailer.missingCheckpointCount == 1)
    }
}
