import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Tails the files of a set of `LogSource`s and hands out every complete line once, across
/// rename rotation, copytruncate, deletion, files that appear later, and restarts.
///
/// The caller pulls; nothing is read unless it asks, so when the output (the broker) is slow
/// or down the log files themselves are the buffer and memory stays at one `ReadBuffer`:
/// ```
/// let stored = try store.load()
/// let tailer = Tailer(sources: sources, configuration: settings,
///                     checkpoints: stored.checkpoints, isFirstStart: stored.isFirstStart)
/// while running {
///     for event in try tailer.pollIfDue() { ... }          // starts, ends, losses
///     let read = try tailer.nextLines(maxBytes: room) { line in ... }  // parse, encode, batch
///     if read.isCaughtUp { try await Task.sleep(for: settings.pollInterval) }
/// }
/// ```
/// Keep calling `pollIfDue()` even while not pulling lines: deleted files are released only
/// by polls. After the first poll of a first start, write the started files' checkpoints and
/// call `CheckpointStore.markInitialized()`.
///
/// A path or directory that cannot be read (permissions, a directory not there, a failing
/// `readdir`) is logged once, again only when its error changes, and once when it reads
/// again; it is looked at again at every poll. A checkpoint whose file is not found is kept
/// and its directory searched at every poll (`TailStateMachine`).
///
/// System calls happen here; every decision is `TailStateMachine`'s. Not thread-safe: owned
/// by one task.
public final class Tailer<C: Clock> where C.Duration == Duration {
    /// A file's device and inode, the key that tells whether a path leads to a tracked file.
    private struct Inode: Hashable {
        var device: UInt64
        var inode: UInt64

        init(_ identity: FileIdentity) {
            self.device = identity.device
            self.inode = identity.inode
        }

        init(device: UInt64, inode: UInt64) {
            self.device = device
            self.inode = inode
        }
    }

    public let sources: [LogSource]
    public let configuration: TailerConfiguration
    private let clock: C
    private let logger: Logger
    /// Files a pattern matched that start with a compressor's magic (`CompressedFileSignature`):
    /// never read; forgotten once no pattern sights that inode at that path any more.
    private var skippedCompressed: Set<SkippedFile> = []
    /// Inodes of skipped files already warned about (a rename does not warn again).
    private var warnedCompressed: Set<Inode> = []

    private struct SkippedFile: Hashable {
        var device: UInt64
        var inode: UInt64
        var path: String
    }
    private var machine: TailStateMachine<C.Instant>
    private let buffer: ReadBuffer
    private var files: [TailedFileID: TailedFile] = [:]
    private var lastPoll: C.Instant?
    private var pollRequested = false
    private var rotation = 0
    /// Paths (files or directories) that failed during the poll under way, with the error.
    private var problems: [String: String] = [:]
    /// Problems already logged and still there at the last poll: each is logged once, and
    /// again only when its error changes.
    private var reportedProblems: [String: String] = [:]
    /// Inodes of checkpoints reported missing, to say so when their file is found again.
    private var missingInodes: Set<Inode> = []

    /// - Parameters:
    ///   - checkpoints: `CheckpointStore.load().checkpoints`.
    ///   - isFirstStart: `CheckpointStore.load().isFirstStart`; only then `startAt` applies.
    public init(
        sources: [LogSource],
        configuration: TailerConfiguration = TailerConfiguration(),
        checkpoints: [Checkpoint] = [],
        isFirstStart: Bool,
        clock: C,
        logger: Logger = Logger(label: "edgelog.tailing")
    ) {
        self.sources = sources
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.machine = TailStateMachine(
            configuration: .init(
                startAt: configuration.startAt, drainIdle: configuration.drainIdle,
                deletedFileGrace: configuration.deletedFileGrace, missingFileExpiry: configuration.missingFileExpiry),
            checkpoints: checkpoints, isFirstStart: isFirstStart, wallClockMs: UnixTime.milliseconds())
        self.buffer = ReadBuffer(capacity: configuration.readBufferBytes)
    }

    /// Checkpoints kept although their file is not found (see `TailEvent.checkpointMissing`).
    public var missingCheckpointCount: Int { machine.missingCheckpointCount }

    /// Files being read, in the order they were started.
    public var trackedFiles: [TailedFileID] { files.keys.sorted() }

    /// The current identity of a tracked file (its fingerprint grows with the file).
    public func identity(of file: TailedFileID) -> FileIdentity? {
        files[file]?.identity
    }

