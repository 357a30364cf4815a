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
    /// One unescaped field (reused).
    var field: [UInt8] = []
    /// Method, path, query, user agent and referer unescaped one after another, at `ranges`.
    var fields: [UInt8] = []
    var ranges: [Range<Int>] = []

    init(format: LogFormat) {
        parser = LogParser(format: format)
    }

    mutating func classify(_ line: ArraySlice<UInt8>, number: Int, into output: inout [UInt8]) {
        output.append(contentsOf: "{\"line\":\(number),\"classes\":[".utf8)
        fields.removeAll(keepingCapacity: true)
        ranges.removeAll(keepingCapacity: true)
        let matched = line.withUnsafeBytes { bytes in
            guard parser.parse(line: bytes, into: &parsed) else { return false }
            for span in [parsed.methodText, parsed.path, parsed.query, parsed.userAgent, parsed.referer] {
                Unescape.decode(span, in: bytes, escaping: parser.format.escaping, into: &field)
                ranges.append(fields.count..<(fields.count + field.count))
                fields.append(contentsOf: field)
            }
            return true
        }
        guard matched else {
            let reason = parsed.parseError.map { "\($0)" } ?? "no match"
            output.append(contentsOf: "],\"error\":".utf8)
            output.append(contentsOf: (try? JSONEncoder().encode(reason)) ?? Data("\"unreadable\"".utf8))
            output.append(contentsOf: "}\n".utf8)
            return
        }
        let fieldRanges = ranges
        let classes = fields.withUnsafeBytes { all in
            let part = { (index: Int) in UnsafeRawBufferPointer(rebasing: all[fieldRanges[index]]) }
            return detector.classify(
                method: part(0), path: part(1), query: part(2), userAgent: part(3), referer: part(4))
        }
        output.append(contentsOf: classes.names.map { "\"\($0)\"" }.joined(separator: ",").utf8)
        output.append(contentsOf: "]}\n".utf8)
    }
}
