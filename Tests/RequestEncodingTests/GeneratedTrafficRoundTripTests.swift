import AccessRecord
import Foundation
import NginxLog
import RequestEncoding
import Testing
import TrafficGenerator

// Issue 3's done-when: generator → parse → encode → decode gives the generator's fields back,
// and the decoded records' per-(minute, site) totals equal the generator's ground truth.
//
// The expected values come from the generator's `GeneratedRequest` (what it decided before
// formatting) and from references (glibc inet_pton, the standard library's UTF-8 validation,
// nginx's escaping rule), never from the parser or the encoder.

struct RoundTripRun: Sendable, CustomTestStringConvertible {
    var name: String
    /// `edge` or `combined` (for both the generator and the parser).
    var format: String
    var lines: Int
    var siteLabel: String?
    var profile: TrafficProfile

    var testDescription: String { name }
}

private func profile(seed: UInt64, _ change: (inout TrafficProfile) -> Void = { _ in }) -> TrafficProfile {
    var profile = TrafficProfile()
    profile.seed = seed
    change(&profile)
    return profile
}

let roundTripRuns: [RoundTripRun] = [
    RoundTripRun(name: "edge, 100k lines", format: "edge", lines: 100_000, profile: profile(seed: 1)),
    // `combined` has no $host: one generated site, and the file's label names it.
    RoundTripRun(
        name: "combined + site label",
        format: "combined",
        lines: 20_000,
        siteLabel: "www.example.com",
        profile: profile(seed: 2) { $0.siteCount = 1 }
    ),
    RoundTripRun(
        name: "edge at UTC+05:30",
        format: "edge",
        lines: 20_000,
        profile: profile(seed: 3) { $0.utcOffsetMinutes = 330 }
    ),
    RoundTripRun(
        name: "edge with broken and late lines",
        format: "edge",
        lines: 20_000,
        profile: profile(seed: 4) {
            $0.brokenLineShare = 0.01
            $0.lateShare = 0.01
        }
    ),
]

@Suite struct GeneratedTrafficRoundTripTests {
    @Test(arguments: roundTripRuns)
    func generatedFieldsAndTotalsSurviveTheRoundTrip(_ run: RoundTripRun) throws {
        var generator = try TrafficGenerator(profile: run.profile, format: run.format)
        let format: LogFormat = run.format == "edge" ? .edge : .combined
        var encoder = ParsedLineEncoder(parser: LogParser(format: format, siteLabel: run.siteLabel))
        var builder = AccessRecordBuilder(reservingCapacity: 1 << 20)
        var checker = LineChecker(run: run)
        var totals = RecordTotals()
        var spacedHTTPRequests: [WindowKey: Int] = [:]
        var chunk: [UInt8] = []
        var written: [(request: GeneratedRequest?, line: Range<Int>)] = []
        var fileOffset = 0
        var remaining = run.lines
        while remaining > 0 {
            // Generate a chunk of the log, keeping what the generator decided for each line.
            let count = min(4_096, remaining)
            remaining -= count
            chunk.removeAll(keepingCapacity: true)
            written.removeAll(keepingCapacity: true)
            for _ in 0..<count {
                let start = chunk.count
                let request = generator.appendLine(to: &chunk)
                written.append((request, start..<(chunk.count - 1)))
                if let request, request.method != nil, request.status == 400,
                    request.path.contains(0x20) || request.query?.contains(0x20) == true
                {
                    spacedHTTPRequests[
                        WindowKey(minute: request.minute, site: run.siteLabel ?? request.site),
                        default: 0
                    ] += 1
                }
            }
            // Parse and encode it in place, as the shipper will: one builder for the batch.
            builder.removeAll()
            _ = try chunk.withUnsafeBytes { buffer in
                try LineSplitter().forEachLine(in: buffer) { line in
                    let origin = LineOrigin(
                        edge: "edge-7",
                        sourceFile: "/var/log/nginx/access.log",
                        fileOffset: UInt64(fileOffset + line.lowerBound)
                    )
                    try encoder.encodeLine(buffer, line: line, origin: origin, into: &builder)
                }
            }
            // Decode every message and hold it against the generator's values.
            let messages = try CapnpFraming.messageRanges(in: builder.buffer)
            try #require(messages.count == count)
            try builder.buffer.withUnsafeBytes { records in
                for (index, range) in messages.enumerated() {
                    let reader = try AccessRecordReader(UnsafeRawBufferPointer(rebasing: records[range]))
                    let line = written[index].line
                    checker.check(
                        reader,
                        against: written[index].request,
                        rawLine: Array(chunk[line]),
                        fileOffset: fileOffset + line.lowerBound
                    )
                    totals.add(reader)
                }
            }
            fileOffset += chunk.count
        }

        #expect(checker.mismatches.isEmpty, "\(checker.mismatchCount) mismatches, first: \(checker.mismatches)")
        #expect(checker.checkedLines == run.lines)
        let truth = generator.groundTruth()
        #expect(truth.lines == run.lines)
        #expect(totals.parseErrors == truth.brokenLines)
        if run.profile.brokenLineShare > 0 {
            #expect(truth.brokenLines > 0)
        }
        let logsEdgeFields = run.format == "edge"
        let expected = truth.windows.map { window in
            var totals = WindowTotals(truth: window, logsEdgeFields: logsEdgeFields)
            // The generator plants attack payloads with raw spaces as well-formed requests;
            // nginx >= 1.21.1 answers any raw space in the request line with 400, and the record
            // rule (`RecordTotals.isNonHTTP`) counts such 400s as junk. Worked out from the
            // generator's own requests, so the comparison stays exact.
            totals.junkRequests += spacedHTTPRequests[WindowKey(minute: window.minute, site: window.site)] ?? 0
            return totals
        }
        let actual = totals.windows(logsEdgeFields: logsEdgeFields)
        #expect(actual.count == expected.count)
        let differing = zip(actual, expected).filter { $0 != $1 }
        #expect(differing.isEmpty, "\(differing.count) windows differ, first: \(differing.prefix(2))")
    }
}

