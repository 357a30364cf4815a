// detect-bench: AttackDetector throughput on clean generated traffic and on the labelled attack
// corpus, one thread; optionally writes our classification of every corpus row as JSON lines
// for Benchmarks/scripts/libinjection_compare.py.
//
//   swift build -c release --package-path Benchmarks --scratch-path .build-bench-pkg
//   .build-bench-pkg/release/detect-bench [--requests 2000000] [--corpus PATH] [--jsonl PATH]
import AttackDetection
import Foundation
import TrafficGenerator

/// Requests packed into one byte array: five (offset, count) spans per request.
struct PackedRequests {
    var bytes: [UInt8] = []
    var spans: [(Int, Int)] = []
    var labels: [String] = []

    mutating func append(_ fields: [[UInt8]], label: String) {
        for field in fields {
            spans.append((bytes.count, field.count))
            bytes.append(contentsOf: field)
        }
        labels.append(label)
    }

    var count: Int { spans.count / 5 }

    /// `remembering`: `classifyRemembering` (what the consumer calls) on one detector
    /// that lives across the run, instead of the pure `classify`.
    func classifyAll(_ detector: AttackDetector, remembering: Bool = false, into results: inout [AttackClasses]) {
        results.removeAll(keepingCapacity: true)
        var detector = detector
        bytes.withUnsafeBytes { raw in
            for index in 0..<count {
                func field(_ n: Int) -> UnsafeRawBufferPointer {
                    let (offset, length) = spans[index * 5 + n]
                    return UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)])
                }
                results.append(
                    remembering
                        ? detector.classifyRemembering(
                            method: field(0), path: field(1), query: field(2), userAgent: field(3), referer: field(4))
                        : detector.classify(
                            method: field(0), path: field(1), query: field(2), userAgent: field(3), referer: field(4)))
            }
        }
    }
}

func argument(_ name: String) -> String? {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

let requestCount = Int(argument("--requests") ?? "") ?? 2_000_000
let corpusPath = argument("--corpus") ?? "Tests/AttackDetectionTests/Fixtures/corpus.tsv"

// Clean traffic: the generator's default profile, its attacks and look-alikes left out.
var clean = PackedRequests()
var profile = TrafficProfile()
profile.attackShare = 0
profile.lookalikeShare = 0
var generator = try TrafficGenerator(profile: profile, format: "combined")
var line: [UInt8] = []
while clean.count < requestCount {
    line.removeAll(keepingCapacity: true)
    guard let request = generator.appendLine(to: &line), let method = request.method else { continue }
    clean.append(
        [Array(method.utf8), request.path, request.query ?? [], Array((request.userAgent ?? "-").utf8), Array((request.referer ?? "-").utf8)],
        label: "clean")
}

var corpus = PackedRequests()
let text = try String(contentsOfFile: corpusPath, encoding: .utf8)
for row in text.split(separator: "\n") where !row.hasPrefix("#") {
    let fields = row.split(separator: "\t", omittingEmptySubsequences: false)
    guard fields.count >= 7 else { continue }
    corpus.append(fields[1...5].map { Array($0.utf8) }, label: String(fields[0]))
}

let detector = AttackDetector()
var results: [AttackClasses] = []
results.reserveCapacity(max(clean.count, corpus.count))

@MainActor
func measure(_ name: String, _ requests: PackedRequests, repetitions: Int, remembering: Bool = false) {
    var best = Double.infinity
    for _ in 0..<repetitions {
        let start = ContinuousClock.now
        requests.classifyAll(detector, remembering: remembering, into: &results)
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        best = min(best, seconds)
    }
    let flagged = results.filter { !$0.isEmpty }.count
    print(String(format: "%-28@ %9d requests  %7.3f s  %8.2f M requests/s  (%d flagged)", name as NSString, requests.count, best, Double(requests.count) / best / 1e6, flagged))
}

measure("clean generated traffic", clean, repetitions: 5)
measure("clean, remembering", clean, repetitions: 5, remembering: true)
measure("labelled corpus (attack mix)", corpus, repetitions: 5)
measure("corpus, remembering", corpus, repetitions: 5, remembering: true)

if let jsonl = argument("--jsonl") {
    corpus.classifyAll(detector, into: &results)
    var output = ""
    for (index, classes) in results.enumerated() {
        let names = classes.names.map { "\"\($0)\"" }.joined(separator: ",")
        output += "{\"row\":\(index),\"labels\":\"\(corpus.labels[index])\",\"classes\":[\(names)]}\n"
    }
    try output.write(toFile: jsonl, atomically: true, encoding: .utf8)
    print("wrote \(results.count) classifications to \(jsonl)")
}
