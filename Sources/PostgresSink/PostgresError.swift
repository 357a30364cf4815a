/// A failure talking to PostgreSQL through libpq.
///
/// The `code` says which step failed; `sqlState` is the server's five-character SQLSTATE
/// (`PG_DIAG_SQLSTATE`, e.g. `42601` syntax error, `23505` unique violation) when the server
/// reported one, and `nil` for failures that never reached the server (connection refused,
/// a parameter the protocol cannot carry). Callers branch on `sqlState`, never on `message`,
/// which is the server's localised text and only meant for humans.
///
/// `query` is the SQL text we sent, never the parameter values: parameters carry log data,
/// which may be huge or hostile, and must not end up in our own logs by way of an error.
public struct PostgresError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which step failed. A struct over a private enum so new cases do not break callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case connectionFailed
            case connectionLost
            case queryFailed
            case copyFailed
            case invalidParameter
            case unexpectedResult
        }

        private let base: Base

        private init(_ base: Base) { self.base = base }

        /// `PQconnectdb` did not reach `CONNECTION_OK` (refused, auth, unknown database, bad conninfo).
        public static let connectionFailed = Code(.connectionFailed)
        /// The connection broke while a command was in flight; the outcome of that command is unknown.
        public static let connectionLost = Code(.connectionLost)
        /// The server rejected the command; `sqlState` says why.
        public static let queryFailed = Code(.queryFailed)
        /// A `COPY FROM STDIN` failed while sending data or when the server checked it.
        public static let copyFailed = Code(.copyFailed)
        /// A value the wire protocol cannot carry in text form (a NUL byte), caught before sending.
        public static let invalidParameter = Code(.invalidParameter)
        /// The server answered with a result kind the call does not handle (e.g. COPY OUT from `execute`).
        public static let unexpectedResult = Code(.unexpectedResult)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// Five-character SQLSTATE from the server, `nil` when the failure was client-side.
    public var sqlState: String?
    /// Primary message, trimmed of libpq's trailing newline.
    public var message: String
    /// The SQL text that failed (never its parameters), when there was one.
    public var query: String?

    public init(code: Code, sqlState: String? = nil, message: String, query: String? = nil) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
        self.query = query
    }

    public var description: String {
        var text = "PostgresError.\(code)"
        if let sqlState { text += " [\(sqlState)]" }
        text += ": \(message)"
        if let query { text += " (query: \(query))" }
        return text
    }
}
