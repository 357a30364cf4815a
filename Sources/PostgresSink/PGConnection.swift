import CLibPQ
import Logging

/// One synchronous libpq connection (`PGconn`).
///
/// Every value reaches the server as a separate text parameter of `PQexecParams`, never spliced
/// into the SQL text. That is not a style preference: the values we store are nginx log fields
/// (paths, user agents, referers), and access logs are full of injection payloads written by
/// people probing the sites. With parameters, the SQL text is a constant we wrote and a value
/// can only ever be a value, whatever bytes it holds.
///
/// Threading: a connection is one conversation with one server backend and libpq connections
/// are not thread-safe, so `PGConnection` is deliberately not `Sendable`: own it from one task
/// or thread at a time. Results (`PGResultRows`) and errors are copied out and are `Sendable`.
///
/// Server NOTICEs and WARNINGs (e.g. "table does not exist, skipping") go to `logger` at debug
/// level instead of libpq's default of printing on stderr. The connection closes in `deinit`.
public final class PGConnection {
    private let handle: OpaquePointer
    /// Kept alive as long as `handle`: libpq holds an unretained pointer to it as the notice
    /// receiver's argument. Stored properties are released after `deinit` runs `PQfinish`.
    private let noticeSink: NoticeSink
    public let logger: Logger

