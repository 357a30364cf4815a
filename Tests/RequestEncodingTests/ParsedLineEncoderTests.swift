import AccessRecord
import Foundation
import NginxLog
import PipelineTestSupport
import RequestEncoding
import Testing

// A table of log lines and the records they must become. Every expected field is written by
// hand from reading the line: times worked out from the wall clock and offset (2026-11-28
// 12:00:00 UTC is 1795867200, `date -u -d`), addresses as their 16 bytes.

struct EncodingCase: Sendable, CustomTestStringConvertible {
    var name: String
    /// `combined`, `edge`, or a `log_format` source.
    var format: String
    var siteLabel: String?
    var line: [UInt8]
    var origin: LineOrigin
    var expected: AccessRecord

    var testDescription: String { name }

    func makeParser() throws -> LogParser {
        let compiled: LogFormat =
            switch format {
            case "combined": .combined
            case "edge": .edge
            default: try LogFormat(format)
            }
        return LogParser(format: compiled, siteLabel: siteLabel)
    }
}

private func bytes(_ parts: [UInt8]...) -> [UInt8] { parts.flatMap { $0 } }
private func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }
private func mapped(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> [UInt8] {
    [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF, a, b, c, d]
}
private func record(_ fill: (inout AccessRecord) -> Void) -> AccessRecord {
    var record = AccessRecord()
    fill(&record)
    return record
}

private let noon: Int64 = 1_795_867_200_000_000
private let shopOrigin = LineOrigin(edge: "edge-a", sourceFile: "/var/log/nginx/shop.log", fileOffset: 4096)
private let edgeOrigin = LineOrigin(edge: "edge-b.fra", sourceFile: "/var/log/nginx/access.log", fileOffset: 123)

private let jsonFormat = #"""
    log_format j escape=json '{"ip":"$remote_addr","t":$msec,"req":"$request","s":$status,'
        '"ref":"$http_referer","ua":"$http_user_agent","up":"$upstream_addr","rt":"$upstream_response_time"}';
    """#

let encodingCases: [EncodingCase] = [
    EncodingCase(
        name: "combined + label: UTF-8 path and escaped quotes decoded",
        format: "combined",
        siteLabel: "shop.example",
        line: ascii(
            #"192.0.2.10 - alice [28/Nov/2026:12:00:05 +0000] "GET /caf\xC3\xA9/menu?lang=fr HTTP/1.1" 200 512 "#
                + #""https://shop.example/" "Mozilla/5.0 \x22x\x22 \x5C""#
        ),
        origin: shopOrigin,
        expected: record {
            $0.requestTimeAbsent = true  // the format has no $request_time
            $0.timeUs = noon + 5_000_000
            $0.clientIp = mapped(192, 0, 2, 10)
            $0.site = "shop.example"
            $0.edge = "edge-a"
            $0.sourceFile = "/var/log/nginx/shop.log"
            $0.fileOffset = 4096
            $0.method = .get
            $0.path = "/café/menu"
            $0.query = "lang=fr"
            $0.protocol = .http11
            $0.status = 200
            $0.bodyBytesSent = 512
            $0.referer = "https://shop.example/"
            $0.userAgent = #"Mozilla/5.0 "x" \"#
            $0.remoteUser = "alice"
        }
    ),
    EncodingCase(
        name: "edge: IPv6, +0530, HIT, a lone \\xFF stays escaped",
        format: "edge",
        line: ascii(
            #"2001:db8::7 - - [28/Nov/2026:17:30:00 +0530] "POST /upload/\xFF.bin HTTP/2.0" 201 0 "-" "curl/8.5.0" "#
                + "img.example.net 0.123 HIT 734"
        ),
        origin: edgeOrigin,
        expected: record {
            $0.timeUs = noon
            $0.utcOffsetMin = 330
            $0.clientIp = [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [7]
            $0.site = "img.example.net"
            $0.edge = "edge-b.fra"
            $0.sourceFile = "/var/log/nginx/access.log"
            $0.fileOffset = 123
            $0.method = .post
            $0.path = #"/upload/\xFF.bin"#
            $0.protocol = .http2
            $0.status = 201
            $0.userAgent = "curl/8.5.0"
            $0.requestTimeUs = 123_000
            $0.cacheStatus = .hit
            $0.requestLength = 734
        }
    ),
    EncodingCase(
        name: "edge: TLS handshake as request line, NUL and lone 0xA5 keep the method text escaped",
        format: "edge",
        line: ascii(
            #"203.0.113.9 - - [28/Nov/2026:12:00:00 +0000] "\x16\x03\x01\x00\xA5" 400 157 "-" "-" "#
                + "www.example.com 0.001 - 0"
        ),
        origin: edgeOrigin,
        expected: record {
            $0.timeUs = noon
            $0.clientIp = mapped(203, 0, 113, 9)
            $0.site = "www.example.com"
            $0.edge = "edge-b.fra"
            $0.sourceFile = "/var/log/nginx/access.log"
            $0.fileOffset = 123
            $0.method = .other
            $0.methodText = #"\x16\x03\x01\x00\xA5"#
            $0.status = 400
            $0.bodyBytesSent = 157
            $0.requestTimeUs = 1_000
        }
    ),
    EncodingCase(
        name: "edge: unknown method keeps its text, a tab decodes",
        format: "edge",
        line: ascii(
            #"198.51.100.1 - - [28/Nov/2026:12:00:00 +0000] "PROPFIND /dav/ HTTP/1.1" 207 0 "-" "ua\x09tab" "#
                + "dav.example 0.010 - 120"
        ),
        origin: edgeOrigin,
        expected: record {
            $0.timeUs = noon
            $0.clientIp = mapped(198, 51, 100, 1)
            $0.site = "dav.example"
            $0.edge = "edge-b.fra"
            $0.sourceFile = "/var/log/nginx/access.log"
            $0.fileOffset = 123
            $0.method = .other
            $0.methodText = "PROPFIND"
            $0.path = "/dav/"
            $0.protocol = .http11
            $0.status = 207
            $0.userAgent = "ua\ttab"
            $0.requestTimeUs = 10_000
            $0.requestLength = 120
        }
    ),
    EncodingCase(
        name: "escape=json: $msec, raw UTF-8, JSON escapes, \\u0000 and a raw 0xFF stay as written, extras",
        format: jsonFormat,
        siteLabel: "api.example",
        line: bytes(
            ascii(#"{"ip":"192.0.2.1","t":1795867200.250,"req":"GET /caf"#),
            [0xC3, 0xA9],
            ascii(#"?q=\"x\" HTTP/1.1","s":200,"ref":"x\u0000y","ua":"bad "#),
            [0xFF],
            ascii(#" byte \\ here","up":"10.0.0.1:80, 10.0.0.2:80","rt":"0.002, 0.010"}"#)
        ),
        origin: shopOrigin,
        expected: record {
            $0.requestTimeAbsent = true  // the format has no $request_time
            $0.timeUs = noon + 250_000
            $0.clientIp = mapped(192, 0, 2, 1)
            $0.site = "api.example"
            $0.edge = "edge-a"
            $0.sourceFile = "/var/log/nginx/shop.log"
            $0.fileOffset = 4096
            $0.method = .get
            $0.path = "/café"
            $0.query = #"q="x""#
            $0.protocol = .http11
            $0.status = 200
            $0.referer = #"x\u0000y"#
            $0.userAgent = #"bad \xFF byte \\ here"#
            $0.upstreamResponseTimeUs = 12_000
            $0.extras = [.init(name: "upstream_addr", value: "10.0.0.1:80, 10.0.0.2:80")]
        }
    ),
    EncodingCase(
        name: "escape=none: raw UTF-8 kept, raw invalid bytes written as \\xHH, absent extra is empty",
        format: #"log_format raw escape=none '$remote_addr "$request" "$http_user_agent" $ssl_protocol';"#,
        line: bytes(
            ascii(#"192.0.2.1 "GET /"#),
            [0xC3, 0xBC],
            ascii(#" HTTP/1.1" "agent "#),
            [0xFE, 0xFF],
            ascii(#" x" -"#)
        ),
        origin: edgeOrigin,
        expected: record {
            $0.requestTimeAbsent = true  // the format has no $request_time
            $0.clientIp = mapped(192, 0, 2, 1)
            $0.edge = "edge-b.fra"
            $0.sourceFile = "/var/log/nginx/access.log"
            $0.fileOffset = 123
            $0.method = .get
            $0.path = "/ü"
            $0.protocol = .http11
            $0.userAgent = #"agent \xFE\xFF x"#
            $0.extras = [.init(name: "ssl_protocol", value: "")]
        }
    ),
    EncodingCase(
        name: "parse failure: foreign text kept raw with its origin",
        format: "edge",
        line: ascii("2026/11/28 12:00:00 [error] 1234#1234: *5 upstream timed out"),
        origin: LineOrigin(edge: "edge-b.fra", sourceFile: "/var/log/nginx/access.log", fileOffset: 777),
        expected: record {
            $0.parseError = true
            $0.rawLine = ascii("2026/11/28 12:00:00 [error] 1234#1234: *5 upstream timed out")
            $0.edge = "edge-b.fra"
            $0.sourceFile = "/var/log/nginx/access.log"
            $0.fileOffset = 777
        }
    ),
    EncodingCase(
        name: "parse failure in a labelled file: exact bytes (0xFF, NUL), the label, the truncated flag",
        format: "combined",
        siteLabel: "shop.example",
        line: bytes(ascii(#"192.0.2.1 - - [28/Nov/2026:12:00:00 +0000] "GET /x"#), [0xFF, 0x00, 0x41]),
        origin: LineOrigin(edge: "edge-a", sourceFile: "/var/log/nginx/shop.log", fileOffset: 9, truncated: true),
        expected: record {
            $0.parseError = true
            $0.truncated = true
            $0.rawLine = bytes(ascii(#"192.0.2.1 - - [28/Nov/2026:12:00:00 +0000] "GET /x"#), [0xFF, 0x00, 0x41])
            $0.site = "shop.example"
            $0.edge = "edge-a"
            $0.sourceFile = "/var/log/nginx/shop.log"
            $0.fileOffset = 9
        }
    ),
    EncodingCase(
        name: "$http_host without $host: the site is the Host header without its port, lower-cased",
        format: #"'$http_host "$request" $status'"#,
        line: ascii(#"SHOP.Example.TEST:18080 "GET /upper HTTP/1.1" 200"#),
        origin: shopOrigin,
        expected: record {
            $0.requestTimeAbsent = true  // the format has no $request_time
            $0.site = "shop.example.test"
            $0.edge = "edge-a"
            $0.sourceFile = "/var/log/nginx/shop.log"
            $0.fileOffset = 4096
            $0.method = .get
            $0.path = "/upper"
            $0.protocol = .http11
            $0.status = 200
        }
    ),
    EncodingCase(
        name: "unix socket client: no client IP",
        format: "combined",
        siteLabel: "s.example",
        line: ascii(#"unix: - - [28/Nov/2026:12:00:00 +0000] "GET / HTTP/1.0" 304 0 "-" "-""#),
        origin: shopOrigin,
        expected: record {
            $0.requestTimeAbsent = true  // the format has no $request_time
            $0.timeUs = noon
            $0.site = "s.example"
            $0.edge = "edge-a"
            $0.sourceFile = "/var/log/nginx/shop.log"
            $0.fileOffset = 4096
            $0.method = .get
            $0.path = "/"
            $0.protocol = .http10
            $0.status = 304
        }
    ),
    // An open-proxy probe in absolute form without a path: nginx's $uri is then "/" (its
    // parser points the URI at the "/" after "http:"), and so is the record's path.
    EncodingCase(
        name: "absolute-form target without a path: the path is /",
        format: "combined",
        siteLabel: "s.example",
        line: ascii(#"198.51.100.7 - - [28/Nov/2026:12:00:00 +0000] "GET http://b.example?x=1 HTTP/1.1" 400 0 "-" "-""#),
        origin: shopOrigin,
        expected: record {
            $0.requestTimeAbsent = true
            $0.timeUs = noon
            $0.clientIp = mapped(198, 51, 100, 7)
            $0.site = "s.example"
            $0.edge = "edge-a"
            $0.sourceFile = "/var/log/nginx/shop.log"
            $0.fileOffset = 4096
            $0.method = .get
            $0.path = "/"
            $0.query = "x=1"
            $0.protocol = .http11
            $0.status = 400
        }
    ),
]

@Suite struct ParsedLineEncoderTests {
    @Test(arguments: encodingCases)
    func lineBecomesTheExpectedRecord(_ testCase: EncodingCase) throws {
        var encoder = ParsedLineEncoder(parser: try testCase.makeParser())
        var builder = AccessRecordBuilder()
        let encoded = try testCase.line.withUnsafeBytes { buffer in
            try encoder.encodeLine(buffer, line: 0..<buffer.count, origin: testCase.origin, into: &builder)
        }
        #expect(encoded.message == 0..<builder.buffer.count)
        let decoded = try AccessRecord(decoding: Array(builder.buffer[encoded.message]))
        #expect(decoded == testCase.expected)
        #expect(String(decoding: builder.buffer[encoded.site], as: UTF8.self) == testCase.expected.site)
        #expect(encoded.timeUs == testCase.expected.timeUs)
        #expect((encoded.parseError != nil) == testCase.expected.parseError)
    }

    /// The same line given through `encode(_:in:)` after the caller parsed it gives the same bytes.
    @Test func encodingAParsedLineEqualsEncodingTheLine() throws {
        for testCase in encodingCases {
            let parser = try testCase.makeParser()
            var viaLine = ParsedLineEncoder(parser: parser)
            var viaParsed = ParsedLineEncoder(parser: parser)
            var first = AccessRecordBuilder()
            var second = AccessRecordBuilder()
            try testCase.line.withUnsafeBytes { buffer in
                try viaLine.encodeLine(buffer, line: 0..<buffer.count, origin: testCase.origin, into: &first)
                var parsed = ParsedLine()
                parser.parse(buffer, line: 0..<buffer.count, into: &parsed)
                try viaParsed.encode(parsed, in: buffer, origin: testCase.origin, into: &second)
            }
            #expect(first.buffer == second.buffer, "\(testCase.name)")
        }
    }

    /// One encoder and one builder for many lines of one file, in place in one read buffer
    /// (as the tailer does): messages come back to back, each equal to its expected record.
    @Test func oneEncoderManyLinesInOneBuffer() throws {
        let edgeCases = encodingCases.filter { $0.format == "edge" }
        #expect(edgeCases.count >= 4)
        var file: [UInt8] = []
        var lineStarts: [Int] = []
        for round in 0..<3 {
            for testCase in edgeCases {
                lineStarts.append(file.count)
                file += testCase.line + (round == 1 ? [0x0D, 0x0A] : [0x0A])
            }
        }
        var encoder = ParsedLineEncoder(parser: LogParser(format: .edge))
        var builder = AccessRecordBuilder()
        _ = try file.withUnsafeBytes { buffer in
            var index = 0
            try LineSplitter().forEachLine(in: buffer) { line in
                var origin = edgeCases[index % edgeCases.count].origin
                origin.fileOffset = UInt64(line.lowerBound)
                try encoder.encodeLine(buffer, line: line, origin: origin, into: &builder)
                index += 1
            }
        }
        let ranges = try CapnpFraming.messageRanges(in: builder.buffer)
        try #require(ranges.count == lineStarts.count)
        for (index, range) in ranges.enumerated() {
            var expected = edgeCases[index % edgeCases.count].expected
            expected.fileOffset = UInt64(lineStarts[index])
            #expect(try AccessRecord(decoding: Array(builder.buffer[range])) == expected)
        }
    }

    /// A third-party reader (the reference `capnp` tool) accepts every Text we write as UTF-8
    /// and reads the same strings: `capnp convert binary:json` emits JSON that Foundation
    /// parses (it rejects invalid UTF-8), field by field.
    @Test func capnpToolReadsEveryTextField() throws {
        var stream: [UInt8] = []
        for testCase in encodingCases {
            var encoder = ParsedLineEncoder(parser: try testCase.makeParser())
            var builder = AccessRecordBuilder()
            _ = try testCase.line.withUnsafeBytes { buffer in
                try encoder.encodeLine(buffer, line: 0..<buffer.count, origin: testCase.origin, into: &builder)
            }
            stream += builder.buffer
        }
        let result = try ExternalTool.run(
            "capnp",
            ["convert", "--short", "binary:json", Self.schemaPath, "AccessRecord"],
            stdin: Data(stream)
        )
        try #require(result.status == 0, "\(result.stderrText)")
        let documents = result.stdout.split(separator: UInt8(ascii: "\n"))
        try #require(documents.count == encodingCases.count)
        for (testCase, document) in zip(encodingCases, documents) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(document)) as? [String: Any])
            let expected = testCase.expected
            let fields: [(String, String)] = [
                ("site", expected.site), ("edge", expected.edge), ("sourceFile", expected.sourceFile),
                ("methodText", expected.methodText), ("path", expected.path), ("query", expected.query),
                ("referer", expected.referer), ("userAgent", expected.userAgent),
                ("remoteUser", expected.remoteUser), ("forwardedFor", expected.forwardedFor),
            ]
            for (name, value) in fields {
                #expect((object[name] as? String ?? "") == value, "\(testCase.name): \(name)")
            }
        }
    }

    /// The package root: this file is `<root>/Tests/RequestEncodingTests/ParsedLineEncoderTests.swift`.
    static let schemaPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("schemas/access_record.capnp").path
}