    /// A checkpoint of a tracked file at `offset` (the end of its acknowledged prefix), with
    /// the producer state as of that offset.
    public func checkpoint(
        of file: TailedFileID, at offset: Int64, producerId: Int64 = -1, producerEpoch: Int16 = -1,
        sequences: [Int32: Int32] = [:]
    ) -> Checkpoint? {
        guard let tailed = files[file], sources.indices.contains(tailed.sourceIndex) else { return nil }
        return Checkpoint(
            identity: tailed.identity, path: tailed.path, sourcePattern: sources[tailed.sourceIndex].pattern,
            offset: offset, producerId: producerId, producerEpoch: producerEpoch, sequences: sequences)
    }

    /// Polls when `pollInterval` has passed since the last poll, or a read noticed replaced
    /// content; otherwise returns no events and does nothing.
    public func pollIfDue() throws -> [TailEvent] {
        let now = clock.now
        if !pollRequested, let lastPoll, lastPoll.duration(to: now) < configuration.pollInterval {
            return []
        }
        return try poll()
    }

    /// Looks at every source and tracked file now and applies what `TailStateMachine` decides.
    /// Reads no lines.
    public func poll() throws -> [TailEvent] {
        let now = clock.now
        lastPoll = now
        pollRequested = false
        problems = [:]
        // The tracked files before the paths: logrotate's copytruncate copies, then truncates,
        // so a poll that sees a truncation also lists the complete copy.
        var sightings: [TailedFileID: TailObservation.FileSighting] = [:]
        for (id, file) in files {
            let status = try file.status()
            let consistent = try file.verifyIdentity()
            sightings[id] = TailObservation.FileSighting(
                size: status.size, linkCount: status.linkCount, consumedOffset: file.consumedOffset,
                scannedOffset: file.scannedOffset, contentReplaced: !consistent, fingerprint: file.identity.fingerprint)
        }
        var observation = TailObservation(paths: sightPaths(), files: sightings)
        var opened: [TailedFile] = []
        var known = Set(files.values.map { Inode($0.identity) })
        // A skipped file is known by inode *and* path: once it is deleted, its inode may come
        // back as a new log (ext4 reuses freed inodes at once), which must then be read.
        let sighted = Set(observation.paths.map { SkippedFile(device: $0.device, inode: $0.inode, path: $0.path) })
        skippedCompressed.formIntersection(sighted)
        warnedCompressed.formIntersection(sighted.map { Inode(device: $0.device, inode: $0.inode) })
        for sighting in observation.paths where !known.contains(Inode(device: sighting.device, inode: sighting.inode)) {
            let skipped = SkippedFile(device: sighting.device, inode: sighting.inode, path: sighting.path)
            guard !skippedCompressed.contains(skipped),
                let file = openCandidate(sighting.path, sourceIndex: sighting.sourceIndex),
                known.insert(Inode(file.identity)).inserted
            else { continue }
            let firstBytes = file.identity.fingerprint
            if let compressor = CompressedFileSignature.of(firstBytes: firstBytes) {
                skippedCompressed.insert(skipped)
                // logrotate renames `.N.gz` to `.N+1.gz` at every rotation: warn once per file.
                if warnedCompressed.insert(Inode(file.identity)).inserted {
                    logger.warning(
                        "skipping a compressed file the pattern matches (its bytes are not log lines)",
                        metadata: [
                            "path": "\(sighting.path)", "compression": "\(compressor.rawValue)",
                            "pattern": "\(sources[sighting.sourceIndex].pattern)",
                        ]
                    )
                }
                continue
            }
            if CompressedFileSignature.mayStillBecomeCompressed(firstBytes: firstBytes, path: sighting.path) {
                continue  // being written by a compressor right now: decided at a later poll
            }
            observation.candidates.append(
                .init(path: sighting.path, sourceIndex: sighting.sourceIndex, identity: file.identity, size: try file.status().size))
            opened.append(file)
        }
        // Checkpoints whose file no source path leads to: looked for by inode in their
        // directories (rotated while the shipper was down, or the directory was unreadable).
        var listings: [String: [DirectoryEntries.Entry]] = [:]
        for checkpoint in machine.unmatchedCheckpoints where !known.contains(Inode(checkpoint.identity)) {
            guard let file = findRotated(checkpoint, listings: &listings), known.insert(Inode(file.identity)).inserted
            else { continue }
            observation.candidates.append(
                .init(
                    path: file.path, sourceIndex: file.sourceIndex, identity: file.identity, size: try file.status().size,
                    foundByCheckpointSearch: true))
            opened.append(file)
        }
        var events: [TailEvent] = []
        for action in machine.observe(observation, now: now) {
            try apply(action, candidates: observation.candidates, opened: opened, events: &events)
        }
        settleProblems()
        return events
    }

