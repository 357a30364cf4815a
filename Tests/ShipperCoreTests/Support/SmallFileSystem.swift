import Foundation
import PipelineTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A tmpfs of a few hundred KiB mounted on a fresh directory, to run out of space for real
/// (ENOSPC from the kernel, not a simulation). Needs the right to mount (root in the test VM);
/// `isAvailable` tells whether this machine grants it, so tests that need one can say they
/// were skipped rather than pass without testing anything.
final class SmallFileSystem {
    let path: String
    private var fillers = 0

    init(bytes: Int) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("edgelog-small-fs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let result = try ExternalTool.run("mount", ["-t", "tmpfs", "-o", "size=\(bytes)", "tmpfs", path])
        guard result.status == 0 else {
            try? FileManager.default.removeItem(atPath: path)
            throw Failure(description: "mount tmpfs on \(path): \(result.stderrText)")
        }
    }

    /// Whether a tmpfs can be mounted here (tried once per test process).
    static let isAvailable: Bool = {
        guard let probe = try? SmallFileSystem(bytes: 64 << 10) else { return false }
        probe.remove()
        return true
    }()

    /// Writes a filler file until the kernel answers ENOSPC; returns the bytes it took.
    @discardableResult
    func fill() throws -> Int {
        fillers += 1
        let filler = "\(path)/filler-\(fillers)"
        let descriptor = open(filler, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Failure(description: "open \(filler): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let chunk = [UInt8](repeating: 0x2E, count: 4096)
        var total = 0
        while true {
            let count = chunk.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                total += count
                continue
            }
            guard errno == ENOSPC else { throw Failure(description: "write \(filler): \(String(cString: strerror(errno)))") }
            return total
        }
    }

    /// Deletes the filler files: the space is back.
    func free() throws {
        for index in 1...max(1, fillers) {
            try? FileManager.default.removeItem(atPath: "\(path)/filler-\(index)")
        }
        fillers = 0
    }

    func remove() {
        _ = try? ExternalTool.run("umount", ["-l", path])
        try? FileManager.default.removeItem(atPath: path)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }
}
