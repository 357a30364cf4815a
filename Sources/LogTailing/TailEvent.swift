/// What happened to the set of tailed files during a poll, for the shipper: where each file
/// generation starts (and with which producer state), when one ends, and what was lost.
public enum TailEvent: Sendable, Equatable {
    /// Lines of `file` will follow, from `offset` on. `resumedFrom` is the checkpoint it
    /// continues (restore its producer id, epoch and sequences); `nil` for a fresh start.
    /// Before the first start is marked complete (`CheckpointStore.markInitialized`), write a
    /// checkpoint at `offset` so a crash does not move a `--start-at end` file back to 0.
    case started(file: TailedFileID, path: String, sourceIndex: Int, identity: FileIdentity, offset: Int64, resumedFrom: Checkpoint?)
    /// No more lines of `file` will come. `lostBytes` were never handed out (`> 0` is a
    /// counted loss: deleted before read, content replaced before read, or an unfinished last
    /// line of a finished file). Remove its checkpoint once all its batches are acknowledged.
    case finished(file: TailedFileID, reason: TailedFileEnd, lostBytes: Int64)
    /// A loaded checkpoint matches no file; delete it (its file is gone or was replaced).
    case checkpointObsolete(Checkpoint, reason: ObsoleteCheckpointReason)
}
