/// A Prometheus text exposition (format 0.0.4), parsed just enough for tests: every sample line
/// `series value [timestamp]` by its series, where the series is the metric name plus its
/// `{labels}` exactly as written (label values may contain spaces, so the series ends at the
/// `}` that closes the label set, not at the first space).
///
/// Comment lines (`# HELP`, `# TYPE`) and lines whose value does not parse are skipped; a series
/// written twice keeps its last value. Timestamps are ignored.
public struct PrometheusText: Sendable, Hashable {
    /// Every sample, by series (`name` or `name{label="value",...}`).
    public let samples: [String: Double]

    /// Parses a `/metrics` body.
    public init(_ body: [UInt8]) {
        self.init(String(decoding: body, as: UTF8.self))
    }

    /// Parses exposition text.
    public init(_ text: String) {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let sample = Self.sample(line) else { continue }
            samples[sample.series] = sample.value
        }
        self.samples = samples
    }

    /// The value of `series` (`name` or `name{label="value"}`), `nil` when not exposed.
    public subscript(_ series: String) -> Double? { samples[series] }

    /// The sum over every series of metric `name` (all label combinations), `nil` when none is
    /// exposed.
    public func total(_ name: String) -> Double? {
        let matching = samples.filter { $0.key == name || $0.key.hasPrefix(name + "{") }
        return matching.isEmpty ? nil : matching.values.reduce(0, +)
    }

    /// Series whose text (name or labels) contains `fragment`.
    public func series(containing fragment: String) -> [String: Double] {
        samples.filter { $0.key.contains(fragment) }
    }

    /// Splits one sample line into its series and value; `nil` when it is not a sample.
    private static func sample(_ line: Substring) -> (series: String, value: Double)? {
        guard let seriesEnd = endOfSeries(line) else { return nil }
        let fields = line[seriesEnd...].split(separator: " ", omittingEmptySubsequences: true)
        guard let first = fields.first, fields.count <= 2, let value = Double(first) else { return nil }
        return (String(line[..<seriesEnd]), value)
    }

    /// The index just past the series: past the closing `}` of the label set (skipping quoted
    /// label values, where `\"` and `\\` are escapes), else at the first space.
    private static func endOfSeries(_ line: Substring) -> Substring.Index? {
        var index = line.startIndex
        while index < line.endIndex, line[index] != " ", line[index] != "{" { index = line.index(after: index) }
        guard index > line.startIndex, index < line.endIndex else { return nil }
        guard line[index] == "{" else { return index }
        var quoted = false
        var escaped = false
        index = line.index(after: index)
        while index < line.endIndex {
            let character = line[index]
            if escaped {
                escaped = false
            } else if quoted {
                if character == "\\" { escaped = true } else if character == "\"" { quoted = false }
            } else if character == "\"" {
                quoted = true
            } else if character == "}" {
                return line.index(after: index)
            }
            index = line.index(after: index)
        }
        return nil
    }
}

extension PrometheusText {
    /// `GET /metrics` on 127.0.0.1:`port`, parsed. The blocking HTTP exchange runs on a thread
    /// of its own (`OffPool`): tests poll metrics in loops while other tests run in parallel.
    public static func scrape(port: Int, timeout: Duration = .seconds(5)) async throws -> PrometheusText {
        let reply = try await OffPool.run { try LoopbackProbe.httpGet(port: port, path: "/metrics", timeout: timeout) }
        return PrometheusText(reply.body)
    }
}
