import LogTailing
import Testing

/// The decisions alone, on hand-made observations and a hand-advanced clock.
@Suite struct TailStateMachineTests {
    typealias Machine = TailStateMachine<ContinuousClock.Instant>
    typealias Sighting = TailObservation.FileSighting

    private let t0 = ContinuousClock.now
    private let configuration = Machine.Configuration(startAt: .beginning, drainIdle: .seconds(2), deletedFileGrace: .seconds(30))
    private let bytesA = Array("10.0.0.1 - - [01/Jan/2026] \"GET /a\"".utf8)
    private let bytesB = Array("10.9.9.9 - - [02/Jan/2026] \"GET /b\"".utf8)

    private func at(_ seconds: Double) -> ContinuousClock.Instant { t0.advanced(by: .seconds(seconds)) }

    private func path(_ path: String, inode: UInt64, size: Int64) -> TailObservation.PathSighting {
        .init(path: path, sourceIndex: 0, device: 1, inode: inode, size: size)
    }

    private func candidate(_ path: String, inode: UInt64, bytes: [UInt8], size: Int64) -> TailObservation.Candidate {
        .init(path: path, sourceIndex: 0, identity: FileIdentity(device: 1, inode: inode, fingerprint: bytes), size: size)
    }

    private func sighting(size: Int64, read: Int64, consumed: Int64? = nil, links: UInt64 = 1, replaced: Bool = false) -> Sighting {
        Sighting(size: size, linkCount: links, consumedOffset: consumed ?? read, scannedOffset: read, contentReplaced: replaced)
    }

    /// Starts one file `access.log` (inode 10) and returns its id.
    private func started(_ machine: inout Machine, size: Int64 = 1_000) -> TailedFileID {
        let actions = machine.observe(
            TailObservation(
                paths: [path("access.log", inode: 10, size: size)],
                candidates: [candidate("access.log", inode: 10, bytes: bytesA, size: size)]),
            now: t0)
        guard case .start(0, let id, .offset(0), nil)? = actions.first, actions.count == 1 else {
            Issue.record("unexpected \(actions)")
            return TailedFileID(rawValue: 0)
        }
        return id
    }

