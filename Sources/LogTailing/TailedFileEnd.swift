/// Why the tailer stopped reading a file generation. Nothing more is read under its id.
public enum TailedFileEnd: Sendable, Equatable {
    /// Renamed away (rotation), a newer file exists at its path and has been written to, and
    /// it was read to its end and stayed idle for `drainIdle`.
    case rotated
    /// Unlinked, and either read to its end and idle, or `deletedFileGrace` ran out first
    /// (then the unread bytes are the loss: holding a deleted file keeps its disk space).
    case deleted
    /// Its content was replaced in place (copytruncate: size shrank, or the first bytes
    /// changed); the same inode is read again from 0 under a new id.
    case truncated
}
