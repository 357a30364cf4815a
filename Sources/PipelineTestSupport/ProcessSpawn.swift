import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Starts and reaps child processes with `posix_spawn`, because the harness needs guarantees
/// that Foundation's `Process` does not give:
/// - the child leads its own process group (pgid = pid), so a kill can take down whatever it
///   forked, and a Ctrl-C meant for the test runner is not delivered to it twice;
/// - every signal is reset to its default action and unblocked in the child: an inherited
///   `SIG_IGN` for `SIGTERM` would silently turn a graceful-shutdown test into a no-op;
/// - no descriptor beyond 0, 1, 2 is inherited: a leaked listening socket or pipe end would
///   keep a port busy or a reader waiting after the test (and a postmaster outlives `pg_ctl`);
/// - stdin is `/dev/null` and output goes to files, never pipes, so a chatty child never blocks;
/// - we reap with `waitpid` on the exact pid ourselves, so the exit status (including the
///   signal) is exact and no other code reaps our children.
enum ProcessSpawn {
    /// `posix_spawn` itself failed (no such file, not executable, ...).
    struct Failure: Error, CustomStringConvertible {
        var executable: String
        var code: Int32
        var description: String { "cannot start \(executable): \(String(cString: strerror(code)))" }
    }

    /// Starts `executable` (a path) with `arguments` (without argv[0]) and exactly `environment`.
    /// stdout and stderr are appended to the given files (the same path may be given for both).
    static func start(
        executable: String,
        arguments: [String],
        environment: [String: String],
        stdoutPath: String,
        stderrPath: String,
        workingDirectory: String? = nil
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // No O_CLOEXEC here: glibc closes the target descriptor before opening, so the file
        // lands exactly on 1 or 2 without a dup2 that would clear the flag, and exec would close it.
        let writeFlags = O_WRONLY | O_CREAT | O_APPEND
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, writeFlags, 0o644)
        if stderrPath == stdoutPath {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, stderrPath, writeFlags, 0o644)
        }
        if let closeFrom = GNUSpawnActions.closeFrom {
            _ = closeFrom(&actions, 3)
        }
        if let workingDirectory, let changeDirectory = GNUSpawnActions.changeDirectory {
            _ = changeDirectory(&actions, workingDirectory)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaultSignals = sigset_t()
        sigfillset(&defaultSignals)
        sigdelset(&defaultSignals, SIGKILL)
        sigdelset(&defaultSignals, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        var noBlockedSignals = sigset_t()
        sigemptyset(&noBlockedSignals)
        posix_spawnattr_setsigmask(&attributes, &noBlockedSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        let flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] =
            environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw Failure(executable: executable, code: result) }
        return pid
    }

    /// Blocks until `pid` exits and reaps it. `nil` if it is not our child (already reaped).
    static func wait(_ pid: pid_t) -> ExitStatus? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, 0)
            if result == pid { return ExitStatus(waitStatus: status) }
            if result == -1 && errno == EINTR { continue }
            return nil
        }
    }

    /// Reaps `pid` if it has exited; `nil` while it runs. A pid that is not (or no longer) our
    /// child reports `.exited(-1)`.
    static func poll(_ pid: pid_t) -> ExitStatus? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return ExitStatus(waitStatus: status) }
            if result == 0 { return nil }
            if result == -1 && errno == EINTR { continue }
            return .exited(-1)
        }
    }

    /// Runs a short-lived tool to completion; stdout and stderr are interleaved into `outputPath`.
    static func run(
        executable: String,
        arguments: [String],
        environment: [String: String],
        outputPath: String,
        workingDirectory: String? = nil
    ) throws -> ExitStatus {
        let pid = try start(
            executable: executable,
            arguments: arguments,
            environment: environment,
            stdoutPath: outputPath,
            stderrPath: outputPath,
            workingDirectory: workingDirectory
        )
        return wait(pid) ?? .exited(-1)
    }

    /// Reads a whole (small) file as text; empty if it is missing.
    static func text(ofFile path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The last `lines` lines of `text`, for error messages that must stay readable.
    static func tail(_ text: String, lines: Int = 40) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+) and `..._addchdir_np` (2.29+).
/// Their declarations sit behind `_GNU_SOURCE`, which the Glibc module does not define, so they
/// are looked up at run time; where missing, the child inherits descriptors / our directory.
private enum GNUSpawnActions {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias ChangeDirectory =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    static let closeFrom: CloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np")
    static let changeDirectory: ChangeDirectory? = symbol("posix_spawn_file_actions_addchdir_np")

    private static func symbol<F>(_ name: String) -> F? {
        // A nil handle is RTLD_DEFAULT: search the libraries already loaded.
        guard let address = dlsym(nil, name) else { return nil }
        return unsafeBitCast(address, to: F.self)
    }
}
