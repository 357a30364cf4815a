/// How a child process ended, decoded from a `waitpid` status word.
///
/// Linux layout of the status word: low 7 bits = terminating signal (0 when the process exited),
/// bits 8...15 = exit code when it exited. We never wait with `WUNTRACED`, so "stopped" does not occur.
public enum ExitStatus: Sendable, Hashable, CustomStringConvertible {
    /// `exit(code)` or returning from `main`.
    case exited(Int32)
    /// Killed by a signal (`SIGKILL` = 9 after `kill9()`, `SIGTERM` = 15 if it did not handle it).
    case signaled(Int32)

    init(waitStatus status: Int32) {
        let signal = status & 0x7f
        self = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }

    /// The shell's convention: the exit code, or 128 + signal number.
    public var shellCode: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): "exited with \(code)"
        case .signaled(let signal): "killed by signal \(signal)"
        }
    }
}
