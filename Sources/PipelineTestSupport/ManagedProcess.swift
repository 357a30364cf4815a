import Synchronization
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One of our executables (or any program) running as a child of the test, with its stdout and
/// stderr captured in files.
///
/// The child leads its own process group, starts with default signal handling and only
/// descriptors 0-2 (see `ProcessSpawn`), and is reaped only by this object. Files live in
/// `directory` (`/tmp/edgelog-proc-XXXXXX`): `stdout.log`, `stderr.log`, `owner` and `child`
/// (pid and start time of the child, so a later test run can kill it if this one crashed).
///
/// Stop it in every outcome: `defer { process.stop() }` or `withManagedProcess { }`. `stop()`
/// kills the whole process group if it still runs and removes `directory` (read `logs()`
/// first if you need them); `deinit` and a process-exit hook stop what a test forgot.
/// Readiness failures throw a `Failure` that already includes the logs.
public final class ManagedProcess: Sendable, HarnessResource {
    /// Startup or readiness failed; the description includes the process's logs.
    public struct Failure: Error, CustomStringConvertible {
        public var reason: String
        public var logs: String
        public var description: String { "\(reason)\n\(logs)" }
    }

    public let executable: String
    public let arguments: [String]
    public let pid: Int32
    public let directory: String
    public var stdoutPath: String { "\(directory)/stdout.log" }
    public var stderrPath: String { "\(directory)/stderr.log" }

    private let scratch: ScratchDirectory
    /// The child's exit status once reaped. Signals are sent only while this is `nil`, under the
    /// lock: an unreaped child keeps its pid, so a signal can never hit a recycled pid.
    private let exit = Mutex<ExitStatus?>(nil)
    private let stopped = Mutex(false)

    private init(executable: String, arguments: [String], pid: Int32, scratch: ScratchDirectory) {
        self.executable = executable
        self.arguments = arguments
        self.pid = pid
        self.scratch = scratch
        self.directory = scratch.path
    }

    deinit { stop() }

