import AttackDetection
import Foundation

/// `Fixtures/corpus.tsv` (see `Fixtures/README.md`): one labelled request per line.
struct LabelledRequest {
    var labels: AttackClasses
    var method: String
    var path: String
    var query: String
    var userAgent: String
    var referer: String
    var source: String
}

enum LabelledCorpus {
    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/corpus.tsv")

    static let requests: [LabelledRequest] = {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        var requests: [LabelledRequest] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 7 else { continue }
            var labels: AttackClasses = []
            for name in fields[0].split(separator: ",") {
                if let entry = AttackClasses.named.first(where: { $0.1 == name }) { labels.insert(entry.0) }
            }
            requests.append(
                LabelledRequest(
                    labels: labels, method: fields[1], path: fields[2], query: fields[3], userAgent: fields[4],
                    referer: fields[5], source: fields[6]))
        }
        return requests
    }()
}

/// Precision and recall of one class over a labelled set.
struct ClassScore: CustomStringConvertible {
    var truePositives = 0
    var falsePositives = 0
    var falseNegatives = 0

    var precision: Double { truePositives + falsePositives == 0 ? 1 : Double(truePositives) / Double(truePositives + falsePositives) }
    var recall: Double { truePositives + falseNegatives == 0 ? 1 : Double(truePositives) / Double(truePositives + falseNegatives) }

    mutating func add(expected: Bool, found: Bool) {
        switch (expected, found) {
        case (true, true): truePositives += 1
        case (false, true): falsePositives += 1
        case (true, false): falseNegatives += 1
        case (false, false): break
        }
    }

    var description: String {
        "precision \(String(format: "%.4f", precision)) recall \(String(format: "%.4f", recall)) (tp \(truePositives) fp \(falsePositives) fn \(falseNegatives))"
    }
}
