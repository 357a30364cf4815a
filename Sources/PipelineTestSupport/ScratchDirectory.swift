import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory for one harness resource: `<base>/edgelog-<kind>-XXXXXX`, where `<base>` is
/// `$EDGELOG_TEST_TMPDIR` or `/tmp`.
///
/// Not `FileManager.temporaryDirectory`: a PostgreSQL server runs as the `postgres` user and
/// must traverse every parent, and build tools sometimes point `TMPDIR` at private 0700
/// directories. The directory itself is mode 0755.
///
/// Each directory holds an `owner` file, `<pid> <starttime>` of the test process that created
/// it (starttime: field 22 of `/proc/<pid>/stat`, so a recycled pid does not count as the same
/// process). If a test process dies without cleaning up (a crash, SIGKILL, Ctrl-C), the next
/// test run finds directories whose owner is gone and reclaims them (see `abandoned(kind:)`):
/// everything the harness starts is stopped, if not by this run then by the next.
struct ScratchDirectory: Sendable {
    let path: String

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static var base: String {
        ProcessInfo.processInfo.environment["EDGELOG_TEST_TMPDIR"] ?? "/tmp"
    }

    static func create(kind: String) throws -> ScratchDirectory {
        var template = Array("\(base)/edgelog-\(kind)-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer in
            mkdtemp(buffer.baseAddress!)
        }
        guard let created else {
            throw Failure(description: "mkdtemp in \(base) failed: \(String(cString: strerror(errno)))")
        }
        let path = String(cString: created)
        chmod(path, 0o755)
        let directory = ScratchDirectory(path: path)
        let marker = "\(getpid()) \(ProcessIdentity.startTime(of: getpid()) ?? 0)\n"
        guard FileManager.default.createFile(atPath: directory.ownerFile, contents: Data(marker.utf8)) else {
            directory.remove()
            throw Failure(description: "cannot write \(directory.ownerFile)")
        }
        return directory
    }

    var ownerFile: String { "\(path)/owner" }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Directories of `kind` left behind by test processes that no longer exist. Directories
    /// without a readable owner file count only after ten minutes (they may be seconds old and
    /// still being set up by another test process that shares /tmp).
    static func abandoned(kind: String) -> [ScratchDirectory] {
        let prefix = "edgelog-\(kind)-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: base) else { return [] }
        return names.filter { $0.hasPrefix(prefix) }.compactMap { name in
            let directory = ScratchDirectory(path: "\(base)/\(name)")
            if let owner = ProcessIdentity(markerFile: directory.ownerFile) {
                return owner.isAlive ? nil : directory
            }
            let attributes = try? FileManager.default.attributesOfItem(atPath: directory.path)
            let modified = attributes?[.modificationDate] as? Date ?? Date()
            return Date().timeIntervalSince(modified) > 600 ? directory : nil
        }
    }
}

/// A process identified by pid and kernel start time, which together never repeat.
struct ProcessIdentity: Sendable, Hashable {
    var pid: pid_t
    var startTime: UInt64

    /// Parses `<pid> <starttime>` as written into marker files.
    init?(markerFile: String) {
        guard let data = FileManager.default.contents(atPath: markerFile) else { return nil }
        let fields = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, let pid = pid_t(fields[0]), let start = UInt64(fields[1]) else { return nil }
        self.pid = pid
        self.startTime = start
    }

    init(pid: pid_t, startTime: UInt64) {
        self.pid = pid
        self.startTime = startTime
    }

    var marker: String { "\(pid) \(startTime)\n" }

    /// Whether this very process still exists (not a later process that reused the pid).
    var isAlive: Bool {
        guard pid > 0, let current = Self.startTime(of: pid) else { return false }
        return current == startTime
    }

    /// Field 22 (`starttime`, clock ticks after boot) of `/proc/<pid>/stat`. The command name
    /// (field 2) is in parentheses and may contain spaces, so fields are counted after the last `)`.
    static func startTime(of pid: pid_t) -> UInt64? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state), so field 22 is fields[19].
        guard fields.count > 19 else { return nil }
        return UInt64(fields[19])
    }
}
