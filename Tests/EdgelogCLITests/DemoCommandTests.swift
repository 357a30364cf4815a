import Foundation
import PipelineTestSupport
import Testing

/// The `edgelog` executable as a user runs it: a real process, real signals, a real scrape.
@Suite(.serialized, .integration)
struct DemoCommandTests {
    private func edgelog() throws -> String { try BuiltExecutable.path(named: "edgelog") }

    /// The runtime conventions end to end: the counter on /metrics holds exactly what the demo
    /// decoded, /health answers, and SIGTERM ends the process with status 0.
    @Test func demoServesExactCountsAndExitsCleanlyOnSIGTERM() async throws {
        let port = try FreePort.next()
        let lines = 3_000
        let process = try ManagedProcess.start(
            executable: try edgelog(),
            arguments: ["demo", "--lines", "\(lines)", "--hold", "--metrics-port", "\(port)"])
        defer { process.stop() }
        try await process.waitUntilOutput(contains: "serving /metrics", timeout: .seconds(120))
        try await process.waitUntilHTTPHealthy(port: port)

        let scrape = try LoopbackProbe.httpGet(port: port, path: "/metrics")
        #expect(scrape.status == 200)
        let samples = PrometheusText(scrape.body)
        #expect(samples["edgelog_demo_records_total"] == Double(lines), "\(scrape.bodyText)")
        let report = process.stdoutText()
        #expect(report.contains("read      \(lines) lines"), "\(report)")

        process.terminate()
        let status = try await process.waitForExit(timeout: .seconds(30))
        #expect(status == .exited(0), "\(process.logs())")
        #expect(!LoopbackProbe.isListening(port: port))
    }

    /// A SIGTERM that arrives before the service group runs (here: while the demo is still
    /// processing, before /metrics is even bound) is not fatal: the process finishes its work,
    /// shuts down gracefully and exits 0.
    @Test func earlySIGTERMStillEndsGracefully() async throws {
        let process = try ManagedProcess.start(
            executable: try edgelog(),
            arguments: ["demo", "--lines", "100000", "--hold", "--metrics-port", "0"])
        defer { process.stop() }
        try await process.waitUntilOutput(contains: "demo starting", timeout: .seconds(60))
        process.terminate()
        let status = try await process.waitForExit(timeout: .seconds(120))
        #expect(status == .exited(0), "\(process.logs())")
        #expect(process.stdoutText().contains("read      100000 lines"), "\(process.logs())")
        #expect(process.stderrText().contains("shutdown signal received"), "\(process.logs())")
    }

    /// SIGTERM the moment the process says it started, five times: the handler is in force
    /// when the runtime's start returns (a `DispatchSource`, registered asynchronously, used to
    /// drop a signal sent in its first milliseconds and leave the process running).
    @Test func aSIGTERMRightAfterStartIsNeverLost() async throws {
        for _ in 0..<5 {
            let process = try ManagedProcess.start(
                executable: try edgelog(),
                arguments: ["demo", "--lines", "2000", "--hold", "--metrics-port", "0"])
            defer { process.stop() }
            try await process.waitUntilOutput(contains: "demo starting", timeout: .seconds(60))
            process.terminate()
            let status = try await process.waitForExit(timeout: .seconds(60))
            #expect(status == .exited(0), "\(process.logs())")
            #expect(process.stderrText().contains("shutdown signal received"), "\(process.logs())")
        }
    }

    /// Reads a log the generator wrote with awk-checked content: the demo counts every line.
    @Test func demoReadsAGivenLogInAnotherFormat() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("edgelog-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log").path
        let gen = try await ExternalTool.run(try edgelog(), [
            "generate", "--format", "combined", "--lines", "1234", "--output", log, "--truth", "none",
        ])
        #expect(gen.status == 0, "\(gen.stderrText)")
        let wc = try await ExternalTool.run("wc", ["-l", log])
        #expect(wc.stdoutText.hasPrefix("1234 "))

        let demo = try await ExternalTool.run(try edgelog(), [
            "demo", "--log", log, "--format", "combined", "--site-label", "shop.test", "--metrics-port", "0",
        ])
        #expect(demo.status == 0, "\(demo.stderrText)")
        #expect(demo.stdoutText.contains("read      1234 lines"), "\(demo.stdoutText)")
        #expect(demo.stdoutText.contains("shop.test"), "\(demo.stdoutText)")
    }

    @Test func printConfigShowsSourcesAndExitsZero() async throws {
        let result = try await ExternalTool.run(
            try edgelog(), ["demo", "--print-config", "--log-level", "debug"],
            environment: ProcessInfo.processInfo.environment.merging(["EDGELOG_METRICS_PORT": "9555"]) { $1 })
        #expect(result.status == 0, "\(result.stderrText)")
        let text = result.stdoutText
        #expect(text.contains("log-level"), "\(text)")
        let levelLine = text.split(separator: "\n").first { $0.hasPrefix("log-level") }
        #expect(levelLine?.contains("debug") == true && levelLine?.contains("flag") == true, "\(text)")
        let portLine = text.split(separator: "\n").first { $0.hasPrefix("metrics-port") }
        #expect(portLine?.contains("9555") == true && portLine?.contains("EDGELOG_METRICS_PORT") == true, "\(text)")
    }

    @Test func badSettingIsAClearErrorNotACrash() async throws {
        let result = try await ExternalTool.run(try edgelog(), ["demo", "--metrics-port", "eighty"])
        #expect(result.status != 0)
        #expect(result.stderrText.contains("metrics-port"), "\(result.stderrText)")
    }
}