// MARK: - Per-line comparison

/// Compares each decoded record with what the generator wrote for its line, collecting the
/// first mismatches (a `#expect` per field of 100k lines would dominate a debug run).
struct LineChecker {
    let run: RoundTripRun
    private(set) var mismatches: [String] = []
    private(set) var mismatchCount = 0
    private(set) var checkedLines = 0
    private var addresses: [String: [UInt8]] = [:]

    init(run: RoundTripRun) {
        self.run = run
    }

    private static let methods: [String: AccessRecord.Method] = [
        "GET": .get, "HEAD": .head, "POST": .post, "PUT": .put, "DELETE": .delete, "OPTIONS": .options,
        "PATCH": .patch, "CONNECT": .connect, "TRACE": .trace,
    ]
    private static let protocols: [String: AccessRecord.HTTPProtocol] = [
        "HTTP/1.0": .http10, "HTTP/1.1": .http11, "HTTP/2.0": .http2,
    ]
    private static let cacheStatuses: [String: AccessRecord.CacheStatus] = [
        "HIT": .hit, "MISS": .miss, "EXPIRED": .expired, "STALE": .stale, "UPDATING": .updating,
        "REVALIDATED": .revalidated, "BYPASS": .bypass,
    ]

    mutating func check(
        _ record: AccessRecordReader,
        against request: GeneratedRequest?,
        rawLine: [UInt8],
        fileOffset: Int
    ) {
        checkedLines += 1
        var wrong: [String] = []
        func expect(_ ok: Bool, _ field: @autoclosure () -> String) {
            if !ok { wrong.append(field()) }
        }
        func text(_ field: AccessRecord.TextField, _ expected: [UInt8]) {
            let stored = record.text(field)
            expect(Self.sameBytes(stored, expected), "\(field)=\(String(decoding: stored, as: UTF8.self))")
        }
        text(.edge, Array("edge-7".utf8))
        text(.sourceFile, Array("/var/log/nginx/access.log".utf8))
        expect(record.fileOffset == UInt64(fileOffset), "fileOffset=\(record.fileOffset)")
        expect(!record.truncated, "truncated")

        guard let request else {
            // A broken line: flagged, kept byte for byte, nothing else.
            expect(record.parseError, "parseError=false")
            expect(Self.sameBytes(record.data(.rawLine), rawLine), "rawLine")
            expect(record.timeUs == 0 && record.status == 0 && record.text(.path).isEmpty, "parsed fields set")
            report(wrong, rawLine)
            return
        }
        expect(!record.parseError, "parseError=true")
        expect(record.data(.rawLine).isEmpty, "rawLine set")
        // $time_local has whole seconds.
        expect(record.timeUs == request.timeMs / 1000 * 1_000_000, "timeUs=\(record.timeUs)")
        expect(Int(record.utcOffsetMin) == run.profile.utcOffsetMinutes, "utcOffsetMin=\(record.utcOffsetMin)")
        let clientIp = address(request.clientIP)
        expect(Self.sameBytes(record.data(.clientIp), clientIp), "clientIp")
        text(.site, Array((run.siteLabel ?? request.site).utf8))

        if let method = request.method {
            let known = Self.methods[method]
            expect(record.method == known ?? .other, "method=\(record.method)")
            text(.methodText, known == nil ? Array(method.utf8) : [])
            text(.path, expectedRecordText(original: request.path))
            text(.query, expectedRecordText(original: request.query ?? []))
            let version = request.httpProtocol.map { Self.protocols[$0] ?? .unknown } ?? .http09
            expect(record.httpProtocol == version, "protocol=\(record.httpProtocol)")
        } else {
            // Junk request line: the method is its first word; only an HTTP-looking one
            // (known method, `HTTP/x.y` last word) has a protocol.
            let words = request.requestLine.split(separator: 0x20, omittingEmptySubsequences: false).map(Array.init)
            let firstWord = words.first ?? []
            let known = Self.methods[String(decoding: firstWord, as: UTF8.self)]
            expect(record.method == known ?? .other, "junk method=\(record.method)")
            text(.methodText, known == nil ? expectedRecordText(original: firstWord) : [])
            let lastWord = words.count > 1 ? String(decoding: words[words.count - 1], as: UTF8.self) : ""
            let version: AccessRecord.HTTPProtocol = known == nil ? .unknown : Self.protocols[lastWord] ?? .http09
            expect(record.httpProtocol == version, "junk protocol=\(record.httpProtocol)")
        }
        expect(Int(record.status) == request.status, "status=\(record.status)")
        expect(record.bodyBytesSent == UInt64(request.bodyBytes), "bodyBytesSent=\(record.bodyBytesSent)")
        text(.referer, expectedRecordText(original: Array((request.referer ?? "").utf8)))
        text(.userAgent, expectedRecordText(original: Array((request.userAgent ?? "").utf8)))
        text(.remoteUser, expectedRecordText(original: Array((request.remoteUser ?? "").utf8)))
        text(.forwardedFor, [])  // neither format logs it
        if run.format == "edge" {
            expect(record.requestLength == UInt64(request.requestLength), "requestLength=\(record.requestLength)")
            expect(
                record.requestTimeUs == UInt64(request.requestTimeMs) * 1000,
                "requestTimeUs=\(record.requestTimeUs)"
            )
            let cache = request.cacheStatus.map { Self.cacheStatuses[$0] ?? .none } ?? .none
            expect(record.cacheStatus == cache, "cacheStatus=\(record.cacheStatus)")
        } else {
            expect(record.requestLength == 0 && record.requestTimeUs == 0 && record.cacheStatus == .none, "edge fields")
        }
        report(wrong, rawLine)
    }