    /// Reads up to about `maxBytes` from the tracked files and hands each complete line to
    /// `body`, in file order per file. Renamed and deleted files are read first (they are
    /// older and hold disk space); the others take turns. Lines are valid only inside `body`.
    /// If `body` throws, that line is handed out again by the next call.
    public func nextLines(maxBytes: Int, _ body: (TailedLine) throws -> Void) throws -> TailReadSummary {
        var summary = TailReadSummary(lines: 0, scannedBytes: 0, isCaughtUp: true)
        let ids = files.keys.sorted()
        let detached = ids.filter { machine.isDetached($0) }
        var attached = ids.filter { !machine.isDetached($0) }
        if !attached.isEmpty {
            rotation = (rotation + 1) % attached.count
            attached = Array(attached[rotation...] + attached[..<rotation])
        }
        var remaining = Int64(max(1, maxBytes))
        for id in detached + attached {
            guard remaining > 0 else {
                summary.isCaughtUp = false
                break
            }
            guard let file = files[id] else { continue }
            let progress = try file.readLines(using: buffer, maxBytes: Int(remaining), body)
            summary.lines += progress.lines
            summary.scannedBytes += progress.scannedBytes
            remaining -= max(1, progress.scannedBytes)
            if progress.contentReplaced {
                pollRequested = true
            } else if !progress.reachedEnd {
                summary.isCaughtUp = false
            }
        }
        return summary
    }

    // MARK: - Poll steps

    /// `stat` of every path the sources match, each path once (the first source wins).
    private func sightPaths() -> [TailObservation.PathSighting] {
        var sightings: [TailObservation.PathSighting] = []
        var seen: Set<String> = []
        for (index, source) in sources.enumerated() {
            let matches: (paths: [String], unreadableDirectories: [SystemCallError])
            do {
                matches = try source.matches()
            } catch {
                report(source.pattern, error)
                continue
            }
            for problem in matches.unreadableDirectories {
                report(problem.path, problem)
            }
            for path in matches.paths where seen.insert(path).inserted {
                do {
                    guard let status = try FileStatus.of(path: path), status.isRegularFile else { continue }
                    sightings.append(
                        .init(path: path, sourceIndex: index, device: status.device, inode: status.inode, size: status.size))
                } catch {
                    report(path, error)
                }
            }
        }
        return sightings
    }

    private func openCandidate(_ path: String, sourceIndex: Int) -> TailedFile? {
        do {
            return try TailedFile(
                path: path, id: TailedFileID(rawValue: 0), sourceIndex: sourceIndex,
                maxLineBytes: configuration.maxLineBytes)
        } catch {
            // Gone since it was listed (a rotation under way): seen again, or not, next poll.
            if error.errorNumber != ENOENT { report(path, error) }
            return nil
        }
    }

    /// The file a checkpoint describes, looked for by inode in the checkpoint's directory: it
    /// was rotated to a name no source matches while the shipper was down, and its unread rest
    /// must still be shipped. Each directory is listed once per poll (`listings`).
    private func findRotated(_ checkpoint: Checkpoint, listings: inout [String: [DirectoryEntries.Entry]]) -> TailedFile? {
        guard let sourceIndex = sources.firstIndex(where: { $0.pattern == checkpoint.sourcePattern }) else { return nil }
        let directory = checkpoint.path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
            .joined(separator: "/")
        let base = directory.isEmpty ? (checkpoint.path.hasPrefix("/") ? "/" : ".") : directory
        let entries: [DirectoryEntries.Entry]
        if let listed = listings[base] {
            entries = listed
        } else {
            do {
                entries = (try DirectoryEntries.entries(in: base) ?? []).sorted { $0.name < $1.name }
            } catch {
                report(base, error)
                entries = []
            }
            listings[base] = entries
        }
        for entry in entries where entry.inode == checkpoint.identity.inode {
            let path = base == "/" ? "/\(entry.name)" : "\(base)/\(entry.name)"
            let status: FileStatus?
            do {
                status = try FileStatus.of(path: path)
            } catch {
                report(path, error)
                continue
            }
            guard let status, status.isRegularFile, status.device == checkpoint.identity.device,
                status.inode == checkpoint.identity.inode
            else { continue }
            return openCandidate(path, sourceIndex: sourceIndex)
        }
        return nil
    }

