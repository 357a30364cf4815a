/// Why a checkpoint loaded at start-up matches no file any more. The file it described is
/// gone; how much of it was unread cannot be known (the checkpoint may even have been
/// complete). The caller deletes the checkpoint and counts it.
public enum ObsoleteCheckpointReason: Sendable, Equatable {
    /// No source path, and no entry in the checkpoint's directory, has its device and inode.
    case fileNotFound
    /// The inode now holds different first bytes: a new file reused the inode, or the file was
    /// truncated and rewritten (copytruncate) while the shipper was down.
    case contentReplaced
    /// Same file by its first bytes, but now shorter than the checkpoint's offset (it was
    /// truncated while the shipper was down); it is read from 0 as new content.
    case fileShrank
}
