import CLibPQ

/// The rows and command tag of one finished statement, copied out of libpq's `PGresult`.
///
/// Everything is copied before the `PGresult` is cleared, so a value outlives the connection
/// that produced it and can cross threads. Values are in PostgreSQL's text output format (we
/// always ask for text results); SQL NULL is `nil`, which is distinct from the empty string.
public struct PGResultRows: Sendable, Hashable {
    /// Column names in result order (`SELECT a AS x` gives `x`).
    public let columnNames: [String]
    /// `rows[r][c]` is the text of column `c` in row `r`, `nil` for NULL.
    public let rows: [[String?]]
    /// The command tag exactly as the server sent it: `SELECT 3`, `INSERT 0 2`, `CREATE TABLE`, `COPY 5`.
    public let commandTag: String
    /// Rows affected by INSERT/UPDATE/DELETE/MERGE/SELECT/MOVE/FETCH/COPY (`PQcmdTuples`);
    /// `nil` for commands that do not count rows (DDL, SET, BEGIN).
    public let affectedRows: Int?

    public init(columnNames: [String], rows: [[String?]], commandTag: String, affectedRows: Int?) {
        self.columnNames = columnNames
        self.rows = rows
        self.commandTag = commandTag
        self.affectedRows = affectedRows
    }

    public var rowCount: Int { rows.count }

    /// The value at (`row`, `column`); `nil` is SQL NULL.
    /// - Precondition: both indices are in range (they come from the caller, not from the server).
    public func value(row: Int, column: Int) -> String? {
        precondition(row >= 0 && row < rows.count, "row \(row) out of range 0..<\(rows.count)")
        precondition(
            column >= 0 && column < columnNames.count,
            "column \(column) out of range 0..<\(columnNames.count)"
        )
        return rows[row][column]
    }

    /// The value at `row` in the first column called `name`; `nil` is SQL NULL.
    /// - Precondition: `row` is in range and a column called `name` exists.
    public func value(row: Int, column name: String) -> String? {
        guard let column = columnIndex(named: name) else {
            preconditionFailure("no column \(name) in \(columnNames)")
        }
        return value(row: row, column: column)
    }

    /// Index of the first column called `name`, if any.
    public func columnIndex(named name: String) -> Int? {
        columnNames.firstIndex(of: name)
    }

    /// Copies a successful `PGresult` (tuples or command). The caller still owns and clears `result`.
    init(copying result: OpaquePointer) {
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        var names: [String] = []
        names.reserveCapacity(columnCount)
        for column in 0..<columnCount {
            names.append(PQfname(result, Int32(column)).map { String(cString: $0) } ?? "")
        }
        var rows: [[String?]] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                let r = Int32(row)
                let c = Int32(column)
                if PQgetisnull(result, r, c) != 0 {
                    values.append(nil)
                } else if let bytes = PQgetvalue(result, r, c) {
                    // Length-delimited, not C-string: exact bytes, no scanning for a terminator.
                    let length = Int(PQgetlength(result, r, c))
                    let buffer = UnsafeRawBufferPointer(start: bytes, count: max(0, length))
                    values.append(String(decoding: buffer, as: UTF8.self))
                } else {
                    values.append("")
                }
            }
            rows.append(values)
        }
        let tag = PQcmdStatus(result).map { String(cString: $0) } ?? ""
        let tuples = PQcmdTuples(result).map { String(cString: $0) } ?? ""
        self.init(columnNames: names, rows: rows, commandTag: tag, affectedRows: Int(tuples))
    }
}
