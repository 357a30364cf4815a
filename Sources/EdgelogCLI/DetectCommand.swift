import ArgumentParser
import AttackDetection
import Foundation
import NginxLog

/// `edgelog detect`: the consumer's attack detector over log lines or bare request lines, one
/// JSON object per input line, in order, for checking a log by hand or scoring a labelled set.
struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Classify nginx log lines (or request lines) as sqli, xss, traversal, scanner or clean.",
        discussion: """
            Prints one JSON object per input line, in input order: {"line": N, "classes": [...]} \
            with the classes found among "sqli", "xss", "traversal", "scanner" ([] when clean), \
            plus "error" for a line that does not match the format (its classes are then []). \
            Fields are unescaped as the shipper does (nginx's \\xHH, or escape=json) before the \
            detector sees them, so the answer is the consumer's for the same line.
            With --request-lines each input line is a bare $request exactly as nginx logs it \
            (GET /a?b=c HTTP/1.1); no user agent or referer is known then.
            """)

    @Option(help: "Log format: combined, edge, or a log_format body in nginx syntax (ignored with --request-lines).")
    var format = "edge"
    @Flag(help: "Each line is a request line ($request), not a whole log line.")
    var requestLines = false
    @Argument(help: "File to read ('-' or none: standard input).")
    var input = "-"

    func run() throws {
        let logFormat: LogFormat
        do {
            if requestLines {
                logFormat = try LogFormat(pattern: "$request", escaping: .default)
            } else {
                logFormat =
                    switch format {
                    case "combined": .combined
                    case "edge": .edge
                    default: try LogFormat(format)
                    }
            }
        } catch {
            throw ValidationError("--format: \(error)")
        }
        let handle: FileHandle
        if input == "-" {
            handle = .standardInput
        } else {
            guard let file = FileHandle(forReadingAtPath: input) else {
                throw ValidationError("cannot open \(input) for reading")
            }
            handle = file
        }
        var classifier = LineClassifier(format: logFormat)
        var output = [UInt8]()
        var pending = [UInt8]()
        var lineNumber = 0
        func emit(_ line: ArraySlice<UInt8>) {
            lineNumber += 1
            classifier.classify(line, number: lineNumber, into: &output)
            if output.count >= 1 << 16 {
                FileHandle.standardOutput.write(Data(output))
                output.removeAll(keepingCapacity: true)
            }
        }
        while true {
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            pending.append(contentsOf: chunk)
            var start = 0
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                emit(pending[start..<newline])
                start = newline + 1
            }
            pending.removeSubrange(0..<start)
        }
        if !pending.isEmpty { emit(pending[...]) }
        FileHandle.standardOutput.write(Data(output))
    }
}

/// One log line -> its JSON answer: parse with the format, unescape the fields the detector
/// reads (as the shipper does before encoding), classify.
struct LineClassifier {
    let parser: LogParser
    let detector = AttackDetector()
    var parsed = ParsedLine()
    /// Unescaped method, path, query, user agent, referer (reused).
    var fields: [[UInt8]] = Array(repeating: [], count: 5)

    init(format: LogFormat) {
        parser = LogParser(format: format)
    }

    mutating func classify(_ line: ArraySlice<UInt8>, number: Int, into output: inout [UInt8]) {
        output.append(contentsOf: "{\"line\":\(number),\"classes\":[".utf8)
        let matched = line.withUnsafeBytes { bytes in
            guard parser.parse(line: bytes, into: &parsed) else { return false }
            let spans = [
                parsed.methodText, parsed.path, parsed.query, parsed.userAgent, parsed.referer,
            ]
            for (index, span) in spans.enumerated() {
                Unescape.decode(span, in: bytes, escaping: parser.format.escaping, into: &fields[index])
            }
            return true
        }
        if matched {
            let classes = fields[0].withUnsafeBytes { method in
                fields[1].withUnsafeBytes { path in
                    fields[2].withUnsafeBytes { query in
                        fields[3].withUnsafeBytes { userAgent in
                            fields[4].withUnsafeBytes { referer in
                                detector.classify(
                                    method: method, path: path, query: query, userAgent: userAgent, referer: referer)
                            }
                        }
                    }
                }
            }
            output.append(contentsOf: classes.names.map { "\"\($0)\"" }.joined(separator: ",").utf8)
            output.append(contentsOf: "]}\n".utf8)
        } else {
            let reason = parsed.parseError.map { "\($0)" } ?? "no match"
            output.append(contentsOf: "],\"error\":".utf8)
            output.append(contentsOf: Self.jsonString(reason).utf8)
            output.append(contentsOf: "}\n".utf8)
        }
    }

    static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