    /// `memcmp`, because a generic `elementsEqual` is slow in the debug builds tests run in.
    private static func sameBytes(_ stored: UnsafeRawBufferPointer, _ expected: [UInt8]) -> Bool {
        guard stored.count == expected.count else { return false }
        guard let base = stored.baseAddress, !expected.isEmpty else { return true }
        return expected.withUnsafeBytes { other in
            guard let otherBase = other.baseAddress else { return false }
            return memcmp(base, otherBase, expected.count) == 0
        }
    }

    private mutating func address(_ text: String) -> [UInt8] {
        if let known = addresses[text] { return known }
        let bytes = inetPton(text) ?? []
        addresses[text] = bytes
        return bytes
    }

    private mutating func report(_ wrong: [String], _ rawLine: [UInt8]) {
        guard !wrong.isEmpty else { return }
        mismatchCount += 1
        if mismatches.count < 5 {
            mismatches.append("\(wrong.joined(separator: ", ")) in: \(String(decoding: rawLine, as: UTF8.self))")
        }
    }
}

// MARK: - Per-(minute, site) totals

/// The ground truth's window fields this test can check. `requestBytes`, `cacheStatuses` and
/// `requestTimeUsSum` are `nil` for `combined`, which does not log them.
struct WindowTotals: Equatable, CustomStringConvertible {
    var minute: Int64
    var site: String
    var requests = 0
    var bodyBytes = 0
    var requestBytes: Int?
    var statusClasses: [String: Int] = [:]
    var cacheStatuses: [String: Int]?
    var requestTimeUsSum: Int64?
    var distinctClients = 0
    var junkRequests = 0