    /// A logger that drops everything, for callers with nothing to say about notices.
    public static var discardingLogger: Logger {
        Logger(label: "edgelog.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    /// Opens a connection and waits until it is ready (`PQconnectdb`).
    /// - Parameter conninfo: a libpq connection string, e.g.
    ///   `host=127.0.0.1 port=5432 user=postgres dbname=edgelog connect_timeout=10`.
    /// - Throws: `PostgresError` with code `.connectionFailed` and libpq's message.
    public init(conninfo: String, logger: Logger = PGConnection.discardingLogger) throws {
        guard !conninfo.utf8.contains(0) else {
            throw PostgresError(code: .invalidParameter, message: "conninfo contains a NUL byte")
        }
        guard let connection = PQconnectdb(conninfo) else {
            throw PostgresError(code: .connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.lastError(connection)
            PQfinish(connection)
            throw PostgresError(code: .connectionFailed, message: message)
        }
        self.handle = connection
        self.logger = logger
        self.noticeSink = NoticeSink(logger: logger)
        _ = PQsetNoticeReceiver(connection, receiveNotice, Unmanaged.passUnretained(noticeSink).toOpaque())
    }

    deinit {
        PQfinish(handle)
    }

    /// Whether libpq still considers the connection usable (`PQstatus == CONNECTION_OK`).
    public var isConnected: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Process id of the server backend serving this connection (matches `pg_stat_activity.pid`).
    public var backendPID: Int32 { PQbackendPID(handle) }

    /// Server version as an integer, e.g. 150008 for 15.8.
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// Runs one statement with text parameters `$1`, `$2`, ... and returns its rows.
    ///
    /// `nil` parameters are SQL NULL. Parameter types are inferred by the server from context;
    /// cast in SQL (`$1::bigint`) where the context is ambiguous. Results are in text format.
    /// - Throws: `PostgresError`: `.queryFailed` with the server's SQLSTATE, `.connectionLost`,
    ///   `.invalidParameter` for a NUL byte in `sql` or a parameter (caught before sending:
    ///   the protocol's text values are NUL-terminated, so the value would be silently cut),
    ///   `.unexpectedResult` for COPY statements (use `copyIn`).
    @discardableResult
    public func execute(_ sql: String, parameters: [String?] = []) throws -> PGResultRows {
        try Self.rejectNul(in: sql, what: "SQL text", query: sql)
        guard parameters.count <= Int(Int16.max) else {
            throw PostgresError(
                code: .invalidParameter,
                message: "\(parameters.count) parameters; the protocol carries at most \(Int16.max)",
                query: sql
            )
        }
        // All parameters live NUL-terminated in one buffer; `offsets` points into it.
        var storage: [UInt8] = []
        var offsets: [Int?] = []
        offsets.reserveCapacity(parameters.count)
        for (index, parameter) in parameters.enumerated() {
            guard let parameter else {
                offsets.append(nil)
                continue
            }
            offsets.append(storage.count)
            let start = storage.count
            storage.append(contentsOf: parameter.utf8)
            if storage[start...].contains(0) {
                throw PostgresError(
                    code: .invalidParameter,
                    message: "parameter $\(index + 1) contains a NUL byte, which PostgreSQL text cannot hold",
                    query: sql
                )
            }
            storage.append(0)
        }
        let result = storage.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            let values: [UnsafePointer<CChar>?] = offsets.map { offset in
                guard let offset, let base = buffer.baseAddress else { return nil }
                return UnsafeRawPointer(base + offset).assumingMemoryBound(to: CChar.self)
            }
            return PQexecParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        return try rows(from: result, query: sql)
    }

    // MARK: - Results and errors

    /// Turns the result of a statement into rows or a typed error, and always clears it.
    private func rows(from result: OpaquePointer?, query: String) throws -> PGResultRows {
        guard let result else {
            throw connectionError(query: query)
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        switch status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PGResultRows(copying: result)
        case PGRES_COPY_IN:
            // The server now waits for data; end the COPY so the connection is idle again.
            _ = PQputCopyEnd(handle, "COPY FROM STDIN is only supported through copyIn")
            drainResults()
            throw PostgresError(code: .unexpectedResult, message: "COPY FROM STDIN needs copyIn", query: query)
        case PGRES_COPY_OUT, PGRES_COPY_BOTH:
            discardCopyOut()
            drainResults()
            throw PostgresError(code: .unexpectedResult, message: "COPY TO STDOUT is not supported", query: query)
        default:
            throw error(from: result, code: .queryFailed, query: query)
        }
    }

    /// Builds the error for a failed result: SQLSTATE and primary message from the server, or
    /// `.connectionLost` when libpq reports the connection broken.
    func error(from result: OpaquePointer, code: PostgresError.Code, query: String?) -> PostgresError {
        let sqlState = PQresultErrorField(result, Self.fieldSQLState).map { String(cString: $0) }
        var message = PQresultErrorField(result, Self.fieldMessage).map { String(cString: $0) } ?? ""
        if message.isEmpty {
            message = PQresultErrorMessage(result).map { String(cString: $0) } ?? ""
        }
        if message.isEmpty { message = Self.lastError(handle) }
        let lost = PQstatus(handle) != CONNECTION_OK
        return PostgresError(
            code: lost ? .connectionLost : code,
            sqlState: sqlState,
            message: Self.trimmed(message),
            query: query
        )
    }

    /// The error when libpq returned no result at all (out of memory, or the connection broke).
    func connectionError(query: String?) -> PostgresError {
        let lost = PQstatus(handle) != CONNECTION_OK
        return PostgresError(code: lost ? .connectionLost : .queryFailed, message: Self.lastError(handle), query: query)
    }

    /// Reads and clears results until libpq says the command is complete, so the next command
    /// starts on an idle connection.
    func drainResults() {
        while let result = PQgetResult(handle) {
            let status = PQresultStatus(result)
            PQclear(result)
            if status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH {
                discardCopyOut()
            }
        }
    }

    private func discardCopyOut() {
        var buffer: UnsafeMutablePointer<CChar>?
        while PQgetCopyData(handle, &buffer, 0) > 0 {
            PQfreemem(buffer)
            buffer = nil
        }
    }

    /// Runs `body` with the raw `PGconn` (for the COPY extension in this module).
    func withHandle<T>(_ body: (OpaquePointer) throws -> T) rethrows -> T {
        try body(handle)
    }

    static func rejectNul(in text: String, what: String, query: String?) throws {
        if text.utf8.contains(0) {
            throw PostgresError(code: .invalidParameter, message: "\(what) contains a NUL byte", query: query)
        }
    }

    static func lastError(_ connection: OpaquePointer) -> String {
        trimmed(PQerrorMessage(connection).map { String(cString: $0) } ?? "")
    }

    private static func trimmed(_ message: String) -> String {
        var message = Substring(message)
        while let last = message.last, last.isWhitespace { message.removeLast() }
        return String(message)
    }

    // `PG_DIAG_*` are character-literal macros ('C', 'M', 'S'); spelled out so they do not
    // depend on how the importer treats char macros.
    static let fieldSQLState = Int32(UInt8(ascii: "C"))
    static let fieldMessage = Int32(UInt8(ascii: "M"))
    static let fieldSeverity = Int32(UInt8(ascii: "S"))
}

@available(*, unavailable, message: "a libpq connection is used from one thread at a time")
extension PGConnection: Sendable {}

/// Where server notices go: the connection's logger, at debug level.
private final class NoticeSink {
    let logger: Logger

    init(logger: Logger) { self.logger = logger }

    func receive(_ result: OpaquePointer) {
        let field = { (code: Int32) in PQresultErrorField(result, code).map { String(cString: $0) } ?? "" }
        logger.debug(
            "postgres notice",
            metadata: [
                "postgres.severity": "\(field(PGConnection.fieldSeverity))",
                "postgres.sqlstate": "\(field(PGConnection.fieldSQLState))",
                "postgres.message": "\(field(PGConnection.fieldMessage))",
            ]
        )
    }
}

/// libpq's notice receiver callback (a C function pointer, so it captures nothing): `argument` is
/// the connection's `NoticeSink`, unretained; the sink outlives the `PGconn`.
private func receiveNotice(_ argument: UnsafeMutableRawPointer?, _ result: OpaquePointer?) {
    guard let argument, let result else { return }
    Unmanaged<NoticeSink>.fromOpaque(argument).takeUnretainedValue().receive(result)
}
