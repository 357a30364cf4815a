/// What the driver must do after an observation, in the order given.
public enum TailAction: Sendable, Equatable {
    /// Track candidate `candidate` as `file`, reading from `at`; `resumedFrom` is the
    /// checkpoint it continues (its producer state goes to the producer). A copy of a file
    /// (copytruncate) starts where the original was read to, and continues the original's
    /// checkpoint when the original was truncated while the shipper was down.
    case start(candidate: Int, file: TailedFileID, at: StartOffset, resumedFrom: Checkpoint?)
    /// Close candidate `candidate` without reading it (another path already leads to it).
    case ignore(candidate: Int)
    /// copytruncate: the content of `file` was replaced; `lostBytes` of the old content were
    /// never read and are in no copy being read either (a lower bound: bytes written after the
    /// last look are unknown). Read the same descriptor again from 0 as `as`.
    case restart(file: TailedFileID, as: TailedFileID, lostBytes: Int64)
    /// Stop reading `file` and close it; `lostBytes` were never shipped (the unread rest, or an
    /// unfinished last line).
    case close(file: TailedFileID, reason: TailedFileEnd, lostBytes: Int64)
    /// A loaded checkpoint matches no file; the caller deletes it.
    case discard(Checkpoint, reason: ObsoleteCheckpointReason)
    /// No file was found for a loaded checkpoint at the first observation (or at start-up it
    /// was already missing): it is kept, looked for at every observation, and discarded only
    /// after `missingFileExpiry`. Reported once per process.
    case reportMissing(Checkpoint)
}
