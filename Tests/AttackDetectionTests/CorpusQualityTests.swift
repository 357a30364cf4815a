import AttackDetection
import Foundation
import Testing
import TrafficGenerator

/// Per-class precision and recall against the labels of the corpus plus generated normal
/// traffic. The thresholds sit a little under what the detector reaches, so a regression in
/// either direction fails here rather than silently in production counts.
@Suite struct CorpusQualityTests {
    /// Reached on 2026-12-07 (session 11): sqli 0.9960 / 0.9670, xss 1.0 / 0.9887, traversal
    /// 1.0 / 1.0, scanner 1.0 / 0.9930 — the issue's aim (0.99 / 0.95 for sqli and xss) holds.
    static let thresholds: [(AttackClasses, precision: Double, recall: Double)] = [
        (.sqli, 0.99, 0.96), (.xss, 0.99, 0.98), (.traversal, 0.99, 0.99), (.scanner, 0.99, 0.99),
    ]

    /// Normal requests of the traffic generator (its attacks keep their labels).
    static func generatedTraffic(count: Int) throws -> [LabelledRequest] {
        var profile = TrafficProfile()
        profile.seed = 16
        var generator = try TrafficGenerator(profile: profile, format: "combined")
        var requests: [LabelledRequest] = []
        var line: [UInt8] = []
        while requests.count < count {
            line.removeAll(keepingCapacity: true)
            guard let request = generator.appendLine(to: &line), let method = request.method else { continue }
            var labels: AttackClasses = []
            switch request.attack {
            case .sqlInjection: labels = .sqli
            case .xss: labels = .xss
            case .pathTraversal: labels = .traversal
            case .scanner: labels = .scanner
            case nil: break
            }
            requests.append(
                LabelledRequest(
                    labels: labels, method: method, path: String(decoding: request.path, as: UTF8.self),
                    query: request.query.map { String(decoding: $0, as: UTF8.self) } ?? "",
                    userAgent: request.userAgent ?? "-", referer: request.referer ?? "-", source: "generator"))
        }
        return requests
    }

    @Test func precisionAndRecallPerClass() throws {
        let detector = AttackDetector()
        let corpus = LabelledCorpus.requests
        #expect(corpus.count > 5000)
        let all = corpus + (try Self.generatedTraffic(count: 20_000))
        var scores = Array(repeating: ClassScore(), count: Self.thresholds.count)
        var misses: [String] = []
        for request in all {
            let found = detector.classify(
                method: request.method, path: request.path, query: request.query, userAgent: request.userAgent,
                referer: request.referer)
            for (index, threshold) in Self.thresholds.enumerated() {
                let expected = request.labels.contains(threshold.0)
                let got = found.contains(threshold.0)
                scores[index].add(expected: expected, found: got)
                if expected != got {
                    misses.append("\(expected ? "FN" : "FP") \(threshold.0.names[0])\t\(request.path)?\(request.query)\tua=\(request.userAgent)\tref=\(request.referer)\t\(request.source)")
                }
            }
        }
        if let path = ProcessInfo.processInfo.environment["ATTACK_MISSES"] {
            try misses.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        for (index, threshold) in Self.thresholds.enumerated() {
            let score = scores[index]
            print("\(threshold.0.names[0]): \(score)")
            #expect(score.precision >= threshold.precision, "\(threshold.0.names[0]) precision \(score)")
            #expect(score.recall >= threshold.recall, "\(threshold.0.names[0]) recall \(score)")
        }
    }
}
