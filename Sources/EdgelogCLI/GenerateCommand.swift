import ArgumentParser
import Foundation
import TrafficGenerator

/// `edgelog generate`: realistic nginx traffic plus its ground truth, for demos, tests and benchmarks.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write realistic nginx access-log lines and their ground truth.",
        discussion: """
            Deterministic from --seed. The ground truth (per minute and site: requests, bytes, \
            statuses, cache statuses, distinct clients, attacks, late and junk lines, planted \
            heavy hitters and floods) is written as JSON beside the log (<output>.truth.json) \
            from the values before they were formatted.
            With --rate the lines are appended to --output at that many lines per second, \
            stamped with the current time, for live tailing.
            """)

    @Option(help: "Log format: combined, edge, or a log_format body in nginx syntax.")
    var format = "edge"
    @Option(help: "Number of lines to write.")
    var lines = 100_000
    @Option(help: "File to write or append to ('-' for standard output).")
    var output = "-"
    @Option(help: "Where to write the ground truth (default: <output>.truth.json; none for stdout).")
    var truth: String?
    @Option(help: "Append at this many lines per second, stamped with the current time.")
    var rate: Int?
    @Option(help: "Random seed; the same seed gives the same bytes.")
    var seed: UInt64 = 1
    @Option(help: "First timestamp, UTC, e.g. 2026-11-28T12:00:00Z (ignored with --rate).")
    var start: String?
    @Option(help: "Simulated requests per second of log time.")
    var requestsPerSecond = 2_000
    @Option(help: "Number of sites (virtual hosts).")
    var sites = 50
    @Option(help: "Number of distinct client addresses.")
    var clients = 100_000
    @Option(help: "Share of attack requests (0...1).")
    var attackShare = 0.02
    @Option(help: "Share of lines that are not in the log format at all (0...1).")
    var brokenShare = 0.0
    @Option(help: "Share of lines stamped later than --lateness-bound (0...1).")
    var lateShare = 0.0
    @Option(help: "Lateness bound in seconds for --late-share.")
    var latenessBound = 3600
    @Option(help: "Number of planted heavy-hitter clients.")
    var heavyClients = 0
    @Option(help: "Number of planted heavy-hitter paths.")
    var heavyPaths = 0
    @Flag(help: "Plant a flood: one client sending a quarter of all requests to one site.")
    var flood = false
    @Option(help: "UTC offset of $time_local in minutes (e.g. 330 for +0530).")
    var utcOffset = 0

    func run() throws {
        var profile = TrafficProfile()
        profile.seed = seed
        profile.requestsPerSecond = rate ?? requestsPerSecond
        profile.siteCount = sites
        profile.clientCount = clients
        profile.attackShare = attackShare
        profile.brokenLineShare = brokenShare
        profile.lateShare = lateShare
        profile.latenessBoundSeconds = latenessBound
        profile.heavyClients = heavyClients
        profile.heavyPaths = heavyPaths
        profile.flood = flood
        profile.utcOffsetMinutes = utcOffset
        if rate != nil {
            profile.startTimeMs = Int64(Date().timeIntervalSince1970 * 1000)
        } else if let start {
            guard let date = ISO8601DateFormatter().date(from: start) else {
                throw ValidationError("--start: '\(start)' is not an ISO 8601 UTC time like 2026-11-28T12:00:00Z")
            }
            profile.startTimeMs = Int64(date.timeIntervalSince1970 * 1000)
        }
        guard lines >= 0 else { throw ValidationError("--lines must not be negative") }
        if let rate, rate <= 0 { throw ValidationError("--rate must be positive") }

        var generator: TrafficGenerator
        do {
            generator = try TrafficGenerator(profile: profile, format: format)
        } catch {
            throw ValidationError("--format: \(error)")
        }
        let sink = try LineSink(path: output)
        var buffer = [UInt8]()
        buffer.reserveCapacity(1 << 20)
        if let rate {
            // One tick every 100 ms keeps the rate smooth enough for a tailer to see steady growth.
            let perTick = max(1, rate / 10)
            var written = 0
            let began = Date()
            while written < lines {
                let batch = min(perTick, lines - written)
                for _ in 0..<batch { generator.appendLine(to: &buffer) }
                try sink.write(buffer)
                buffer.removeAll(keepingCapacity: true)
                written += batch
                let due = began.addingTimeInterval(Double(written) / Double(rate))
                let wait = due.timeIntervalSinceNow
                if wait > 0 { Thread.sleep(forTimeInterval: wait) }
            }
        } else {
            for _ in 0..<lines {
                generator.appendLine(to: &buffer)
                if buffer.count >= 1 << 20 {
                    try sink.write(buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try sink.write(buffer)
        }
        try sink.close()

        let truthPath = truth ?? (output == "-" ? "none" : output + ".truth.json")
        if truthPath != "none" {
            try generator.groundTruth().write(to: URL(fileURLWithPath: truthPath))
        }
    }
}

/// Appends bytes to a file (created if missing) or to standard output.
private final class LineSink {
    private let handle: FileHandle
    private let ownsHandle: Bool

    init(path: String) throws {
        if path == "-" {
            handle = FileHandle.standardOutput
            ownsHandle = false
        } else {
            if !FileManager.default.fileExists(atPath: path) {
                guard FileManager.default.createFile(atPath: path, contents: nil) else {
                    throw ValidationError("--output: cannot create \(path)")
                }
            }
            guard let h = FileHandle(forWritingAtPath: path) else {
                throw ValidationError("--output: cannot open \(path) for writing")
            }
            handle = h
            ownsHandle = true
            try handle.seekToEnd()
        }
    }

    func write(_ bytes: [UInt8]) throws {
        if !bytes.isEmpty { try handle.write(contentsOf: bytes) }
    }

    func close() throws {
        if ownsHandle { try handle.close() }
    }
}