    init(minute: Int64, site: String) {
        self.minute = minute
        self.site = site
    }

    init(truth: GroundTruth.Window, logsEdgeFields: Bool) {
        self.init(minute: truth.minute, site: truth.site)
        requests = truth.requests
        bodyBytes = truth.bodyBytes
        statusClasses = truth.statusClasses
        distinctClients = truth.distinctClients
        junkRequests = truth.junkRequests
        if logsEdgeFields {
            requestBytes = truth.requestBytes
            cacheStatuses = truth.cacheStatuses
            requestTimeUsSum = truth.requestTimeUsSum
        }
    }

    var description: String {
        "\(minute) \(site): \(requests) req, \(bodyBytes) B, \(requestBytes ?? -1) reqB, \(statusClasses), "
            + "\(cacheStatuses ?? [:]), \(requestTimeUsSum ?? -1) µs, \(distinctClients) clients, \(junkRequests) junk"
    }
}

struct WindowKey: Hashable {
    var minute: Int64
    var site: String
}

/// Aggregates decoded records the way the consumer will, from record fields only.
struct RecordTotals {
    private typealias Key = WindowKey

    private var windows: [Key: WindowTotals] = [:]
    private var clients: [Key: Set<[UInt8]>] = [:]
    private var requestBytes: [Key: Int] = [:]
    private var cacheStatuses: [Key: [String: Int]] = [:]
    private var requestTimes: [Key: Int64] = [:]
    private(set) var parseErrors = 0

    mutating func add(_ record: AccessRecordReader) {
        guard !record.parseError else {
            parseErrors += 1
            return
        }
        let minute = Self.floorDivide(record.timeUs, 60_000_000) * 60
        let key = Key(minute: minute, site: String(decoding: record.text(.site), as: UTF8.self))
        var window = windows[key] ?? WindowTotals(minute: key.minute, site: key.site)
        window.requests += 1
        window.bodyBytes += Int(record.bodyBytesSent)
        window.statusClasses["\(record.status / 100)xx", default: 0] += 1
        if Self.isNonHTTP(record) { window.junkRequests += 1 }
        windows[key] = window
        requestBytes[key, default: 0] += Int(record.requestLength)
        let cache = record.cacheStatus == .none ? "none" : "\(record.cacheStatus)".uppercased()
        cacheStatuses[key, default: [:]][cache, default: 0] += 1
        requestTimes[key, default: 0] += Int64(record.requestTimeUs)
        clients[key, default: []].insert(Array(record.data(.clientIp)))
    }

    /// A request line nginx could not take as HTTP (it answers those with 400): no HTTP
    /// protocol could be read from it, or it has a space inside the target (nginx ≥ 1.21.1
    /// rejects spaces in the request line).
    static func isNonHTTP(_ record: AccessRecordReader) -> Bool {
        if record.httpProtocol == .unknown { return true }
        let space = UInt8(ascii: " ")
        return record.status == 400 && (record.text(.path).contains(space) || record.text(.query).contains(space))
    }

    func windows(logsEdgeFields: Bool) -> [WindowTotals] {
        windows.map { key, window in
            var window = window
            window.distinctClients = clients[key]?.count ?? 0
            if logsEdgeFields {
                window.requestBytes = requestBytes[key] ?? 0
                window.cacheStatuses = cacheStatuses[key] ?? [:]
                window.requestTimeUsSum = requestTimes[key] ?? 0
            }
            return window
        }.sorted { ($0.minute, $0.site) < ($1.minute, $1.site) }
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return value % divisor != 0 && value < 0 ? quotient - 1 : quotient
    }
}
