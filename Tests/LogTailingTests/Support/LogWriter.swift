#if canImport(Glibc)
import Glibc
#endif

/// Appends to a log file the way nginx does: one descriptor opened with `O_APPEND`, kept open
/// across a rename (so writes land in the renamed file) and across truncation (so writes
/// continue at the new end).
final class LogWriter: @unchecked Sendable {
    let path: String
    private var descriptor: Int32

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Failure(description: "open \(path): errno \(errno)") }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    func write(_ text: String) throws {
        try write(Array(text.utf8))
    }

    func write(_ bytes: [UInt8]) throws {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            guard count > 0 else { throw Failure(description: "write \(path): errno \(errno)") }
            written += count
        }
    }

    func closeFile() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }
}

/// Files as a test changes them, with the system calls spelled out.
enum FileOps {
    static func rename(_ from: String, _ to: String) {
        precondition(Glibc.rename(from, to) == 0, "rename \(from) -> \(to): errno \(errno)")
    }

    static func unlink(_ path: String) {
        precondition(Glibc.unlink(path) == 0, "unlink \(path): errno \(errno)")
    }

    static func truncate(_ path: String, to size: Int64 = 0) {
        precondition(Glibc.truncate(path, off_t(size)) == 0, "truncate \(path): errno \(errno)")
    }

    /// copytruncate's copy step, byte for byte.
    static func copy(_ from: String, _ to: String) throws {
        let bytes = try contents(from)
        let writer = try LogWriter(path: to)
        try writer.write(bytes)
    }

    static func contents(_ path: String) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else { throw LogWriter.Failure(description: "fopen \(path)") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
        }
    }

    static func inode(_ path: String) -> (device: UInt64, inode: UInt64, size: Int64) {
        var raw = stat()
        precondition(stat(path, &raw) == 0, "stat \(path): errno \(errno)")
        return (UInt64(raw.st_dev), UInt64(raw.st_ino), Int64(raw.st_size))
    }
}
