import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Freezing a child with SIGSTOP so a test can act "between two of its steps".
///
/// `kill(pid, SIGSTOP)` returns as soon as the signal is queued; each thread stops only when
/// it next enters the kernel or is scheduled, so a worker may still finish a `read` after
/// `kill` returned. `freeze` waits until every thread in `/proc/<pid>/task` shows state `T`.
public enum ProcessFreeze {
    public struct Timeout: Error, CustomStringConvertible {
        public var pid: pid_t
        public var description: String { "process \(pid) did not stop within the timeout" }
    }

    /// Sends SIGSTOP and returns once every thread of `pid` is stopped.
    public static func freeze(_ pid: pid_t, timeout: Duration = .seconds(10)) async throws {
        guard kill(pid, SIGSTOP) == 0 else { throw Timeout(pid: pid) }
        let deadline = ContinuousClock.now + timeout
        while !allThreadsStopped(pid) {
            guard ContinuousClock.now < deadline else { throw Timeout(pid: pid) }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Whether every thread's state (the field after the `)` closing the command name in
    /// `/proc/<pid>/task/<tid>/stat`) is `T` (stopped) or `t` (traced).
    static func allThreadsStopped(_ pid: pid_t) -> Bool {
        let tasks = "/proc/\(pid)/task"
        guard let threads = try? FileManager.default.contentsOfDirectory(atPath: tasks), !threads.isEmpty else {
            return false
        }
        return threads.allSatisfy { thread in
            guard let stat = try? String(contentsOfFile: "\(tasks)/\(thread)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
            return state == "T" || state == "t"
        }
    }
}
