/// Names one generation of one tailed file for the life of a `Tailer`.
///
/// A file's content generation changes under copytruncate (same inode, new bytes from offset
/// 0), and each generation gets a new id: offsets, acknowledgements and checkpoints of one
/// generation never apply to another. Ids are never reused within a process and mean nothing
/// across restarts (checkpoints use `FileIdentity`).
public struct TailedFileID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public static func < (lhs: TailedFileID, rhs: TailedFileID) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    public var description: String { "file#\(rawValue)" }
}
