/// The file operations `CheckpointStore` needs, as a seam: tests wrap the real one to make a
/// write fail the way a full disk does (`ENOSPC`) and check nothing else changes.
public protocol CheckpointFileSystem: Sendable {
    /// Creates or truncates `path` (mode 0600), writes all of `bytes`, `fsync`s and closes it.
    func writeAndSync(_ bytes: [UInt8], to path: String) throws(SystemCallError)
    /// `rename(2)`: atomically replaces `destination`.
    func rename(_ source: String, to destination: String) throws(SystemCallError)
    /// `fsync` of a directory, so a rename in it survives a crash.
    func syncDirectory(_ path: String) throws(SystemCallError)
    /// The whole file, or `nil` when it does not exist.
    func contents(of path: String) throws(SystemCallError) -> [UInt8]?
    /// Names in `directory` (without `.` and `..`), or `nil` when it does not exist.
    func entries(of directory: String) throws(SystemCallError) -> [String]?
    /// Removes a file; a missing file is not an error.
    func remove(_ path: String) throws(SystemCallError)
    /// Creates `path` and missing parents (mode 0700); an existing directory is not an error.
    func createDirectory(_ path: String) throws(SystemCallError)
}
