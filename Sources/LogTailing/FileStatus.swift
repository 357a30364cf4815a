#if canImport(Glibc)
import Glibc
#endif

/// What `stat(2)`/`fstat(2)` says about a file, reduced to what tailing decides on.
public struct FileStatus: Sendable, Equatable {
    public var device: UInt64
    public var inode: UInt64
    /// Bytes in the file now.
    public var size: Int64
    /// Names the file still has; 0 once it was unlinked (only an open descriptor keeps it).
    public var linkCount: UInt64
    /// Whether it is a regular file (directories, FIFOs and devices are never tailed).
    public var isRegularFile: Bool

    public init(device: UInt64, inode: UInt64, size: Int64, linkCount: UInt64, isRegularFile: Bool = true) {
        self.device = device
        self.inode = inode
        self.size = size
        self.linkCount = linkCount
        self.isRegularFile = isRegularFile
    }

    init(_ raw: stat) {
        self.init(
            device: UInt64(raw.st_dev),
            inode: UInt64(raw.st_ino),
            size: Int64(raw.st_size),
            linkCount: UInt64(raw.st_nlink),
            isRegularFile: (raw.st_mode & S_IFMT) == S_IFREG)
    }

    /// `stat(2)` of `path`, following symbolic links; `nil` when nothing is there (`ENOENT`,
    /// `ENOTDIR`): a log file that does not exist yet is normal, not an error.
    public static func of(path: String) throws(SystemCallError) -> FileStatus? {
        var raw = stat()
        guard stat(path, &raw) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw SystemCallError.current("stat", path: path)
        }
        return FileStatus(raw)
    }

    /// `fstat(2)` of an open descriptor; `path` only names it in errors.
    static func of(descriptor: Int32, path: String) throws(SystemCallError) -> FileStatus {
        var raw = stat()
        guard fstat(descriptor, &raw) == 0 else { throw SystemCallError.current("fstat", path: path) }
        return FileStatus(raw)
    }
}
