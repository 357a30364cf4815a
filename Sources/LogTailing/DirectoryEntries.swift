#if canImport(Glibc)
import Glibc
#endif

/// The names in a directory, for the checkpoint store and for finding a rotated file by inode.
enum DirectoryEntries {
    /// One name in a directory, with the inode number `readdir` gives for it (that of the file
    /// itself, except for a mount point), so a file can be looked for without a `stat` of
    /// every name.
    struct Entry {
        var name: String
        var inode: UInt64
    }

    /// Names in `directory` without `.` and `..`, unsorted; `nil` when it does not exist.
    static func names(in directory: String) throws(SystemCallError) -> [String]? {
        try entries(in: directory)?.map(\.name)
    }

    /// Entries of `directory` without `.` and `..`, unsorted; `nil` when it does not exist
    /// (`ENOENT`, `ENOTDIR`). Any other failure to open or read it is thrown.
    static func entries(in directory: String) throws(SystemCallError) -> [Entry]? {
        guard let stream = opendir(directory) else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw SystemCallError.current("opendir", path: directory)
        }
        defer { closedir(stream) }
        var entries: [Entry] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw SystemCallError.current("readdir", path: directory) }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { entries.append(Entry(name: name, inode: UInt64(entry.pointee.d_ino))) }
        }
        return entries
    }
}
