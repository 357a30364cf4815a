#if canImport(Glibc)
import Glibc
#endif

/// The names in a directory, for the checkpoint store and for finding a rotated file by inode.
enum DirectoryEntries {
    /// Names in `directory` without `.` and `..`, unsorted; `nil` when it does not exist.
    static func names(in directory: String) throws(SystemCallError) -> [String]? {
        guard let stream = opendir(directory) else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw SystemCallError.current("opendir", path: directory)
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }
}
