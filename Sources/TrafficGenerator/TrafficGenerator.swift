/// Generates nginx access-log lines and their ground truth, deterministically from a seed.
public struct TrafficGenerator: Sendable {
    public private(set) var synthesizer: RequestSynthesizer
    public let formatter: LogLineFormatter
    private var accumulator: GroundTruthAccumulator
    private var breakRandom: SeededRandom

    public init(profile: TrafficProfile, format: String) throws {
        synthesizer = RequestSynthesizer(profile: profile)
        formatter = try LogLineFormatter(format: format, utcOffsetMinutes: profile.utcOffsetMinutes)
        var truth = GroundTruth(seed: profile.seed, format: format)
        truth.heavyClients = synthesizer.heavyClients
        truth.heavyPaths = synthesizer.heavyPaths
        truth.floodClient = synthesizer.floodClient
        truth.floodSite = synthesizer.floodSite
        accumulator = GroundTruthAccumulator(truth: truth)
        breakRandom = SeededRandom(seed: profile.seed ^ 0xB40C_E11E)
    }

    /// Appends the next line (request or, at `brokenLineShare`, a line outside the format) to
    /// `output` and records it in the ground truth. Returns the request when the line is one.
    @discardableResult
    public mutating func appendLine(to output: inout [UInt8]) -> GeneratedRequest? {
        let request = synthesizer.next()
        let share = synthesizer.profile.brokenLineShare
        if share > 0, breakRandom.chance(share) {
            appendBrokenLine(from: request, to: &output)
            accumulator.addBrokenLine()
            return nil
        }
        formatter.append(request, to: &output)
        accumulator.add(request)
        return request
    }

    /// A line no parser of this format can accept: a write torn inside the quoted request, or
    /// foreign text (an error message that ended up in the access log).
    private mutating func appendBrokenLine(from request: GeneratedRequest, to output: inout [UInt8]) {
        var line = [UInt8]()
        formatter.append(request, to: &line)
        if breakRandom.chance(0.5), let open = line.firstIndex(of: 0x22),
           let close = line[(open + 1)...].firstIndex(of: 0x22), close > open + 1 {
            output.append(contentsOf: line[..<(open + 1 + breakRandom.below(close - open - 1))])
        } else {
            output.append(contentsOf: "2026/11/28 12:00:00 [error] 1234#1234: *5 upstream timed out (110: Connection timed out)".utf8)
        }
        output.append(0x0A)
    }

    public func groundTruth() -> GroundTruth { accumulator.finish() }
}
