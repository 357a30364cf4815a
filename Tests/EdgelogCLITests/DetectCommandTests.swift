import Foundation
import PipelineTestSupport
import Testing
import TrafficGenerator

/// `edgelog detect` as an analyst runs it: whole log lines in any format or bare request lines,
/// from a file or stdin, one JSON answer per input line, in order.
struct DetectCommandTests {
    private func edgelog() throws -> String { try BuiltExecutable.path(named: "edgelog") }

    struct Answer: Decodable {
        var line: Int
        var classes: [String]
        var error: String?
    }

    static func answers(_ text: String) throws -> [Answer] {
        try text.split(separator: "\n").map { try JSONDecoder().decode(Answer.self, from: Data($0.utf8)) }
    }

    /// A generated log (edge and combined format) against the generator's own ground truth: every
    /// line answered in order, and per class exactly as many requests flagged as it planted
    /// (its look-alikes and normal traffic flagged by nothing).
    @Test(arguments: ["edge", "combined"])
    func generatedLogMatchesTheGroundTruth(format: String) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("detect-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("access.log").path
        let lines = 6_000
        let generated = try await ExternalTool.run(
            try edgelog(),
            ["generate", "--format", format, "--lines", "\(lines)", "--seed", "16", "--attack-share", "0.1",
             "--output", log])
        try #require(generated.status == 0, "\(generated.stderrText)")
        let truth = try JSONDecoder().decode(GroundTruth.self, from: Data(contentsOf: URL(fileURLWithPath: log + ".truth.json")))
        var planted: [String: Int] = [:]
        for window in truth.windows { planted.merge(window.attacks, uniquingKeysWith: +) }
        try #require(planted.values.reduce(0, +) > 400, "\(planted)")

        let result = try await ExternalTool.run(try edgelog(), ["detect", "--format", format, log])
        #expect(result.status == 0, "\(result.stderrText)")
        let answers = try Self.answers(result.stdoutText)
        #expect(answers.map(\.line) == Array(1...lines))
        var flagged: [String: Int] = [:]
        for answer in answers { for name in answer.classes { flagged[name, default: 0] += 1 } }
        #expect(flagged == planted.filter { $0.value > 0 })
        // Broken lines the generator wrote are reported, not dropped.
        #expect(answers.filter { $0.error != nil }.count == truth.brokenLines)
    }

    /// Bare request lines from stdin, nginx-escaped as in a log, with known answers.
    @Test func requestLinesFromStandardInput() async throws {
        let cases: [(String, [String])] = [
            ("GET /search?q=union+station HTTP/1.1", []),
            ("GET /authors/o'reilly HTTP/1.1", []),
            ("GET /item.php?id=1%27%20or%20%271%27%3D%271 HTTP/1.1", ["sqli"]),
            ("GET /item.php?id=1\\x27 UNION SELECT password FROM users-- HTTP/1.1", ["sqli"]),
            ("GET /q?x=%253Cscript%253Ealert(1)%253C%252Fscript%253E HTTP/2.0", ["xss"]),
            ("GET /static/..%2f..%2f..%2f..%2fetc%2fpasswd HTTP/1.0", ["traversal"]),
            ("GET /docs/javascript-tutorial HTTP/1.1", []),
            ("", []),
        ]
        let input = cases.map(\.0).joined(separator: "\n") + "\n"
        let result = try await ExternalTool.run(try edgelog(), ["detect", "--request-lines"], stdin: Data(input.utf8))
        #expect(result.status == 0, "\(result.stderrText)")
        let answers = try Self.answers(result.stdoutText)
        try #require(answers.count == cases.count, "\(result.stdoutText)")
        for (answer, (line, classes)) in zip(answers, cases) {
            #expect(answer.classes == classes, "\(line)")
        }
        #expect(answers.last?.error != nil, "an empty line is an error, not silently clean")
    }

    @Test func anUnreadableFileIsAClearError() async throws {
        let result = try await ExternalTool.run(try edgelog(), ["detect", "/nonexistent/access.log"])
        #expect(result.status != 0)
        #expect(result.stderrText.contains("/nonexistent/access.log"), "\(result.stderrText)")
    }
}
