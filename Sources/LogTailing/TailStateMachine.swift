/// The decisions of tailing, without any system call: which files to follow, where to start
/// them, when a renamed or deleted file has been drained, when content was replaced in place.
///
/// The driver (`Tailer`) gathers a `TailObservation` each poll, passes the time, and carries
/// out the returned `TailAction`s in order. Tests feed observations and instants directly.
///
/// Rules (DESIGN.md §3; reference/nginx/README.md "Ordering and rotation"):
/// - A file is its device and inode (plus first bytes, see `FileIdentity`), never its path:
///   a file renamed to another matching path is the same file, read on without a gap.
/// - Rename rotation: a tracked file no source path leads to any more is *detached*. It is
///   still read through its descriptor, because nginx keeps appending to it until it
///   reopens its logs. It is closed once all of these hold: a newer file exists at its last
///   path and has been written to (so nginx reopened), it was read to its end, and it did
///   not change for `drainIdle`.
/// - Deletion: an unlinked file is read on while it changes, and closed when read to its end
///   and idle, or when `deletedFileGrace` runs out (an open deleted file keeps its disk
///   space); its unread bytes are reported lost.
/// - copytruncate: the size fell below what was seen or read, or the first bytes changed:
///   the rest of the old content is reported lost and the file is read again from 0 as a new
///   generation.
/// - Start: a checkpoint of the same file (same inode, consistent first bytes, not shorter
///   than the checkpoint's offset) resumes at its offset. Without one, files present at the
///   first observation of the very first start follow `startAt`; every other file starts at 0.
public struct TailStateMachine<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public struct Configuration: Sendable, Equatable {
        /// `--start-at` for files present at the very first start.
        public var startAt: StartPosition
        /// How long a detached or deleted file must stay unchanged (and read to its end)
        /// before it is closed.
        public var drainIdle: Duration
        /// Longest time an unlinked file is kept open to be read.
        public var deletedFileGrace: Duration