    /// Starts `executable` (an absolute path) with `arguments`.
    /// - Parameters:
    ///   - environment: variables set for the child, on top of this process's environment
    ///     unless `inheritEnvironment` is false.
    ///   - workingDirectory: the child's current directory; default is `directory`.
    public static func start(
        executable: String,
        arguments: [String] = [],
        environment: [String: String] = [:],
        inheritEnvironment: Bool = true,
        workingDirectory: String? = nil
    ) throws -> ManagedProcess {
        reclaimAbandoned()
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw Failure(reason: "\(executable) does not exist or is not executable", logs: "")
        }
        let scratch = try ScratchDirectory.create(kind: "proc")
        var childEnvironment = inheritEnvironment ? ProcessInfo.processInfo.environment : [:]
        childEnvironment.merge(environment) { _, new in new }
        let pid: Int32
        do {
            pid = try ProcessSpawn.start(
                executable: executable,
                arguments: arguments,
                environment: childEnvironment,
                stdoutPath: "\(scratch.path)/stdout.log",
                stderrPath: "\(scratch.path)/stderr.log",
                workingDirectory: workingDirectory ?? scratch.path
            )
        } catch {
            scratch.remove()
            throw Failure(reason: "\(error)", logs: "")
        }
        let identity = ProcessIdentity(pid: pid, startTime: ProcessIdentity.startTime(of: pid) ?? 0)
        _ = FileManager.default.createFile(atPath: "\(scratch.path)/child", contents: Data(identity.marker.utf8))
        let process = ManagedProcess(executable: executable, arguments: arguments, pid: pid, scratch: scratch)
        LiveResources.register(process)
        return process
    }

    // MARK: - State

    /// The exit status if the child has exited (reaping it), `nil` while it runs.
    public var exitStatus: ExitStatus? {
        exit.withLock { status in
            if status == nil { status = ProcessSpawn.poll(pid) }
            return status
        }
    }

    public var isRunning: Bool { exitStatus == nil }

    // MARK: - Readiness

    /// Waits until 127.0.0.1:`port` accepts TCP connections.
    /// - Throws: `Failure` with the logs if the process exits first or `timeout` passes.
    public func waitUntilListening(port: Int, timeout: Duration = .seconds(30)) async throws {
        try await poll(until: "listening on port \(port)", timeout: timeout) {
            await OffPool.run { LoopbackProbe.isListening(port: port, timeout: .milliseconds(500)) }
        }
    }

    /// Waits until `GET path` on 127.0.0.1:`port` answers 200.
    /// - Throws: `Failure` with the logs (and the last reply or error) if the process exits
    ///   first or `timeout` passes.
    public func waitUntilHTTPHealthy(port: Int, path: String = "/health", timeout: Duration = .seconds(30)) async throws
    {
        let lastAnswer = Mutex("no answer yet")
        do {
            try await poll(until: "HTTP 200 from GET \(path) on port \(port)", timeout: timeout) {
                do {
                    let reply = try await OffPool.run {
                        try LoopbackProbe.httpGet(port: port, path: path, timeout: .seconds(1))
                    }
                    lastAnswer.withLock { $0 = "last reply: HTTP \(reply.status)" }
                    return reply.status == 200
                } catch {
                    lastAnswer.withLock { $0 = "last error: \(error)" }
                    return false
                }
            }
        } catch var failure as Failure {
            failure.reason += " (\(lastAnswer.withLock { $0 }))"
            throw failure
        }
    }

    /// Waits until stdout or stderr contains `text` (a "ready" line, a specific log message).
    /// - Throws: `Failure` with the logs if `timeout` passes or the process exits without printing it.
    public func waitUntilOutput(contains text: String, timeout: Duration = .seconds(30)) async throws {
        try await poll(until: "printing \"\(text)\"", timeout: timeout) {
            stdoutText().contains(text) || stderrText().contains(text)
        }
    }

    /// Checks `isReady` every 20 ms. Probes that touch a socket run through `OffPool`: a server
    /// that accepts but does not answer yet would otherwise hold a pool thread for the timeout.
    /// Only a probe that *started* after the deadline can time the wait out: on a busy pool the
    /// task may resume long after a probe made before the server was up, and that stale answer
    /// must not count as the last word.
    private func poll(until goal: String, timeout: Duration, _ isReady: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            let probed = ContinuousClock.now
            if await isReady() { return }
            if let status = exitStatus {
                throw Failure(reason: "\(name) \(status) before \(goal)", logs: logs())
            }
            guard probed < deadline else {
                throw Failure(reason: "\(name) not \(goal) after \(timeout)", logs: logs())
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    // MARK: - Ending

    /// Sends SIGTERM to the process (not its group): the graceful-shutdown path.
    public func terminate() {
        signal(SIGTERM, group: false)
    }

    /// Sends SIGKILL to the whole process group: a crash, as far as the process can tell.
    public func kill9() {
        signal(SIGKILL, group: true)
    }

    private func signal(_ number: Int32, group: Bool) {
        exit.withLock { status in
            if status == nil { status = ProcessSpawn.poll(pid) }
            guard status == nil else { return }
            _ = kill(group ? -pid : pid, number)
        }
    }

    /// Waits for the process to exit and returns how it ended.
    /// - Throws: `Failure` with the logs if it still runs after `timeout` (it keeps running).
    public func waitForExit(timeout: Duration = .seconds(30)) async throws -> ExitStatus {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let status = exitStatus { return status }
            guard ContinuousClock.now < deadline else {
                throw Failure(reason: "\(name) still running after \(timeout)", logs: logs())
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Kills the process group if the process still runs, reaps it, and removes `directory`.
    /// Idempotent; blocks only for the moment SIGKILL takes.
    public func stop() {
        let first = stopped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LiveResources.unregister(self)
        kill9()
        let deadline = ContinuousClock.now + .seconds(10)
        while exitStatus == nil && ContinuousClock.now < deadline {
            usleep(2_000)
        }
        scratch.remove()
    }

    // MARK: - Logs

    public func stdoutText() -> String { ProcessSpawn.text(ofFile: stdoutPath) }
    public func stderrText() -> String { ProcessSpawn.text(ofFile: stderrPath) }

    /// stdout and stderr, labelled, for failure messages.
    public func logs() -> String {
        "--- \(name) stdout ---\n\(stdoutText())\n--- \(name) stderr ---\n\(stderrText())"
    }

    private var name: String { "\(URL(fileURLWithPath: executable).lastPathComponent) (pid \(pid))" }

    // MARK: - Leftovers

    private static let reclaimed = Mutex(false)

    /// Once per test process: kills children of test processes that died, and removes their files.
    private static func reclaimAbandoned() {
        let first = reclaimed.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        reclaim(ScratchDirectory.abandoned(kind: "proc"))
    }

    /// Kills the recorded child's process group (if that very process still exists) and
    /// removes each directory.
    static func reclaim(_ directories: [ScratchDirectory]) {
        for directory in directories {
            if let child = ProcessIdentity(markerFile: "\(directory.path)/child"), child.isAlive {
                _ = kill(-child.pid, SIGKILL)
                _ = kill(child.pid, SIGKILL)
            }
            directory.remove()
        }
    }
}

/// Starts a process, runs `body`, and always stops the process (and removes its files), also
/// when `body` throws.
public func withManagedProcess<T>(
    executable: String,
    arguments: [String] = [],
    environment: [String: String] = [:],
    _ body: (ManagedProcess) async throws -> T
) async throws -> T {
    let process = try ManagedProcess.start(executable: executable, arguments: arguments, environment: environment)
    defer { process.stop() }
    return try await body(process)
}
