import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Exclusive use of a checkpoint directory by one shipper (DESIGN §10.3: one shipper per
/// checkpoint directory). Two shippers on one directory would each resend from the other's
/// checkpoints and overwrite them, so the second one must refuse to start.
///
/// An `flock(2)` on `<directory>/lock`, held as long as this value lives: the kernel releases it
/// when the process ends in any way, kill -9 included, so a crashed shipper never leaves a stale
/// lock behind (a lock *file* left on disk means nothing by itself). The holder writes its pid
/// into the file so the refusal can name it.
public final class CheckpointDirectoryLock: Sendable {
    public let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Creates `directory` when missing and takes its lock without waiting.
    /// - Throws: `.heldElsewhere` when another process holds it; `.failed` for a system error.
    public static func acquire(directory: String) throws(CheckpointLockError) -> CheckpointDirectoryLock {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .failed(path: directory, error: .current("mkdir", path: directory))
        }
        let path = "\(directory)/lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .failed(path: path, error: .current("open", path: path)) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = Self.readPID(descriptor)
            close(descriptor)
            if code == EWOULDBLOCK { throw .heldElsewhere(directory: directory, pid: holder) }
            throw .failed(path: path, error: SystemCallError("flock", path: path, errorNumber: code))
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return CheckpointDirectoryLock(path: path, descriptor: descriptor)
    }

    private static func readPID(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// Why the checkpoint directory could not be locked.
public enum CheckpointLockError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another process (a second shipper) holds the directory.
    case heldElsewhere(directory: String, pid: Int32?)
    case failed(path: String, error: SystemCallError)

    public var description: String {
        switch self {
        case .heldElsewhere(let directory, let pid):
            "another shipper\(pid.map { " (pid \($0))" } ?? "") is using the checkpoint directory \(directory); "
                + "one shipper per checkpoint directory: stop it, or give this one its own --checkpoint-dir"
        case .failed(let path, let error):
            "cannot lock the checkpoint directory (\(path)): \(error)"
        }
    }
}

