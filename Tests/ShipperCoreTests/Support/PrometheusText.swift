/// A Prometheus text exposition, parsed just enough for tests: every sample line
/// `name{labels} value` by its series (name plus the labels exactly as written).
struct PrometheusText {
    let samples: [String: Double]

    init(_ body: [UInt8]) {
        var samples: [String: Double] = [:]
        for line in String(decoding: body, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            samples[String(line[..<space])] = value
        }
        self.samples = samples
    }

    /// The value of `series` (`name` or `name{label="value"}`), `nil` when not exposed.
    subscript(_ series: String) -> Double? { samples[series] }

    /// The sum over every series of metric `name` (all label combinations).
    func total(_ name: String) -> Double? {
        let matching = samples.filter { $0.key == name || $0.key.hasPrefix(name + "{") }
        return matching.isEmpty ? nil : matching.values.reduce(0, +)
    }

    /// Series whose name contains `fragment`.
    func series(containing fragment: String) -> [String: Double] {
        samples.filter { $0.key.contains(fragment) }
    }
}
