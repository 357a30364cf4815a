import CLibPQ

/// `COPY ... FROM STDIN`: the fastest way to load many rows (see PITFALLS: ~100–150 k rows/s into
/// a staging table against ~7 k/s for row-by-row INSERT). Data travels as CopyData messages, so
/// it is never part of SQL text either.
extension PGConnection {
    /// Bytes per CopyData message: large enough to amortise the per-call cost, small enough that
    /// encoding does not hold much memory.
    public static let copyChunkBytes = 256 * 1024

    /// Runs `sql` (a `COPY table (columns) FROM STDIN` in text format) and streams `rows`,
    /// encoded with `CopyTextFormat`. COPY is atomic: on any error no row is stored.
    /// - Returns: rows stored, from the server's `COPY n` tag.
    /// - Throws: `PostgresError`: `.copyFailed` with SQLSTATE when the server rejects the data
    ///   (e.g. `22P04` wrong column count, `22P02` bad integer), `.invalidParameter` for a NUL
    ///   byte in a field (the COPY is then aborted and the connection stays usable).
    @discardableResult
    public func copyIn(_ sql: String, rows: some Sequence<[String?]>) throws -> Int {
        try copyIn(sql) { send in
            var buffer: [UInt8] = []
            buffer.reserveCapacity(Self.copyChunkBytes + 4096)
            for row in rows {
                try CopyTextFormat.appendRow(row, to: &buffer)
                if buffer.count >= Self.copyChunkBytes {
                    try send(buffer[...])
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            if !buffer.isEmpty { try send(buffer[...]) }
        }
    }

    /// Runs `sql` (a `COPY ... FROM STDIN`) and sends `data`, already in the format the statement
    /// names (e.g. built with `CopyTextFormat.appendField`).
    /// - Returns: rows stored, from the server's `COPY n` tag.
    @discardableResult
    public func copyIn(_ sql: String, data: [UInt8]) throws -> Int {
        try copyIn(sql) { send in
            var start = 0
            while start < data.count {
                let end = min(data.count, start + Self.copyChunkBytes)
                try send(data[start..<end])
                start = end
            }
        }
    }

    /// Starts the COPY, lets `produce` send chunks, ends it and reads the final result.
    /// If `produce` throws, the COPY is ended with an error message (the server rolls it back)
    /// and `produce`'s error is rethrown.
    private func copyIn(
        _ sql: String,
        produce: (_ send: (ArraySlice<UInt8>) throws -> Void) throws -> Void
    ) throws -> Int {
        try Self.rejectNul(in: sql, what: "SQL text", query: sql)
        return try withHandle { handle in
            guard let started = PQexec(handle, sql) else {
                throw connectionError(query: sql)
            }
            let status = PQresultStatus(started)
            guard status == PGRES_COPY_IN else {
                defer { PQclear(started) }
                if status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE {
                    throw error(from: started, code: .copyFailed, query: sql)
                }
                drainResults()
                throw PostgresError(
                    code: .unexpectedResult,
                    message: "statement did not start COPY FROM STDIN",
                    query: sql
                )
            }
            PQclear(started)

            do {
                try produce { chunk in
                    let sent = chunk.withUnsafeBytes { bytes -> Int32 in
                        guard let base = bytes.baseAddress, bytes.count > 0 else { return 1 }
                        return PQputCopyData(handle, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count))
                    }
                    guard sent == 1 else {
                        throw PostgresError(code: .copyFailed, message: Self.lastError(handle), query: sql)
                    }
                }
            } catch {
                _ = PQputCopyEnd(handle, "COPY aborted by client: \(error)")
                drainResults()
                throw error
            }

            guard PQputCopyEnd(handle, nil) == 1 else {
                let failure = PostgresError(code: .copyFailed, message: Self.lastError(handle), query: sql)
                drainResults()
                throw failure
            }
            var outcome: Result<Int, PostgresError>?
            while let result = PQgetResult(handle) {
                defer { PQclear(result) }
                guard outcome == nil else { continue }
                if PQresultStatus(result) == PGRES_COMMAND_OK {
                    let tuples = PQcmdTuples(result).map { String(cString: $0) } ?? ""
                    outcome = .success(Int(tuples) ?? 0)
                } else {
                    outcome = .failure(error(from: result, code: .copyFailed, query: sql))
                }
            }
            guard let outcome else { throw connectionError(query: sql) }
            return try outcome.get()
        }
    }
}