    @Test func renamedFileIsDrainedUntilIdleAfterTheNewFileIsWritten() {
        var machine = Machine(configuration: configuration, checkpoints: [], isFirstStart: false)
        let old = started(&machine)
        // Renamed away, nothing at the path yet (between mv and nginx's reopen): keep reading.
        #expect(machine.observe(TailObservation(files: [old: sighting(size: 1_200, read: 1_200)]), now: at(5)) == [])
        #expect(machine.isDetached(old))
        // New file created but empty (logrotate `create`): nginx has not reopened yet. An empty
        // file may as well be a copy whose writing has just begun: decided once it has bytes.
        let empty = path("access.log", inode: 11, size: 0)
        let fresh = candidate("access.log", inode: 11, bytes: [], size: 0)
        #expect(
            machine.observe(
                TailObservation(paths: [empty], files: [old: sighting(size: 1_200, read: 1_200)], candidates: [fresh]),
                now: at(10)) == [.ignore(candidate: 0)])
        // nginx still appends to the renamed file; the new one got its first line.
        let written = path("access.log", inode: 11, size: 80)
        let growing = TailObservation(
            paths: [written], files: [old: sighting(size: 1_300, read: 1_250)],
            candidates: [candidate("access.log", inode: 11, bytes: bytesB, size: 80)])
        let admitted = machine.observe(growing, now: at(11))
        guard case .start(0, let new, .offset(0), nil)? = admitted.first, admitted.count == 1 else {
            Issue.record("unexpected \(admitted)")
            return
        }
        let readToEnd = TailObservation(
            paths: [written], files: [old: sighting(size: 1_300, read: 1_300), new: sighting(size: 80, read: 80)])
        #expect(machine.observe(readToEnd, now: at(12)) == [])
        #expect(machine.observe(readToEnd, now: at(13.9)) == [])
        #expect(machine.observe(readToEnd, now: at(14)) == [.close(file: old, reason: .rotated, lostBytes: 0)])
        #expect(machine.trackedFiles == [new])
        #expect(!machine.isDetached(new))
    }

    @Test func aRotatedFileWithAnUnfinishedLastLineReportsItsBytes() {
        var machine = Machine(configuration: configuration, checkpoints: [], isFirstStart: false)
        let old = started(&machine)
        let newer = path("access.log", inode: 11, size: 10)
        let fresh = candidate("access.log", inode: 11, bytes: bytesB, size: 10)
        _ = machine.observe(TailObservation(paths: [newer], files: [old: sighting(size: 1_000, read: 1_000, consumed: 970)], candidates: [fresh]), now: at(1))
        let actions = machine.observe(TailObservation(paths: [newer], files: [old: sighting(size: 1_000, read: 1_000, consumed: 970)]), now: at(3))
        #expect(actions == [.close(file: old, reason: .rotated, lostBytes: 30)])
    }

    /// Renamed to another name the sources match (glob `access.log*`): still the same file,
    /// followed at its new path, never closed.
    @Test func renameWithinTheMatchedPathsKeepsFollowing() {
        var machine = Machine(configuration: configuration, checkpoints: [], isFirstStart: false)
        let old = started(&machine)
        let moved = TailObservation(
            paths: [path("access.log.1", inode: 10, size: 1_000), path("access.log", inode: 11, size: 50)],
            files: [old: sighting(size: 1_000, read: 1_000)])
        #expect(machine.observe(moved, now: at(1)) == [])
        #expect(machine.observe(moved, now: at(100)) == [])
        #expect(!machine.isDetached(old))
    }

    @Test func aDeletedFileNotReadToItsEndIsALossAfterTheGrace() {
        var machine = Machine(configuration: configuration, checkpoints: [], isFirstStart: false)
        let old = started(&machine)
        let unlinked = sighting(size: 5_000, read: 1_000, consumed: 900, links: 0)
        #expect(machine.observe(TailObservation(files: [old: unlinked]), now: at(1)) == [])
        #expect(machine.observe(TailObservation(files: [old: unlinked]), now: at(30.9)) == [])
        #expect(machine.observe(TailObservation(files: [old: unlinked]), now: at(31)) == [
            .close(file: old, reason: .deleted, lostBytes: 4_100)
        ])
    }

    @Test func aDeletedFileReadToItsEndClosesWithoutLoss() {
        var machine = Machine(configuration: configuration, checkpoints: [], isFirstStart: false)
        let old = started(&machine)
        let done = sighting(size: 5_000, read: 5_000, links: 0)
        #expect(machine.observe(TailObservation(files: [old: done]), now: at(1)) == [])
        #expect(machine.observe(TailObservation(files: [old: done]), now: at(3)) == [.close(file: old, reason: .deleted, lostBytes: 0)])
    }

    @Test func shrinkingIsCopytruncate() {
        var machine = Machine(configuration: configuration, checkpoints: [], isFirstStart: false)
        let old = started(&machine)
        _ = machine.observe(TailObservation(paths: [path("access.log", inode: 10, size: 3_000)], files: [old: sighting(size: 3_000, read: 2_000)]), now: at(1))
        let actions = machine.observe(TailObservation(paths: [path("access.log", inode: 10, size: 0)], files: [old: sighting(size: 0, read: 2_000)]), now: at(2))
        guard case .restart(old, let new, 1_000)? = actions.first, actions.count == 1 else {
            Issue.record("unexpected \(actions)")
            return
        }
        #expect(new != old)
        #expect(machine.trackedFiles == [new])
        // The new generation is not itself "shrunk" relative to the old offsets.
        #expect(machine.observe(TailObservation(paths: [path("access.log", inode: 10, size: 40)], files: [new: sighting(size: 40, read: 40)]), now: at(3)) == [])
    }

    @Test func changedFirstBytesAreCopytruncateEvenWhenLonger() {
        var machine = Machine(configuration: configuration, checkpoints: [], isFirstStart: false)
        let old = started(&machine)
        let actions = machine.observe(
            TailObservation(paths: [path("access.log", inode: 10, size: 9_000)], files: [old: sighting(size: 9_000, read: 600, replaced: true)]),
            now: at(1))
        // The old content was last seen 1 000 bytes long (at the start) and read to 600.
        guard case .restart(old, _, 400)? = actions.first, actions.count == 1 else {
            Issue.record("unexpected \(actions)")
            return
        }
    }

    @Test func startAtEndOnlyForFilesPresentAtTheFirstStart() {
        let fromEnd = Machine.Configuration(startAt: .end, drainIdle: .seconds(1), deletedFileGrace: .seconds(1))
        var first = Machine(configuration: fromEnd, checkpoints: [], isFirstStart: true)
        let present = first.observe(
            TailObservation(paths: [path("access.log", inode: 10, size: 700)], candidates: [candidate("access.log", inode: 10, bytes: bytesA, size: 700)]),
            now: t0)
        #expect(present == [.start(candidate: 0, file: TailedFileID(rawValue: 1), at: .lastLineBoundary(atOrBefore: 700), resumedFrom: nil)])
        let later = first.observe(
            TailObservation(paths: [path("error.log", inode: 12, size: 300)], candidates: [candidate("error.log", inode: 12, bytes: bytesB, size: 300)]),
            now: at(1))
        #expect(later == [.start(candidate: 0, file: TailedFileID(rawValue: 2), at: .offset(0), resumedFrom: nil)])

        var restarted = Machine(configuration: fromEnd, checkpoints: [], isFirstStart: false)
        let unknown = restarted.observe(
            TailObservation(paths: [path("access.log", inode: 10, size: 700)], candidates: [candidate("access.log", inode: 10, bytes: bytesA, size: 700)]),
            now: t0)
        #expect(unknown == [.start(candidate: 0, file: TailedFileID(rawValue: 1), at: .offset(0), resumedFrom: nil)])
    }

    private func checkpoint(inode: UInt64, bytes: [UInt8], offset: Int64) -> Checkpoint {
        Checkpoint(
            identity: FileIdentity(device: 1, inode: inode, fingerprint: bytes), path: "access.log", sourcePattern: "access.log",
            offset: offset, producerId: 5, producerEpoch: 0, sequences: [0: 9])
    }

    @Test func aMatchingCheckpointResumesAtItsOffset() {
        let saved = checkpoint(inode: 10, bytes: Array(bytesA.prefix(10)), offset: 640)
        var machine = Machine(configuration: .init(startAt: .end), checkpoints: [saved], isFirstStart: true)
        let actions = machine.observe(
            TailObservation(paths: [path("access.log", inode: 10, size: 900)], candidates: [candidate("access.log", inode: 10, bytes: bytesA, size: 900)]),
            now: t0)
        #expect(actions == [.start(candidate: 0, file: TailedFileID(rawValue: 1), at: .offset(640), resumedFrom: saved)])
    }

    @Test func aReusedInodeDoesNotInheritTheCheckpoint() {
        let saved = checkpoint(inode: 10, bytes: bytesA, offset: 640)
        var machine = Machine(configuration: configuration, checkpoints: [saved], isFirstStart: false)
        let actions = machine.observe(
            TailObservation(paths: [path("access.log", inode: 10, size: 900)], candidates: [candidate("access.log", inode: 10, bytes: bytesB, size: 900)]),
            now: t0)
        #expect(actions == [
            .discard(saved, reason: .contentReplaced),
            .start(candidate: 0, file: TailedFileID(rawValue: 1), at: .offset(0), resumedFrom: nil),
        ])
    }

    @Test func aFileShorterThanItsCheckpointStartsOver() {
        let saved = checkpoint(inode: 10, bytes: Array(bytesA.prefix(8)), offset: 640)
        var machine = Machine(configuration: configuration, checkpoints: [saved], isFirstStart: false)
        let actions = machine.observe(
            TailObservation(paths: [path("access.log", inode: 10, size: 300)], candidates: [candidate("access.log", inode: 10, bytes: bytesA, size: 300)]),
            now: t0)
        #expect(actions == [
            .discard(saved, reason: .fileShrank),
            .start(candidate: 0, file: TailedFileID(rawValue: 1), at: .offset(0), resumedFrom: nil),
        ])
    }

    /// A checkpointed file found only by searching its directory (rotated while down) is read
    /// from the checkpoint and closed once drained, with no newer-file condition.
    @Test func aRotatedFileFoundAfterRestartIsDrainedAndClosed() {
        let saved = checkpoint(inode: 10, bytes: bytesA, offset: 640)
        var machine = Machine(configuration: configuration, checkpoints: [saved], isFirstStart: false)
        var found = candidate("access.log.1", inode: 10, bytes: bytesA, size: 900)
        found.foundByCheckpointSearch = true
        let actions = machine.observe(TailObservation(candidates: [found]), now: t0)
        #expect(actions == [.start(candidate: 0, file: TailedFileID(rawValue: 1), at: .offset(640), resumedFrom: saved)])
        let file = TailedFileID(rawValue: 1)
        #expect(machine.isDetached(file))
        #expect(machine.observe(TailObservation(files: [file: sighting(size: 900, read: 900)]), now: at(1)) == [])
        #expect(machine.observe(TailObservation(files: [file: sighting(size: 900, read: 900)]), now: at(3)) == [
            .close(file: file, reason: .rotated, lostBytes: 0)
        ])
    }

    @Test func withAZeroExpiryACheckpointMatchingNothingIsDiscardedAtTheFirstObservation() {
        let saved = checkpoint(inode: 10, bytes: bytesA, offset: 640)
        var machine = Machine(configuration: settings(expiry: .zero), checkpoints: [saved], isFirstStart: false)
        #expect(machine.observe(TailObservation(), now: t0) == [.discard(saved, reason: .fileNotFound)])
        #expect(machine.observe(TailObservation(), now: at(1)) == [])
    }

    // MARK: - Missing checkpoints (issue 13 hole 4)

    private func settings(expiry: Duration) -> Machine.Configuration {
        Machine.Configuration(startAt: .beginning, drainIdle: .seconds(2), deletedFileGrace: .seconds(30), missingFileExpiry: expiry)
    }

    /// Its directory unreadable at start-up: the checkpoint is kept (reported once), and given
    /// up only when its file stayed unseen for the expiry.
    @Test func aCheckpointWhoseFileIsNotSeenIsKeptReportedOnceAndExpires() {
        let saved = checkpoint(inode: 10, bytes: bytesA, offset: 640)
        var machine = Machine(configuration: settings(expiry: .seconds(60)), checkpoints: [saved], isFirstStart: false)
        #expect(machine.missingCheckpointCount == 0)
        #expect(machine.observe(TailObservation(), now: t0) == [.reportMissing(saved)])
        #expect(machine.missingCheckpointCount == 1)
        #expect(machine.unmatchedCheckpoints == [saved])
        #expect(machine.observe(TailObservation(), now: at(59.9)) == [])
        #expect(machine.observe(TailObservation(), now: at(60)) == [.discard(saved, reason: .fileNotFound)])
        #expect(machine.missingCheckpointCount == 0)
        #expect(machine.observe(TailObservation(), now: at(61)) == [])
    }

    @Test func aMissingCheckpointResumesWhenItsFileIsSeenAgain() {
        let saved = checkpoint(inode: 10, bytes: bytesA, offset: 640)
        var machine = Machine(configuration: configuration, checkpoints: [saved], isFirstStart: false)
        #expect(machine.observe(TailObservation(), now: t0) == [.reportMissing(saved)])
        #expect(machine.observe(TailObservation(), now: at(5)) == [])
        let back = machine.observe(
            TailObservation(
                paths: [path("access.log", inode: 10, size: 900)], candidates: [candidate("access.log", inode: 10, bytes: bytesA, size: 900)]),
            now: at(10))
        #expect(back == [.start(candidate: 0, file: TailedFileID(rawValue: 1), at: .offset(640), resumedFrom: saved)])
        #expect(machine.missingCheckpointCount == 0)
    }

    /// The time a checkpoint was already missing before a restart (`missingSince`, wall clock)
    /// counts towards the expiry.
    @Test func timeMissingBeforeARestartCountsTowardsTheExpiry() {
        var saved = checkpoint(inode: 10, bytes: bytesA, offset: 640)
        let wallNow: Int64 = 1_800_000_000_000
        saved.missingSince = wallNow - 2 * 3_600_000
        var machine = Machine(
            configuration: settings(expiry: .seconds(3 * 3_600)), checkpoints: [saved], isFirstStart: false, wallClockMs: wallNow)
        #expect(machine.observe(TailObservation(), now: t0) == [.reportMissing(saved)])
        #expect(machine.observe(TailObservation(), now: at(3_599)) == [])
        #expect(machine.observe(TailObservation(), now: at(3_600)) == [.discard(saved, reason: .fileNotFound)])
    }

    // MARK: - copytruncate's copy (issue 13 hole 5)

    /// Reads `access.log` (inode 10, `bytesA`) to `read` of `size` bytes and returns its id.
    private func readTo(_ read: Int64, of size: Int64, _ machine: inout Machine) -> TailedFileID {
        let id = started(&machine)
        _ = machine.observe(
            TailObservation(paths: [path("access.log", inode: 10, size: size)], files: [id: sighting(size: size, read: read)]), now: at(1))
        return id
    }

    /// The truncation and the copy seen in one observation: the copy is read from where the
    /// original was read to, and nothing is lost when the copy holds all that was seen.
    @Test func aCopyOfATruncatedFileIsReadFromWhereTheOriginalWasRead() {
        var machine = Machine(configuration: configuration, checkpoints: [], isFirstStart: false)
        let old = readTo(1_000, of: 1_000, &machine)
        // 500 bytes appended and not read, copied to access.log.1, truncated, 40 new bytes.
        let actions = machine.observe(
            TailObservation(
                paths: [path("access.log", inode: 10, size: 40), path("access.log.1", inode: 11, size: 1_500)],
                files: [old: sighting(size: 40, read: 1_000, replaced: true)],
                candidates: [candidate("access.log.1", inode: 11, bytes: bytesA, size: 1_500)]),
            now: at(2))
        guard case .restart(old, let new, 0)? = actions.first, actions.count == 2 else {
            Issue.record("unexpected \(actions)")
            return
        }
        let copy = TailedFileID(rawValue: new.rawValue + 1)
        #expect(actions[1] == .start(candidate: 0, file: copy, at: .offset(1_000), resumedFrom: nil))
        #expect(machine.trackedFiles == [new, copy])
        #expect(!machine.isDetached(copy))
    }

    /// What was seen of the old content but neither read nor copied is the loss.
    @Test func whatTheCopyDoesNotHoldIsLost() {
        var machine = Machine(configuration: configuration, checkpoints: [], isFirstStart: false)
        let old = readTo(2_000, of: 3_000, &machine)
        let actions = machine.observe(
            TailObservation(
                paths: [path("access.log", inode: 10, size: 0), path("access.log.1", inode: 11, size: 2_500)],
                files: [old: sighting(size: 0, read: 2_000)],
                candidates: [candidate("access.log.1", inode: 11, bytes: bytesA, size: 2_500)]),
            now: at(2))
        guard case .restart(old, let new, 500)? = actions.first, actions.count == 2 else {
            Issue.record("unexpected \(actions)")
            return
        }
        #expect(actions[1] == .start(candidate: 0, file: TailedFileID(rawValue: new.rawValue + 1), at: .offset(2_000), resumedFrom: nil))
    }

    /// logrotate copies first: while the original is not truncated yet the copy holds nothing
    /// that is not read from the original. It is taken once the truncation is seen.
    @Test func aCopyOfAFileStillBeingReadWaitsForTheTruncation() {
        var machine = Machine(configuration: configuration, checkpoints: [], isFirstStart: false)
        let old = readTo(1_000, of: 1_000, &machine)
        let copy = candidate("access.log.1", inode: 11, bytes: bytesA, size: 1_200)
        let copyPath = path("access.log.1", inode: 11, size: 1_200)
        let waiting = machine.observe(
            TailObservation(
                paths: [path("access.log", inode: 10, size: 1_200), copyPath], files: [old: sighting(size: 1_200, read: 1_100)],
                candidates: [copy]),
            now: at(2))
        #expect(waiting == [.ignore(candidate: 0)])
        let taken = machine.observe(
            TailObservation(
                paths: [path("access.log", inode: 10, size: 0), copyPath], files: [old: sighting(size: 0, read: 1_100)],
                candidates: [copy]),
            now: at(3))
        guard case .restart(old, let new, 0)? = taken.first, taken.count == 2 else {
            Issue.record("unexpected \(taken)")
            return
        }
        #expect(taken[1] == .start(candidate: 0, file: TailedFileID(rawValue: new.rawValue + 1), at: .offset(1_100), resumedFrom: nil))
    }

    /// A new file whose bytes so far are a prefix of a tracked file's (or nothing) may be a
    /// copy being written: it is not read before it can be told apart.
    @Test(arguments: [0, 12])
    func aFileThatMayBeACopyBeingWrittenIsDecidedLater(bytes: Int) {
        var machine = Machine(configuration: configuration, checkpoints: [], isFirstStart: false)
        let old = readTo(1_000, of: 1_000, &machine)
        let partial = candidate("access.log.1", inode: 11, bytes: Array(bytesA.prefix(bytes)), size: Int64(bytes))
        let actions = machine.observe(
            TailObservation(
                paths: [path("access.log", inode: 10, size: 1_000), path("access.log.1", inode: 11, size: Int64(bytes))],
                files: [old: sighting(size: 1_000, read: 1_000)], candidates: [partial]),
            now: at(2))
        #expect(actions == [.ignore(candidate: 0)])
    }

    /// copytruncate while the shipper was down: the original holds new content, the copy the
    /// checkpoint's. The copy resumes at the checkpoint, the original is a new file; the
    /// checkpoint is not reported obsolete.
    @Test func aCopyMadeWhileDownContinuesTheOriginalsCheckpoint() {
        let saved = checkpoint(inode: 10, bytes: bytesA, offset: 640)
        var machine = Machine(configuration: configuration, checkpoints: [saved], isFirstStart: false)
        let actions = machine.observe(
            TailObservation(
                paths: [path("access.log", inode: 10, size: 100), path("access.log.1", inode: 11, size: 900)],
                candidates: [
                    candidate("access.log", inode: 10, bytes: bytesB, size: 100),
                    candidate("access.log.1", inode: 11, bytes: bytesA, size: 900),
                ]),
            now: t0)
        #expect(
            actions == [
                .start(candidate: 0, file: TailedFileID(rawValue: 1), at: .offset(0), resumedFrom: nil),
                .start(candidate: 1, file: TailedFileID(rawValue: 2), at: .offset(640), resumedFrom: saved),
            ])
    }

    /// The shipper was down between logrotate's copy and its truncation: the original still
    /// holds the checkpoint's content and resumes; the copy is left alone.
    @Test func aCopyIsLeftAloneWhileTheCheckpointedOriginalIsIntact() {
        let saved = checkpoint(inode: 10, bytes: bytesA, offset: 640)
        var machine = Machine(configuration: configuration, checkpoints: [saved], isFirstStart: false)
        let actions = machine.observe(
            TailObservation(
                paths: [path("access.log", inode: 10, size: 900), path("access.log.1", inode: 11, size: 900)],
                candidates: [
                    candidate("access.log.1", inode: 11, bytes: bytesA, size: 900),
                    candidate("access.log", inode: 10, bytes: bytesA, size: 900),
                ]),
            now: t0)
        #expect(
            actions == [
                .ignore(candidate: 0),
                .start(candidate: 1, file: TailedFileID(rawValue: 1), at: .offset(640), resumedFrom: saved),
            ])
    }

    @Test func aSecondPathToATrackedFileIsIgnored() {
        var machine = Machine(configuration: configuration, checkpoints: [], isFirstStart: false)
        _ = started(&machine)
        let again = machine.observe(
            TailObservation(candidates: [candidate("link-to-access.log", inode: 10, bytes: bytesA, size: 1_000)]), now: at(1))
        #expect(again == [.ignore(candidate: 0)])
    }
}
