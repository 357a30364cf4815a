/// Quoting of SQL identifiers (table, database, role names), the one thing that cannot be sent
/// as a parameter: `CREATE DATABASE $1` is not valid SQL.
///
/// A quoted identifier is `"` + name with every `"` doubled + `"`; inside it every other byte is
/// literal, so no name can end the identifier early. Names are case-sensitive once quoted.
public enum SQLIdentifier {
    /// PostgreSQL's NAMEDATALEN - 1: longer names would be silently truncated by the server.
    public static let maximumBytes = 63

    /// `name` as a quoted identifier.
    /// - Throws: `PostgresError` `.invalidParameter` if `name` is empty, longer than 63 UTF-8
    ///   bytes, or contains NUL.
    public static func quoted(_ name: String) throws -> String {
        let bytes = name.utf8
        guard !bytes.isEmpty, bytes.count <= maximumBytes, !bytes.contains(0) else {
            throw PostgresError(
                code: .invalidParameter,
                message: "identifier must be 1...\(maximumBytes) bytes without NUL, got \(bytes.count) bytes"
            )
        }
        return "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }
}
