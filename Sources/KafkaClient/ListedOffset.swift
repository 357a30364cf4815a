/// One partition's answer to ListOffsets.
public struct ListedOffset: Sendable, Hashable {
    /// The offset found; -1 when no record has a timestamp at or after the one asked for.
    public var offset: Int64
    /// The timestamp of the record at ``offset``; -1 for the special timestamps -1 and -2.
    public var timestamp: Int64

    public init(offset: Int64, timestamp: Int64) {
        self.offset = offset
        self.timestamp = timestamp
    }
}
