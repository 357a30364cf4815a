/// A failure of the broker outside one client's request: bad configuration, a data directory it
/// cannot use, a state file that does not read back. Request-level problems are answered with
/// Kafka error codes instead and never surface as this type.
public struct BrokerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong. A struct over a private enum so new cases do not break callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidConfiguration
            case invalidStateFile
            case storageFailure
            case bindFailed
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A setting is out of range or contradicts another.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// A file the broker wrote (cluster id, producer ids, committed offsets) does not read
        /// back: wrong checksum, wrong shape. Needs an operator; the broker does not guess.
        public static let invalidStateFile = Code(.invalidStateFile)
        /// The data directory or a partition log failed (see `message` for the storage error).
        public static let storageFailure = Code(.storageFailure)
        /// The Kafka listener could not bind its address.
        public static let bindFailed = Code(.bindFailed)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String
    /// The file involved, when there is one.
    public var path: String?

    public init(code: Code, message: String, path: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
    }

    public var description: String {
        if let path { return "broker: \(code): \(message) (path: \(path))" }
        return "broker: \(code): \(message)"
    }
}