    private func apply(
        _ action: TailAction, candidates: [TailObservation.Candidate], opened: [TailedFile], events: inout [TailEvent]
    ) throws {
        switch action {
        case .start(let index, let id, let start, let checkpoint):
            let file = opened[index]
            file.id = id
            try file.position(at: start, using: buffer)
            files[id] = file
            logger.info(
                "tailing file",
                metadata: [
                    "file": "\(id)", "path": "\(file.path)", "offset": "\(file.consumedOffset)",
                    "resumed": "\(checkpoint != nil)",
                ])
            if let checkpoint, missingInodes.remove(Inode(checkpoint.identity)) != nil {
                logger.info(
                    "the file of a missing checkpoint is found again; it resumes at the checkpoint",
                    metadata: ["path": "\(file.path)", "offset": "\(checkpoint.offset)"])
            }
            if let checkpoint, !checkpoint.identity.hasSameInode(as: file.identity) {
                logger.info(
                    "a copy of a file truncated in place resumes at the original's checkpoint",
                    metadata: ["path": "\(file.path)", "original": "\(checkpoint.path)", "offset": "\(checkpoint.offset)"])
            }
            events.append(
                .started(
                    file: id, path: file.path, sourceIndex: file.sourceIndex, identity: file.identity,
                    offset: file.consumedOffset, resumedFrom: checkpoint))
        case .ignore:
            break
        case .restart(let old, let new, let lost):
            guard let file = files.removeValue(forKey: old) else { return }
            try file.restart(as: new)
            files[new] = file
            logger.warning(
                "file content replaced in place (copytruncate), reading again from 0",
                metadata: ["file": "\(old)", "new": "\(new)", "path": "\(file.path)", "lostBytes": "\(lost)"])
            events.append(.finished(file: old, reason: .truncated, lostBytes: lost))
            events.append(
                .started(
                    file: new, path: file.path, sourceIndex: file.sourceIndex, identity: file.identity, offset: 0,
                    resumedFrom: nil))
        case .close(let id, let reason, let lost):
            guard let file = files.removeValue(forKey: id) else { return }
            let metadata: Logger.Metadata = [
                "file": "\(id)", "path": "\(file.path)", "reason": "\(reason)", "lostBytes": "\(lost)",
            ]
            if lost > 0 {
                logger.warning("closed file with unread bytes", metadata: metadata)
            } else {
                logger.info("closed file", metadata: metadata)
            }
            events.append(.finished(file: id, reason: reason, lostBytes: lost))
        case .discard(let checkpoint, let reason):
            missingInodes.remove(Inode(checkpoint.identity))
            logger.warning(
                "checkpoint matches no file", metadata: ["path": "\(checkpoint.path)", "reason": "\(reason)"])
            events.append(.checkpointObsolete(checkpoint, reason: reason))
        case .reportMissing(let checkpoint):
            var kept = checkpoint
            kept.missingSince = checkpoint.missingSince ?? UnixTime.milliseconds()
            missingInodes.insert(Inode(checkpoint.identity))
            logger.warning(
                "the file of a checkpoint is not found: checkpoint kept, the file looked for at every poll",
                metadata: [
                    "path": "\(checkpoint.path)", "offset": "\(checkpoint.offset)",
                    "missingSinceMs": "\(kept.missingSince ?? 0)", "expiry": "\(configuration.missingFileExpiry)",
                ])
            events.append(.checkpointMissing(kept))
        }
    }

    // MARK: - Problems

    /// Notes a path that failed in this poll; logged by `settleProblems()`.
    private func report(_ path: String, _ error: any Error) {
        problems[path] = "\(error)"
    }

    /// Logs the problems that are new or changed since the last poll, and those that are gone.
    private func settleProblems() {
        for (path, problem) in problems.sorted(by: { $0.key < $1.key }) where reportedProblems[path] != problem {
            logger.warning(
                "cannot read log path; it is looked at again at every poll",
                metadata: ["path": "\(path)", "error": "\(problem)"])
        }
        for path in reportedProblems.keys.sorted() where problems[path] == nil {
            logger.info("log path no longer fails", metadata: ["path": "\(path)"])
        }
        reportedProblems = problems
    }

}

extension Tailer where C == ContinuousClock {
    /// A tailer on the continuous (monotonic) clock.
    public convenience init(
        sources: [LogSource],
        configuration: TailerConfiguration = TailerConfiguration(),
        checkpoints: [Checkpoint] = [],
        isFirstStart: Bool,
        logger: Logger = Logger(label: "edgelog.tailing")
    ) {
        self.init(
            sources: sources, configuration: configuration, checkpoints: checkpoints, isFirstStart: isFirstStart,
            clock: ContinuousClock(), logger: logger)
    }
}

@available(*, unavailable)
extension Tailer: Sendable {}
