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
///   the file is read again from 0 as a new generation. A glob such as `access.log*` also
///   matches the copy; it is told by its first bytes (`TailStateMachine+Copies.swift`) and
///   read only from where the original was read to, so the lines written between the last
///   read and the truncation come from the copy. What neither was read nor is in the copy is
///   reported lost.
/// - Start: a checkpoint of the same file (same inode, consistent first bytes, not shorter
///   than the checkpoint's offset) resumes at its offset. Without one, files present at the
///   first observation of the very first start follow `startAt`; every other file starts at 0.
/// - A checkpoint no file matches is kept and its file looked for at every observation (its
///   directory may be unreadable for a while); it is discarded only when it stayed missing for
///   `missingFileExpiry`, counted from when it first went missing, across restarts.
public struct TailStateMachine<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public struct Configuration: Sendable, Equatable {
        /// `--start-at` for files present at the very first start.
        public var startAt: StartPosition
        /// How long a detached or deleted file must stay unchanged (and read to its end)
        /// before it is closed.
        public var drainIdle: Duration
        /// Longest time an unlinked file is kept open to be read.
        public var deletedFileGrace: Duration
        /// How long a checkpoint whose file is not found is kept before it is discarded.
        public var missingFileExpiry: Duration

        public init(
            startAt: StartPosition = .beginning,
            drainIdle: Duration = .seconds(2),
            deletedFileGrace: Duration = .seconds(30),
            missingFileExpiry: Duration = .seconds(24 * 3_600)
        ) {
            self.startAt = startAt
            self.drainIdle = drainIdle
            self.deletedFileGrace = deletedFileGrace
            self.missingFileExpiry = missingFileExpiry
        }
    }

    struct Inode: Hashable {
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
        /// The first bytes as last sighted (empty until known, e.g. right after a restart at 0).
        var fingerprint: [UInt8]

        func hasInode(device: UInt64, inode: UInt64) -> Bool {
            self.device == device && self.inode == inode
        }
    }

    /// A loaded checkpoint no file has taken yet.
    struct PendingCheckpoint: Sendable {
        var checkpoint: Checkpoint
        /// How long its file had been missing before this start (from `Checkpoint.missingSince`).
        var missingBefore: Duration
        /// Since when no file was found for it; `nil` before the first observation.
        var missingSince: Instant?
    }

    /// A generation whose content was replaced in the observation being decided.
    struct Truncation: Sendable {
        var file: TailedFileID
        var newID: TailedFileID
        /// The first bytes of the replaced content.
        var fingerprint: [UInt8]
        var consumedOffset: Int64
        /// The most of the replaced content known to have existed.
        var seen: Int64
        /// The size of the copy that took over the rest, if one did.
        var copiedEnd: Int64?

        /// Bytes that were neither read nor are in the copy.
        var lostBytes: Int64 { max(0, seen - max(consumedOffset, copiedEnd ?? 0)) }
    }

    public let configuration: Configuration
    // `files` and `pendingCheckpoints` are internal, not private, for the copy recognition in
    // `TailStateMachine+Copies.swift`; nothing outside this type changes them.
    var files: [TailedFileID: TrackedFile] = [:]
    /// Loaded checkpoints not matched to a file yet: before the first observation all of them,
    /// afterwards the missing ones.
    var pendingCheckpoints: [PendingCheckpoint]
    private let isFirstStart: Bool
    private var hasObserved = false
    private var nextID: UInt64 = 1

    /// - Parameters:
    ///   - checkpoints: what the checkpoint store held at start-up.
    ///   - isFirstStart: no checkpoint store existed yet (the shipper never ran here); only
    ///     then does `startAt` apply.
    ///   - wallClockMs: the wall-clock time now (ms since the Unix epoch), to tell how long a
    ///     checkpoint with `missingSince` has been missing already.
    public init(configuration: Configuration, checkpoints: [Checkpoint], isFirstStart: Bool, wallClockMs: Int64 = 0) {
        self.configuration = configuration
        self.pendingCheckpoints = checkpoints.map { checkpoint in
            let before = checkpoint.missingSince.map { Duration.milliseconds(max(0, wallClockMs - $0)) } ?? .zero
            return PendingCheckpoint(checkpoint: checkpoint, missingBefore: before, missingSince: nil)
        }
        self.isFirstStart = isFirstStart
    }

    /// Ids of the files being tracked, in the order they were started.
    public var trackedFiles: [TailedFileID] { files.keys.sorted() }

    /// Whether no source path leads to `file` any more (renamed away or deleted).
    public func isDetached(_ file: TailedFileID) -> Bool {
        files[file].map { !$0.isReachable } ?? false
    }

    /// Loaded checkpoints no file has taken yet; the driver searches their directories.
    public var unmatchedCheckpoints: [Checkpoint] { pendingCheckpoints.map(\.checkpoint) }

    /// Checkpoints kept although no file was found for them (after the first observation).
    public var missingCheckpointCount: Int { hasObserved ? pendingCheckpoints.count : 0 }

    /// Decides on one poll's observation at `now`.
    public mutating func observe(_ observation: TailObservation, now: Instant) -> [TailAction] {
        var truncations: [Truncation] = []
        for id in files.keys.sorted() {
            guard let sighting = observation.files[id] else { continue }
            if let truncation = noteSighting(sighting, of: id, now: now) { truncations.append(truncation) }
        }
        let byPath = Dictionary(observation.paths.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        noteReachability(observation.paths)
        var closes: [TailAction] = []
        for id in files.keys.sorted() {
            guard let sighting = observation.files[id], let file = files[id] else { continue }
            if let reason = closeReason(file, sighting, newer: byPath[file.path], now: now) {
                files[id] = nil
                closes.append(.close(file: id, reason: reason, lostBytes: max(0, sighting.size - sighting.consumedOffset)))
            }
        }
        var admissions: [TailAction] = []
        let claims = claimCheckpointsByCopies(observation)
        for (index, candidate) in observation.candidates.enumerated() {
            admissions += admit(candidate, index: index, claimed: claims[index], truncations: &truncations, now: now)
        }
        let restarts = truncations.map { TailAction.restart(file: $0.file, as: $0.newID, lostBytes: $0.lostBytes) }
        hasObserved = true
        return restarts + closes + admissions + settleMissingCheckpoints(now: now)
    }

    // MARK: - Tracked files

    /// Records growth and unlinking; a file whose content was replaced gets a new id, and its
    /// old content is returned (a copy may take it over).
    private mutating func noteSighting(
        _ sighting: TailObservation.FileSighting,
        of id: TailedFileID,
        now: Instant
    ) -> Truncation? {
        guard var file = files[id] else { return nil }
        let seen = max(file.lastSize, file.lastScanned, sighting.scannedOffset)
        if sighting.contentReplaced || sighting.size < seen {
            let newID = allocateID()
            let oldFirstBytes = sighting.fingerprint.count > file.fingerprint.count ? sighting.fingerprint : file.fingerprint
            files[id] = nil
            file.lastSize = sighting.size
            file.lastScanned = 0
            file.lastChange = now
            file.fingerprint = []
            files[newID] = file
            return Truncation(
                file: id, newID: newID, fingerprint: oldFirstBytes, consumedOffset: sighting.consumedOffset, seen: seen)
        }
        if sighting.size != file.lastSize || sighting.scannedOffset != file.lastScanned {
            file.lastChange = now
        }
        file.lastSize = sighting.size
        file.lastScanned = sighting.scannedOffset
        if sighting.fingerprint.count > file.fingerprint.count {
            file.fingerprint = sighting.fingerprint
        }
        if sighting.linkCount == 0, file.unlinkedAt == nil {
            file.unlinkedAt = now
        }
        files[id] = file
        return nil
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

    /// Decides where a newly seen file starts: at a checkpoint (its own, or, for a copy, its
    /// original's), where a truncated original was read to (a copy), later (a copy of content
    /// that is read elsewhere, or one still being written), or as a new file.
    private mutating func admit(
        _ candidate: TailObservation.Candidate,
        index: Int,
        claimed: Checkpoint?,
        truncations: inout [Truncation],
        now: Instant
    ) -> [TailAction] {
        let identity = candidate.identity
        guard !files.values.contains(where: { $0.hasInode(device: identity.device, inode: identity.inode) }) else {
            return [.ignore(candidate: index)]
        }
        if let checkpoint = claimed {
            // The copy holds the checkpoint's content; one shorter than the offset holds nothing new.
            let start = min(checkpoint.offset, candidate.size)
            return [track(candidate, index: index, at: .offset(start), resumedFrom: checkpoint, now: now)]
        }
        if let match = pendingCheckpoints.firstIndex(where: { $0.checkpoint.identity.hasSameInode(as: identity) }) {
            let checkpoint = pendingCheckpoints.remove(at: match).checkpoint
            guard let reason = Self.mismatch(of: checkpoint, with: candidate) else {
                return [track(candidate, index: index, at: .offset(checkpoint.offset), resumedFrom: checkpoint, now: now)]
            }
            if candidate.foundByCheckpointSearch {
                return [.discard(checkpoint, reason: reason), .ignore(candidate: index)]
            }
            return [
                .discard(checkpoint, reason: reason), track(candidate, index: index, at: .offset(0), resumedFrom: nil, now: now),
            ]
        }
        if candidate.foundByCheckpointSearch {
            return [.ignore(candidate: index)]
        }
        let firstBytes = identity.fingerprint
        if let truncated = truncations.firstIndex(where: { $0.copiedEnd == nil && Self.isCopy(firstBytes, of: $0.fingerprint) }) {
            truncations[truncated].copiedEnd = candidate.size
            let start = min(truncations[truncated].consumedOffset, candidate.size)
            return [track(candidate, index: index, at: .offset(start), resumedFrom: nil, now: now)]
        }
        if knownContent(truncations).contains(where: { Self.isCopy(firstBytes, of: $0) || Self.mayBecomeCopy(firstBytes, of: $0) }) {
            return [.ignore(candidate: index)]  // looked at again at the next observation
        }
        let fromEnd = !hasObserved && isFirstStart && configuration.startAt == .end
        let start = fromEnd ? StartOffset.lastLineBoundary(atOrBefore: candidate.size) : .offset(0)
        return [track(candidate, index: index, at: start, resumedFrom: nil, now: now)]
    }

    /// `nil` when `checkpoint` describes the candidate's current content, else why not.
    static func mismatch(of checkpoint: Checkpoint, with candidate: TailObservation.Candidate) -> ObsoleteCheckpointReason? {
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
            lastSize: candidate.size, lastScanned: 0, lastChange: now, unlinkedAt: nil,
            fingerprint: candidate.identity.fingerprint)
        return .start(candidate: index, file: id, at: start, resumedFrom: checkpoint)
    }

    private mutating func allocateID() -> TailedFileID {
        defer { nextID += 1 }
        return TailedFileID(rawValue: nextID)
    }

    // MARK: - Missing checkpoints

    /// Checkpoints still unmatched after an observation are missing: reported the first time,
    /// discarded once missing for `missingFileExpiry` (time missing before this start included).
    private mutating func settleMissingCheckpoints(now: Instant) -> [TailAction] {
        var actions: [TailAction] = []
        var kept: [PendingCheckpoint] = []
        for var pending in pendingCheckpoints {
            let since = pending.missingSince ?? now.advanced(by: .zero - pending.missingBefore)
            if since.duration(to: now) >= configuration.missingFileExpiry {
                actions.append(.discard(pending.checkpoint, reason: .fileNotFound))
                continue
            }
            if pending.missingSince == nil {
                actions.append(.reportMissing(pending.checkpoint))
            }
            pending.missingSince = since
            kept.append(pending)
        }
        pendingCheckpoints = kept
        return actions
    }
}