        public init(startAt: StartPosition = .beginning, drainIdle: Duration = .seconds(2), deletedFileGrace: Duration = .seconds(30)) {
            self.startAt = startAt
            self.drainIdle = drainIdle
            self.deletedFileGrace = deletedFileGrace
        }
    }

    private struct Inode: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    /// What is remembered of a tracked file between observations.
    struct TrackedFile: Sendable {
        var device: UInt64
        var inode: UInt64
        /// The last path that led to it.
        var path: String
        var isReachable: Bool
        /// From a checkpoint search at start-up: drain and close, no newer-file condition.
        var drainOnly: Bool
        var lastSize: Int64
        var lastScanned: Int64
        var lastChange: Instant
        var unlinkedAt: Instant?

        func hasInode(device: UInt64, inode: UInt64) -> Bool {
            self.device == device && self.inode == inode
        }
    }

    public let configuration: Configuration
    private var files: [TailedFileID: TrackedFile] = [:]
    /// Checkpoints loaded at start-up not matched to a file yet; settled at the first observation.
    private var pendingCheckpoints: [Checkpoint]
    private let isFirstStart: Bool
    private var hasObserved = false
    private var nextID: UInt64 = 1

    /// - Parameters:
    ///   - checkpoints: what the checkpoint store held at start-up.
    ///   - isFirstStart: no checkpoint store existed yet (the shipper never ran here); only
    ///     then does `startAt` apply.
    public init(configuration: Configuration, checkpoints: [Checkpoint], isFirstStart: Bool) {
        self.configuration = configuration
        self.pendingCheckpoints = checkpoints
        self.isFirstStart = isFirstStart
    }

    /// Ids of the files being tracked, in the order they were started.
    public var trackedFiles: [TailedFileID] { files.keys.sorted() }

    /// Whether no source path leads to `file` any more (renamed away or deleted).
    public func isDetached(_ file: TailedFileID) -> Bool {
        files[file].map { !$0.isReachable } ?? false
    }

    /// Decides on one poll's observation at `now`.
    public mutating func observe(_ observation: TailObservation, now: Instant) -> [TailAction] {
        var actions: [TailAction] = []
        for id in files.keys.sorted() {
            guard let sighting = observation.files[id] else { continue }
            noteSighting(sighting, of: id, now: now, actions: &actions)
        }
        let byPath = Dictionary(observation.paths.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        noteReachability(observation.paths)
        for id in files.keys.sorted() {
            guard let sighting = observation.files[id], let file = files[id] else { continue }
            if let reason = closeReason(file, sighting, newer: byPath[file.path], now: now) {
                files[id] = nil
                actions.append(.close(file: id, reason: reason, lostBytes: max(0, sighting.size - sighting.consumedOffset)))
            }
        }
        for (index, candidate) in observation.candidates.enumerated() {
            actions += admit(candidate, index: index, now: now)
        }
        if !hasObserved {
            hasObserved = true
            actions += pendingCheckpoints.map { .discard($0, reason: .fileNotFound) }
            pendingCheckpoints = []
        }
        return actions
    }

    // MARK: - Tracked files

    /// Records growth and unlinking; restarts a file whose content was replaced.
    private mutating func noteSighting(_ sighting: TailObservation.FileSighting, of id: TailedFileID, now: Instant, actions: inout [TailAction]) {
        guard var file = files[id] else { return }
        let seen = max(file.lastSize, file.lastScanned, sighting.scannedOffset)
        if sighting.contentReplaced || sighting.size < seen {
            let newID = allocateID()
            actions.append(.restart(file: id, as: newID, lostBytes: max(0, seen - sighting.consumedOffset)))
            files[id] = nil
            file.lastSize = sighting.size
            file.lastScanned = 0
            file.lastChange = now
            files[newID] = file
            return
        }
        if sighting.size != file.lastSize || sighting.scannedOffset != file.lastScanned {
            file.lastChange = now
        }
        file.lastSize = sighting.size
        file.lastScanned = sighting.scannedOffset
        if sighting.linkCount == 0, file.unlinkedAt == nil {
            file.unlinkedAt = now
        }
        files[id] = file
    }

    /// Marks which tracked files a source path still leads to, and follows renames within
    /// the matched paths.
    private mutating func noteReachability(_ paths: [TailObservation.PathSighting]) {
        var pathsByInode: [Inode: [String]] = [:]
        for sighting in paths {
            pathsByInode[Inode(device: sighting.device, inode: sighting.inode), default: []].append(sighting.path)
        }
        for id in files.keys {
            guard var file = files[id] else { continue }
            let leading = pathsByInode[Inode(device: file.device, inode: file.inode)] ?? []
            file.isReachable = !leading.isEmpty && !file.drainOnly
            if !leading.contains(file.path), let first = leading.first {
                file.path = first
            }
            files[id] = file
        }
    }

    /// Why a tracked file is done, or `nil` while it must stay open.
    private func closeReason(
        _ file: TrackedFile,
        _ sighting: TailObservation.FileSighting,
        newer: TailObservation.PathSighting?,
        now: Instant
    ) -> TailedFileEnd? {
        guard !file.isReachable else { return nil }
        let drained = sighting.scannedOffset >= sighting.size && file.lastChange.duration(to: now) >= configuration.drainIdle
        if let unlinkedAt = file.unlinkedAt {
            return drained || unlinkedAt.duration(to: now) >= configuration.deletedFileGrace ? .deleted : nil
        }
        // What is at the file's old path now: another file that nginx has written to.
        let reopened = file.drainOnly || newer.map { !file.hasInode(device: $0.device, inode: $0.inode) && $0.size > 0 } ?? false
        return drained && reopened ? .rotated : nil
    }

    // MARK: - New files

    /// Decides where a newly seen file starts, matching it against the loaded checkpoints.
    private mutating func admit(_ candidate: TailObservation.Candidate, index: Int, now: Instant) -> [TailAction] {
        let identity = candidate.identity
        guard !files.values.contains(where: { $0.hasInode(device: identity.device, inode: identity.inode) }) else {
            return [.ignore(candidate: index)]
        }
        guard let match = pendingCheckpoints.firstIndex(where: { $0.identity.hasSameInode(as: identity) }) else {
            if candidate.foundByCheckpointSearch {
                return [.ignore(candidate: index)]
            }
            let fromEnd = !hasObserved && isFirstStart && configuration.startAt == .end
            let start = fromEnd ? StartOffset.lastLineBoundary(atOrBefore: candidate.size) : .offset(0)
            return [track(candidate, index: index, at: start, resumedFrom: nil, now: now)]
        }
        let checkpoint = pendingCheckpoints.remove(at: match)
        guard let reason = Self.mismatch(of: checkpoint, with: candidate) else {
            return [track(candidate, index: index, at: .offset(checkpoint.offset), resumedFrom: checkpoint, now: now)]
        }
        if candidate.foundByCheckpointSearch {
            return [.discard(checkpoint, reason: reason), .ignore(candidate: index)]
        }
        return [.discard(checkpoint, reason: reason), track(candidate, index: index, at: .offset(0), resumedFrom: nil, now: now)]
    }

    /// `nil` when `checkpoint` describes the candidate's current content, else why not.
    private static func mismatch(of checkpoint: Checkpoint, with candidate: TailObservation.Candidate) -> ObsoleteCheckpointReason? {
        let stored = checkpoint.identity
        guard stored.fingerprintIsConsistent(with: candidate.identity.fingerprint) else { return .contentReplaced }
        let shrank = candidate.size < Int64(stored.fingerprint.count) || candidate.size < checkpoint.offset
        return shrank ? .fileShrank : nil
    }

    private mutating func track(
        _ candidate: TailObservation.Candidate,
        index: Int,
        at start: StartOffset,
        resumedFrom checkpoint: Checkpoint?,
        now: Instant
    ) -> TailAction {
        let id = allocateID()
        files[id] = TrackedFile(
            device: candidate.identity.device, inode: candidate.identity.inode, path: candidate.path,
            isReachable: !candidate.foundByCheckpointSearch, drainOnly: candidate.foundByCheckpointSearch,
            lastSize: candidate.size, lastScanned: 0, lastChange: now, unlinkedAt: nil)
        return .start(candidate: index, file: id, at: start, resumedFrom: checkpoint)
    }

    private mutating func allocateID() -> TailedFileID {
        defer { nextID += 1 }
        return TailedFileID(rawValue: nextID)
    }
}
