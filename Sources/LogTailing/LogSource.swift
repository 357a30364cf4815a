/// One configured log to tail: a path or a glob, the nginx `log_format` its lines follow, and
/// an optional site label for formats without `$host`.
///
/// Glob syntax is `glob(3)`'s (`*`, `?`, `[...]`, no brace expansion). A glob such as
/// `access.log*` also matches rotated names (`access.log.1`); a renamed file is the same file
/// by its inode, so it is not read twice, and it stays open (read to its end, then idle) for
/// as long as the pattern matches it — closing it would make it a new file at the next poll,
/// read again from 0. Compressed rotations (`.gz`, `.bz2`, `.xz`, `.zst`, `.lz4`, recognised by
/// their first bytes, `CompressedFileSignature`) are skipped with a warning: their bytes are
/// not lines.
public struct LogSource: Sendable, Equatable, Hashable {
    /// The `log_format` used when none is given.
    public static let defaultLogFormat = "combined"

    /// A file path or a `glob(3)` pattern.
    public var pattern: String
    /// nginx `log_format` text, or the name of a built-in format (`combined`, `edge`).
    public var logFormat: String
    /// The site of every line of these files, for formats without `$host`.
    public var siteLabel: String?

    public init(pattern: String, logFormat: String = LogSource.defaultLogFormat, siteLabel: String? = nil) {
        self.pattern = pattern
        self.logFormat = logFormat
        self.siteLabel = siteLabel
    }

    /// Whether `pattern` has glob metacharacters (else it names one file, which may not exist yet).
    public var isGlob: Bool {
        pattern.utf8.contains { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "[") }
    }

    /// The paths the pattern matches now, sorted. A plain path is returned as is (whether or not
    /// it exists: the caller's `stat` decides); a glob that matches nothing gives `[]`.
    public func matchingPaths() throws(SystemCallError) -> [String] {
        try matches().paths
    }

    /// The paths the pattern matches now (as `matchingPaths()`), with the directories a glob
    /// could not open or read (permissions, a directory that is not there): those are not "no
    /// log", and the caller reports them.
    public func matches() throws(SystemCallError) -> (paths: [String], unreadableDirectories: [SystemCallError]) {
        guard isGlob else { return ([pattern], []) }
        let result = try GlobMatch.paths(matching: pattern)
        return (result.paths, result.unreadableDirectories)
    }
}
