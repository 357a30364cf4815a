import Synchronization
import Foundation
import PipelineTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized, .integration)
struct ManagedProcessTests {
    static let python = "/usr/bin/python3"
    static let shell = "/bin/sh"

    /// A directory served by `python3 -m http.server`, holding a `health` file.
    private func servedDirectory(health: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "edgelog-served-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(health.utf8).write(to: URL(fileURLWithPath: "\(directory)/health"))
        return directory
    }

    private func startHTTPServer(port: Int, serving directory: String) throws -> ManagedProcess {
        try ManagedProcess.start(
            executable: Self.python,
            arguments: ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", directory],
            environment: ["PYTHONUNBUFFERED": "1"]
        )
    }

    @Test func httpServerBecomesHealthyAndDiesOnKill9() async throws {
        let served = try servedDirectory(health: "ok from python\n")
        defer { try? FileManager.default.removeItem(atPath: served) }
        let port = try FreePort.next()
        let server = try startHTTPServer(port: port, serving: served)
        defer { server.stop() }

        try await server.waitUntilHTTPHealthy(port: port, timeout: .seconds(20))
        let reply = try LoopbackProbe.httpGet(port: port, path: "/health")
        #expect(reply.status == 200)
        #expect(reply.bodyText == "ok from python\n")
        #expect(try LoopbackProbe.httpGet(port: port, path: "/no-such-file").status == 404)

        server.kill9()
        #expect(try await server.waitForExit(timeout: .seconds(10)) == .signaled(SIGKILL))
        #expect(!server.isRunning)
        #expect(!LoopbackProbe.isListening(port: port))
        // python's http.server logs each request on stderr.
        #expect(server.stderrText().contains("GET /health"))
    }

    @Test func sigtermRunsTheChildsHandlerAndReportsItsExitCode() async throws {
        let process = try ManagedProcess.start(
            executable: Self.shell,
            arguments: ["-c", "trap 'echo got-term; exit 7' TERM; echo ready; while :; do sleep 0.05; done"]
        )
        defer { process.stop() }
        try await process.waitUntilOutput(contains: "ready", timeout: .seconds(10))
        process.terminate()
        #expect(try await process.waitForExit(timeout: .seconds(10)) == .exited(7))
        #expect(process.stdoutText() == "ready\ngot-term\n")
    }

    @Test func unhandledSigtermIsASignalExit() async throws {
        let process = try ManagedProcess.start(executable: "/bin/sleep", arguments: ["300"])
        defer { process.stop() }
        #expect(process.isRunning)
        process.terminate()
        let status = try await process.waitForExit(timeout: .seconds(10))
        #expect(status == .signaled(SIGTERM))
        #expect(status.shellCode == 128 + SIGTERM)
    }

    @Test func stdoutStderrAndEnvironmentAreCaptured() async throws {
        let process = try ManagedProcess.start(
            executable: Self.shell,
            arguments: ["-c", "echo \"out:$EDGELOG_PROBE\"; echo err-line >&2; exit 3"],
            environment: ["EDGELOG_PROBE": "value with spaces"]
        )
        defer { process.stop() }
        #expect(try await process.waitForExit() == .exited(3))
        #expect(process.stdoutText() == "out:value with spaces\n")
        #expect(process.stderrText() == "err-line\n")
        #expect(process.logs().contains("err-line"))
    }

    @Test func exitBeforeReadyFailsFastWithTheLogs() async throws {
        let process = try ManagedProcess.start(
            executable: Self.shell,
            arguments: ["-c", "echo boom-on-stderr >&2; exit 2"]
        )
        defer { process.stop() }
        let port = try FreePort.next()
        let started = ContinuousClock.now
        let failure = try await #require(throws: ManagedProcess.Failure.self) {
            try await process.waitUntilListening(port: port, timeout: .seconds(30))
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(failure.reason.contains("exited with 2"))
        #expect(failure.description.contains("boom-on-stderr"))
    }

    @Test func readinessTimesOutWhenNothingListens() async throws {
        let process = try ManagedProcess.start(executable: "/bin/sleep", arguments: ["300"])
        defer { process.stop() }
        let port = try FreePort.next()
        let failure = try await #require(throws: ManagedProcess.Failure.self) {
            try await process.waitUntilListening(port: port, timeout: .milliseconds(300))
        }
        #expect(failure.reason.contains("not listening on port \(port)"))
        #expect(process.isRunning)
    }

    @Test func stopKillsTheWholeProcessGroupAndRemovesTheFiles() async throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "edgelog-grandchild-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        let process = try ManagedProcess.start(
            executable: Self.shell,
            arguments: ["-c", "sleep 300 & echo $! > '\(pidFile)'; echo started; wait"]
        )
        try await process.waitUntilOutput(contains: "started", timeout: .seconds(10))
        let text = try String(contentsOfFile: pidFile, encoding: .utf8)
        let grandchild = try #require(pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(grandchild, 0) == 0)
        let directory = process.directory

        process.stop()
        #expect(!process.isRunning)
        #expect(!FileManager.default.fileExists(atPath: directory))
        // The grandchild got SIGKILL too; init reaps it shortly after.
        let deadline = ContinuousClock.now + .seconds(5)
        while FileManager.default.fileExists(atPath: "/proc/\(grandchild)"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(!FileManager.default.fileExists(atPath: "/proc/\(grandchild)"))
    }

    @Test func scopedProcessIsStoppedWhenTheBodyThrows() async throws {
        struct Planned: Error {}
        let seen = Mutex<(pid: pid_t, directory: String)?>(nil)
        await #expect(throws: Planned.self) {
            try await withManagedProcess(executable: "/bin/sleep", arguments: ["300"]) { process in
                seen.withLock { $0 = (process.pid, process.directory) }
                throw Planned()
            }
        }
        let (pid, directory) = try #require(seen.withLock { $0 })
        #expect(!FileManager.default.fileExists(atPath: "/proc/\(pid)"))
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test func missingExecutableIsATypedFailure() {
        #expect(throws: ManagedProcess.Failure.self) {
            try ManagedProcess.start(executable: "/nonexistent/edgelog-binary")
        }
    }
}
