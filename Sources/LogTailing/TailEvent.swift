/// What happened to the set of tailed files during a poll, for the shipper: where each file
/// generation starts (and with which producer state), when one ends, and what was lost.
public enum TailEvent: Sendable, Equatable {
    /// Lines of `file` will follow, from `offset` on. `resumedFrom` is the checkpoint it
    /// continues (restore its producer id, epoch and sequences); `nil` for a fresh start.
    /// When `resumedFrom.identity` names another inode than `identity`, the file is a copy of
    /// the checkpoint's file (copytruncate while the shipper was down): write this file's own
    /// checkpoint before the old one is deleted. A start at `offset > 0` without a checkpoint
    /// (the rest of a copy, or `--start-at end`) needs a checkpoint at once, too: the lines
    /// before `offset` must never be read after a crash.
    /// Before the first start is marked complete (`CheckpointStore.markInitialized`), write a
    /// checkpoint at `offset` so a crash does not move a `--start-at end` file back to 0.
    case started(file: TailedFileID, path: String, sourceIndex: Int, identity: FileIdentity, offset: Int64, resumedFrom: Checkpoint?)
    /// No more lines of `file` will come. `lostBytes` were never handed out (`> 0` is a
    /// counted loss: deleted before read, content replaced before read, or an unfinished last
    /// line of a finished file). Remove its checkpoint once all its batches are acknowledged.
    case finished(file: TailedFileID, reason: TailedFileEnd, lostBytes: Int64)
    /// A loaded checkpoint matches no file; delete it (its file is gone or was replaced).
    case checkpointObsolete(Checkpoint, reason: ObsoleteCheckpointReason)
    /// No file is found for a loaded checkpoint (its directory cannot be read, or the file is
    /// out of sight). The checkpoint is kept and its file looked for at every poll; once it is
    /// found it resumes there. `missingSince` is set: persist it, so that a restart does not
    /// restart the `missingFileExpiry` clock. After the expiry it is `checkpointObsolete`.
    case checkpointMissing(Checkpoint)
}
