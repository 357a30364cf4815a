import AccessRecord
import ArgumentParser
import EdgelogRuntime
import Foundation
import LZ4Frame
import Logging
import Metrics
import NginxLog
import RequestEncoding
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
        let run = try DemoPipeline(
            format: logFormat, siteLabel: siteLabel, batchBytes: batchBytes,
            recordsCounter: Counter(label: "edgelog_demo_records_total"),
            batchesCounter: Counter(label: "edgelog_demo_batches_total"))
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

/// The in-process pipeline of the demo: parse, encode, compress, then decode every record.
struct DemoPipeline {
    var format: LogFormat
    var siteLabel: String?
    var batchBytes: Int
    var recordsCounter: Counter
    var batchesCounter: Counter

    init(format: LogFormat, siteLabel: String?, batchBytes: Int, recordsCounter: Counter, batchesCounter: Counter) throws {
        guard batchBytes >= 4096 else { throw ValidationError("--batch-bytes must be at least 4096") }
        self.format = format
        self.siteLabel = siteLabel
        self.batchBytes = batchBytes
        self.recordsCounter = recordsCounter
        self.batchesCounter = batchesCounter
    }

    struct SiteTotals {
        var requests = 0
        var bodyBytes: UInt64 = 0
        var cacheHits = 0
        var serverErrors = 0
    }

    struct Report {
        var lines = 0
        var rawBytes = 0
        var records = 0
        var parseErrors = 0
        var encodedBytes = 0
        var compressedBytes = 0
        var batches = 0
        var sites: [String: SiteTotals] = [:]

        func rendered(elapsed: Duration) -> String {
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            var out = """
                read      \(lines) lines, \(rawBytes) bytes of nginx log
                encoded   \(records) Cap'n Proto records (\(parseErrors) unparsed lines kept with their raw bytes), \(encodedBytes) bytes
                batched   \(batches) LZ4 frames, \(compressedBytes) bytes (\(ratio(rawBytes, compressedBytes)) smaller than the raw log)
                decoded   every record back from the compressed batches in \(String(format: "%.2f", seconds)) s total

                top sites by requests:
                """
            out += "\n  site                          requests     body bytes   cache hit   5xx\n"
            for (site, t) in sites.sorted(by: { $0.value.requests > $1.value.requests }).prefix(10) {
                let hit = t.requests == 0 ? 0 : 100 * Double(t.cacheHits) / Double(t.requests)
                out += "  " + site.padding(toLength: 28, withPad: " ", startingAt: 0)
                    + String(format: "%10ld %14llu %10.1f%% %5ld\n", t.requests, t.bodyBytes, hit, t.serverErrors)
            }
            return out
        }

        private func ratio(_ a: Int, _ b: Int) -> String {
            b == 0 ? "n/a" : String(format: "%.1fx", Double(a) / Double(b))
        }
    }

    func process(file path: String) throws -> Report {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ValidationError("cannot open \(path)")
        }
        defer { try? handle.close() }
        var encoder = ParsedLineEncoder(parser: LogParser(format: format, siteLabel: siteLabel))
        var builder = AccessRecordBuilder(reservingCapacity: batchBytes + 64 * 1024)
        let compressor = try LZ4FrameEncoder()
        var batches = [[UInt8]]()
        var report = Report()
        let splitter = LineSplitter()
        let origin = LineOrigin(edge: ProcessInfo.processInfo.hostName, sourceFile: path)
        var pending = [UInt8]()
        var fileOffset = 0

        func flush() throws {
            guard builder.byteCount > 0 else { return }
            var frame = [UInt8]()
            try builder.withUnsafeBytes { _ = try compressor.compress($0, into: &frame) }
            report.encodedBytes += builder.byteCount
            report.compressedBytes += frame.count
            batches.append(frame)
            builder.removeAll()
        }

        while true {
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            let atEnd = chunk.isEmpty
            pending.append(contentsOf: chunk)
            if atEnd, !pending.isEmpty, pending.last != 0x0A { pending.append(0x0A) }
            let tail = try pending.withUnsafeBytes { raw in
                try splitter.forEachLine(in: raw) { line in
                    var lineOrigin = origin
                    lineOrigin.fileOffset = UInt64(fileOffset + line.lowerBound)
                    let encoded = try encoder.encodeLine(raw, line: line, origin: lineOrigin, into: &builder)
                    report.lines += 1
                    if encoded.parseError != nil { report.parseErrors += 1 }
                    if builder.byteCount >= batchBytes { try flush() }
                }
            }
            report.rawBytes += tail.start
            fileOffset += tail.start
            pending.removeFirst(tail.start)
            if atEnd { break }
        }
        try flush()
        report.batches = batches.count
        batchesCounter.increment(by: batches.count)

        let decompressor = try LZ4FrameDecoder()
        var plain = [UInt8]()
        for frame in batches {
            plain.removeAll(keepingCapacity: true)
            _ = try decompressor.decompress(frame, into: &plain, maxOutputBytes: batchBytes * 4 + (1 << 20))
            var count = 0
            try plain.withUnsafeBytes { raw in
                for range in try CapnpFraming.messageRanges(in: raw) {
                    let reader = try AccessRecordReader(UnsafeRawBufferPointer(rebasing: raw[range]))
                    count += 1
                    if reader.parseError { continue }
                    let site = reader.string(.site)
                    var totals = report.sites[site] ?? SiteTotals()
                    totals.requests += 1
                    totals.bodyBytes += reader.bodyBytesSent
                    if reader.cacheStatus == .hit { totals.cacheHits += 1 }
                    if reader.status >= 500 && reader.status < 600 { totals.serverErrors += 1 }
                    report.sites[site] = totals
                }
            }
            report.records += count
            recordsCounter.increment(by: count)
        }
        return report
    }
}
