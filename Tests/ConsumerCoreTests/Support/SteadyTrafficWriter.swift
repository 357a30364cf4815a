import Foundation
import PipelineTestSupport
import TrafficGenerator

/// Appends generated traffic to a log file in steps, keeping the expected totals.
final class SteadyTrafficWriter {
    let path: String
    private var generator: TrafficGenerator
    private(set) var expected = ExpectedTotals()
    /// Every request generated so far, when `keepsRequests` (sketch tests need the values).
    private(set) var requests: [GeneratedRequest] = []
    var keepsRequests = false

    convenience init(path: String, seed: UInt64) throws {
        var profile = TrafficProfile()
        profile.seed = seed
        profile.requestsPerSecond = 200
        profile.siteCount = 12
        try self.init(path: path, profile: profile)
    }

    init(path: String, profile: TrafficProfile) throws {
        self.path = path
        generator = try TrafficGenerator(profile: profile, format: "edge")
    }

    func append(lines: Int) throws {
        var bytes: [UInt8] = []
        for _ in 0..<lines {
            if let request = generator.appendLine(to: &bytes) {
                expected.add(request)
                if keepsRequests { requests.append(request) }
            } else {
                expected.lines += 1
                expected.broken += 1
            }
        }
        try write(bytes)
    }

    /// Appends `bytes` as they are (the caller accounts for them in `expected`).
    func appendRaw(_ bytes: [UInt8], expecting update: (inout ExpectedTotals) -> Void) throws {
        update(&expected)
        try write(bytes)
    }

    private func write(_ bytes: [UInt8]) throws {
        if !FileManager.default.fileExists(atPath: path) {
            FileManager.default.createFile(atPath: path, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw ShipperProcess.Failure(description: "cannot open \(path)")
        }
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        handle.write(Data(bytes))
    }
}
