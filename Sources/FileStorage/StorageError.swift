/// A failure in the partition log or the file system under it.
///
/// `code` is what callers branch on (the broker maps `.noSpace` and `.ioFailure` to a failed
/// produce, `.offsetOutOfRange` to OFFSET_OUT_OF_RANGE, `.invalidBatch` to CORRUPT_MESSAGE —
/// or to MESSAGE_TOO_LARGE when ``isBatchTooLarge``). The remaining fields say where and what:
/// the file, the log offset, the byte position in the file, the operating system's `errno`
/// when a system call failed, and for an `.invalidBatch` about one batch its ``BatchDefect``.
/// `message` is for humans only.
public struct StorageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which kind of failure. A struct over a private enum so new cases do not break callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case fileNotFound
            case fileExists
            case noSpace
            case ioFailure
            case invalidBatch
            case corruptSegment
            case offsetOutOfRange
            case invalidConfiguration
            case invalidName
            case closed
        }

        private let base: Base

        private init(_ base: Base) { self.base = base }

        /// The file or directory does not exist (`ENOENT`).
        public static let fileNotFound = Code(.fileNotFound)
        /// Something already exists at the path (`EEXIST`).
        public static let fileExists = Code(.fileExists)
        /// The disk is full (`ENOSPC`, `EDQUOT`). The log stays readable; appends may succeed later.
        public static let noSpace = Code(.noSpace)
        /// Any other failed system call; `errno` says which.
        public static let ioFailure = Code(.ioFailure)
        /// Bytes offered to `append` are not a well-formed v2 record batch (or fail the validator).
        public static let invalidBatch = Code(.invalidBatch)
        /// On-disk data that recovery must not silently cut: a bad batch or an index that does not
        /// match in a segment that is not the last one. Needs an operator.
        public static let corruptSegment = Code(.corruptSegment)
        /// A read or lookup below the log start or above the log end.
        public static let offsetOutOfRange = Code(.offsetOutOfRange)
        /// A configuration value the on-disk format cannot represent (e.g. segments over 2 GiB).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// A topic or file name that is not legal on disk.
        public static let invalidName = Code(.invalidName)
        /// The log or file handle was closed (or invalidated by a simulated crash).
        public static let closed = Code(.closed)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The file or directory involved, when there is one.
    public var path: String?
    /// The log offset involved (a record offset, not a byte position).
    public var offset: Int64?
    /// The byte position inside `path` involved.
    public var position: Int64?
    /// `errno` of the failed system call (or the injected one in `InMemoryFileSystem`).
    public var errno: Int32?
    /// What is wrong with the one batch an `.invalidBatch` error is about (`nil` for errors
    /// about a whole append, such as running out of offsets).
    public var batchDefect: BatchDefect?
    /// Human-readable detail.
    public var message: String

    public init(
        code: Code,
        message: String,
        path: String? = nil,
        offset: Int64? = nil,
        position: Int64? = nil,
        errno: Int32? = nil,
        batchDefect: BatchDefect? = nil
    ) {
        self.code = code
        self.message = message
        self.path = path
        self.offset = offset
        self.position = position
        self.errno = errno
        self.batchDefect = batchDefect
    }

    /// Whether the error refuses a well-formed batch only for its size: the producer must split
    /// it (Kafka's MESSAGE_TOO_LARGE), not resend the same bytes.
    public var isBatchTooLarge: Bool {
        guard code == .invalidBatch, case .tooLarge = batchDefect else { return false }
        return true
    }

    public var description: String {
        var text = "StorageError.\(code): \(message)"
        if let path { text += " (path: \(path))" }
        if let offset { text += " (offset: \(offset))" }
        if let position { text += " (position: \(position))" }
        if let errno { text += " (errno: \(errno))" }
        return text
    }
}
