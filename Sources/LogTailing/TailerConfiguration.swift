/// Settings of a `Tailer`. Every field has a default an operator can keep.
public struct TailerConfiguration: Sendable, Equatable {
    /// `--start-at`: where files present at the very first start begin.
    public var startAt: StartPosition
    /// Time between looks at the sources (globs, renames, truncation, deletion).
    public var pollInterval: Duration
    /// How long a renamed or deleted file must be unchanged, and read to its end, before it is
    /// closed. nginx writes to the old file until it reopens its logs, up to a second or more.
    public var drainIdle: Duration
    /// Longest an unlinked file is held open to be read: while it is open its disk space is
    /// not freed, so after this its unread bytes are reported lost instead.
    public var deletedFileGrace: Duration
    /// How long a checkpoint whose file is not found (its directory unreadable or missing, the
    /// file moved out of sight) is kept and looked for before it is given up as a loss. A
    /// directory that is unreadable for a while at start-up must not make a file ship again
    /// from 0; a file that is really gone must not be looked for forever.
    public var missingFileExpiry: Duration
    /// Longest line handed out whole; longer ones are cut to this length and flagged.
    public var maxLineBytes: Int
    /// The one read buffer's size; at least `maxLineBytes + 1`.
    public var readBufferBytes: Int

    public init(
        startAt: StartPosition = .beginning,
        pollInterval: Duration = .milliseconds(250),
        drainIdle: Duration = .seconds(2),
        deletedFileGrace: Duration = .seconds(30),
        missingFileExpiry: Duration = .seconds(24 * 3_600),
        maxLineBytes: Int = 64 * 1024,
        readBufferBytes: Int = 1 << 20
    ) {
        self.startAt = startAt
        self.pollInterval = pollInterval
        self.drainIdle = drainIdle
        self.deletedFileGrace = deletedFileGrace
        self.missingFileExpiry = max(.zero, missingFileExpiry)
        self.maxLineBytes = max(1, maxLineBytes)
        self.readBufferBytes = max(readBufferBytes, self.maxLineBytes + 1)
    }
}
