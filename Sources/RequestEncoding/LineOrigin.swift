/// Where a line came from: what the shipper knows about it that the line itself does not say.
///
/// `edge` and `sourceFile` are the same for every line of a file; `fileOffset` and `truncated`
/// change per line. A tailer keeps one value per file and updates the last two.
public struct LineOrigin: Sendable, Equatable {
    /// The shipper's host name (schema field `edge`).
    public var edge: String
    /// The tailed file's path as configured (schema field `sourceFile`).
    public var sourceFile: String
    /// Byte offset of the line's first byte in `sourceFile`.
    public var fileOffset: UInt64
    /// The line was longer than the shipper's cap and only its first bytes are given.
    public var truncated: Bool

    public init(edge: String, sourceFile: String, fileOffset: UInt64 = 0, truncated: Bool = false) {
        self.edge = edge
        self.sourceFile = sourceFile
        self.fileOffset = fileOffset
        self.truncated = truncated
    }
}
