#if canImport(Glibc)
import Glibc
#endif

/// `CheckpointFileSystem` on the real disk, with plain system calls.
public struct PosixCheckpointFileSystem: CheckpointFileSystem {
    public init() {}

    public func writeAndSync(_ bytes: [UInt8], to path: String) throws(SystemCallError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SystemCallError.current("open", path: path) }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress.map { $0 + written }, bytes.count - written)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemCallError.current("write", path: path)
            }
            written += count
        }
        guard fsync(descriptor) == 0 else { throw SystemCallError.current("fsync", path: path) }
    }

    public func rename(_ source: String, to destination: String) throws(SystemCallError) {
        guard Glibc.rename(source, destination) == 0 else { throw SystemCallError.current("rename", path: destination) }
    }

    public func syncDirectory(_ path: String) throws(SystemCallError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SystemCallError.current("open", path: path) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw SystemCallError.current("fsync", path: path) }
    }

    public func contents(of path: String) throws(SystemCallError) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw SystemCallError.current("open", path: path)
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemCallError.current("read", path: path)
            }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
        }
    }

    public func entries(of directory: String) throws(SystemCallError) -> [String]? {
        try DirectoryEntries.names(in: directory)
    }

    public func remove(_ path: String) throws(SystemCallError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw SystemCallError.current("unlink", path: path) }
    }

    public func createDirectory(_ path: String) throws(SystemCallError) {
        var prefix = ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += (prefix.isEmpty && !path.hasPrefix("/") ? "" : "/") + component
            if mkdir(prefix, 0o700) != 0, errno != EEXIST {
                throw SystemCallError.current("mkdir", path: prefix)
            }
        }
    }
}
