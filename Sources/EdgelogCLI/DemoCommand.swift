import ArgumentParser
import EdgelogRuntime
import Foundation
import InProcessDemo
import Logging
import Metrics
import NginxLog
import TrafficGenerator

/// `edgelog demo`: the pipeline as far as it is built, in one process, on generated or given logs.
///
/// Today: nginx lines → byte-level parser → Cap'n Proto records → LZ4 batches → decode every
/// record back → per-site report. It grows into the full shipper → broker → consumer →
/// PostgreSQL run as those parts land.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the pipeline as far as it is built on generated (or given) nginx logs and report.")

    @OptionGroup var runtime: RuntimeOptions
    @Option(help: "An nginx access log to use instead of generated traffic.")
    var log: String?
    @Option(help: "log_format of --log: combined, edge, or a log_format body.")
    var format = "edge"
    @Option(help: "Site label for formats without $host.")
    var siteLabel: String?
    @Option(help: "Lines to generate when no --log is given.")
    var lines = 200_000
    @Option(help: "Uncompressed bytes of records per LZ4 batch.")
    var batchBytes = 1 << 20
    @Flag(help: "Keep serving /metrics and /health after the report until SIGTERM/SIGINT.")
    var hold = false

    mutating func run() async throws {
        let process = try RuntimeProcess.start(label: "edgelog.demo", options: runtime)
        let logger = process.logger
        logger.info("demo starting", metadata: ["lines": "\(log == nil ? lines : 0)", "format": "\(format)"])

        let logPath: String
        var scratch: URL?
        if let log {
            logPath = log
        } else {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("edgelog-demo-\(getpid())")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            scratch = dir
            logPath = dir.appendingPathComponent("access.log").path
            var profile = TrafficProfile()
            profile.brokenLineShare = 0.001
            var generator = try TrafficGenerator(profile: profile, format: format)
            var bytes = [UInt8]()
            for _ in 0..<lines { generator.appendLine(to: &bytes) }
            try Data(bytes).write(to: URL(fileURLWithPath: logPath))
            print("generated \(lines) nginx lines (\(format) format) in \(logPath)")
        }
        defer { if let scratch { try? FileManager.default.removeItem(at: scratch) } }

        let logFormat: LogFormat
        switch format {
        case "combined": logFormat = .combined
        case "edge": logFormat = .edge
        default:
            do { logFormat = try LogFormat(format) } catch { throw ValidationError("--format: \(error)") }
        }
        let run: DemoPipeline
        do {
            run = try DemoPipeline(
            format: logFormat, siteLabel: siteLabel, batchBytes: batchBytes,
            recordsCounter: Counter(label: "edgelog_demo_records_total"),
            batchesCounter: Counter(label: "edgelog_demo_batches_total"))
        } catch {
            throw ValidationError(error.description)
        }
        let started = ContinuousClock.now
        let report = try run.process(file: logPath)
        let elapsed = ContinuousClock.now - started
        print(report.rendered(elapsed: elapsed))
        logger.info("demo finished", metadata: ["records": "\(report.records)", "batches": "\(report.batches)"])

        if hold {
            print("serving /metrics and /health until SIGTERM or SIGINT")
            fflush(nil)  // the report must reach a pipe or file before we block
            try await process.run([])
        }
    }
}
