@testable import AttackDetection
import Testing

/// The pieces on their own: each decoding of the normalizer, the SQL fingerprints, the
/// prefilter's promise.
@Suite struct ComponentTests {
    private func normalized(_ text: String, plusIsSpace: Bool = true) -> String {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { raw in
            NormalizationScratch.with { scratch in
                let view = RequestNormalizer.normalize(UnsafeRawBufferPointer(raw), plusIsSpace: plusIsSpace, scratch: scratch)
                return String(decoding: UnsafeBufferPointer(start: view.base, count: view.count), as: UTF8.self)
            }
        }
    }

    @Test(arguments: [
        ("%27", "'"), ("%2527", "'"), ("%252527", "'"), ("a+b", "a b"), ("%2B", "+"), ("&lt;b&gt;", "<b>"),
        ("&#60;", "<"), ("&#x3C;", "<"), ("&#0000060", "<"), ("&quot;", "\""), ("UNION", "union"), ("un%00ion", "union"),
        ("%c0%ae%c0%ae%c0%af", "../"), ("%e0%80%ae", "."), ("%u0027", "'"), ("%uff1c", "<"), (#"\x22q\x5C"#, "\"q\\"),
        ("java&Tab;script&colon;", "java\tscript:"), ("100%", "100%"), ("%zz", "%zz"),
    ])
    func normalizerDecodes(input: String, expected: String) {
        #expect(normalized(input) == expected)
    }

    @Test func plusIsLiteralInPaths() {
        #expect(normalized("/c++/a+b", plusIsSpace: false) == "/c++/a+b")
    }

    @Test(arguments: [
        ("1 or 1=1", SQLTokenizer.Context.asIs, "1&1=1"),
        ("1' or '1'='1", .singleQuote, "s&s=s"),
        ("o'reilly", .singleQuote, "sn"),
        ("1 union/**/select 1,2--", .asIs, "1UE1,1c"),
        ("sleep(5)", .asIs, "f(1)"),
        ("@@version", .asIs, "v"),
        ("x;drop table users", .asIs, "n;Tkn"),
        ("2 in 1", .asIs, "1n1"),
        ("a in (1)", .asIs, "n=(1)"),
    ])
    func sqlFingerprints(value: String, context: SQLTokenizer.Context, expected: String) {
        #expect(SQLTokenizer.fingerprint(value, context: context) == expected)
    }

    @Test func scannerMatcherIgnoresCase() {
        let matcher = ScannerAgentMatcher(patterns: ["sqlmap", "nikto"])
        var agent = Array("Mozilla/5.00 (NIKTO/2.5.0)".utf8)
        #expect(agent.withUnsafeBytes { matcher.matches($0) })
        agent = Array("Mozilla/5.0 (X11; Linux x86_64)".utf8)
        #expect(!agent.withUnsafeBytes { matcher.matches($0) })
    }

    /// Every attack of the corpus (other than a scanner user agent) passes the prefilter, and
    /// plain requests do not.
    @Test func prefilterLetsEveryAttackThrough() {
        func passes(_ request: LabelledRequest) -> Bool {
            let (path, query, referer, agent) = (
                Array(request.path.utf8), Array(request.query.utf8), Array(request.referer.utf8),
                Array(request.userAgent.utf8)
            )
            return path.withUnsafeBytes { path in
                query.withUnsafeBytes { query in
                    referer.withUnsafeBytes { referer in
                        agent.withUnsafeBytes { agent in
                            let suspicious = RequestPrefilter.suspicious(path: path, query: query, referer: referer)
                            return suspicious.path || suspicious.query || suspicious.referer
                                || RequestPrefilter.agentIsSuspicious(agent)
                        }
                    }
                }
            }
        }
        let attacks = LabelledCorpus.requests.filter { !$0.labels.subtracting(.scanner).isEmpty }
        #expect(attacks.count > 5000)
        let blocked = attacks.filter { !passes($0) }
        #expect(blocked.isEmpty, "\(blocked.prefix(3).map { "\($0.path)?\($0.query)" })")
        let plain = LabelledRequest(
            labels: [], method: "GET", path: "/products/42-blue-shoes.html", query: "utm_source=newsletter",
            userAgent: "Mozilla/5.0 (X11; Linux x86_64)", referer: "https://example.org/a/b", source: "")
        #expect(!passes(plain))
    }

    /// The word-at-a-time `..` search agrees with a byte-by-byte one at every length and
    /// alignment, including a pair across two words.
    @Test func containsPairMatchesNaiveSearch() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [UInt8(ascii: "."), UInt8(ascii: "a"), 0x80, 0xAE, 0x2D]
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...40, using: &generator)
            let bytes = (0..<count).map { _ in alphabet.randomElement(using: &generator)! }
            let naive = count >= 2 && (1..<count).contains { bytes[$0] == 0x2E && bytes[$0 - 1] == 0x2E }
            #expect(bytes.withUnsafeBytes { RequestPrefilter.containsDotDot($0) } == naive, "\(bytes)")
        }
    }


    /// Well-formed UTF-8 text (`café`, CJK, emoji) clears the prefilter; the forms the
    /// normalizer folds to ASCII (overlong, full-width), NBSP and malformed bytes do not.
    @Test func prefilterClearsUTF8TextOnly() {
        func suspicious(_ bytes: [UInt8]) -> Bool {
            bytes.withUnsafeBytes { RequestPrefilter.hasSuspiciousHighBytes($0) }
        }
        #expect(!suspicious(Array("/café/menü/日本/😀.html".utf8)))
        #expect(!suspicious(Array("plain".utf8)))
        #expect(suspicious([0x2F, 0xC0, 0xAE, 0xC0, 0xAE]))  // overlong "."
        #expect(suspicious([0xE0, 0x80, 0xAF]))  // overlong "/"
        #expect(suspicious(Array("＜script＞".utf8)))  // full-width
        #expect(suspicious([0x61, 0xC2, 0xA0, 0x62]))  // NBSP
        #expect(suspicious([0x61, 0xC3, 0xA0, 0x62]))  // "à": its A0 reads as NBSP
        #expect(suspicious([0x61, 0xC3]))  // truncated
        #expect(suspicious([0x61, 0xA9, 0x62]))  // lone continuation
        #expect(suspicious([0xC2, 0x85]))  // C1 control (NEL)
    }

    /// `classifyRemembering` gives what `classify` gives, request by request, also when user
    /// agents, paths, queries and referers repeat (the second round, and the copies below),
    /// collide in a memo or are too long to remember.
    @Test func rememberingChangesNoResult() {
        var detector = AttackDetector()
        let longAgent = "Mozilla/5.0 " + String(repeating: "x", count: 300) + " sqlmap"
        var requests = LabelledCorpus.requests
        requests += requests.prefix(500).map {
            LabelledRequest(labels: $0.labels, method: $0.method, path: $0.path, query: $0.query,
                            userAgent: longAgent, referer: $0.referer, source: $0.source)
        }
        let longQuery = "q=" + String(repeating: "a%20", count: 80)
        requests += requests.prefix(200).map {
            LabelledRequest(labels: $0.labels, method: $0.method, path: $0.path + "/" + longQuery, query: $0.query + "&" + longQuery,
                            userAgent: $0.userAgent, referer: $0.referer + "?" + longQuery, source: $0.source)
        }
        for round in 0..<2 {
            for request in requests {
                let expected = detector.classify(
                    method: request.method, path: request.path, query: request.query, userAgent: request.userAgent,
                    referer: request.referer)
                let remembered = Self.classifyRemembering(&detector, request)
                #expect(remembered == expected, "round \(round): \(request.userAgent) \(request.path)?\(request.query)")
            }
        }
    }

    /// The method-less `classifyRemembering(path:query:userAgent:referer:)` (what the consumer
    /// calls, so it need not read each record's method) gives what `classify` gives with the
    /// request's own method, and the method changes no result: a detector that starts reading
    /// it fails here, and must bring the method back to the consumer's call.
    @Test func methodChangesNoResult() {
        var detector = AttackDetector()
        for request in LabelledCorpus.requests {
            let expected = detector.classify(
                method: request.method, path: request.path, query: request.query, userAgent: request.userAgent,
                referer: request.referer)
            for method in ["GET", "TRACE", "", "' OR 1=1--", "<script>"] {
                let other = detector.classify(
                    method: method, path: request.path, query: request.query, userAgent: request.userAgent,
                    referer: request.referer)
                #expect(other == expected, "method \(method): \(request.path)?\(request.query)")
            }
            let (path, query, agent, referer) = (
                Array(request.path.utf8), Array(request.query.utf8), Array(request.userAgent.utf8),
                Array(request.referer.utf8)
            )
            let methodless = path.withUnsafeBytes { path in
                query.withUnsafeBytes { query in
                    agent.withUnsafeBytes { agent in
                        referer.withUnsafeBytes { referer in
                            detector.classifyRemembering(path: path, query: query, userAgent: agent, referer: referer)
                        }
                    }
                }
            }
            #expect(methodless == expected, "\(request.method) \(request.path)?\(request.query)")
        }
    }

    private static func classifyRemembering(_ detector: inout AttackDetector, _ request: LabelledRequest) -> AttackClasses {
        let (method, path, query, agent, referer) = (
            Array(request.method.utf8), Array(request.path.utf8), Array(request.query.utf8),
            Array(request.userAgent.utf8), Array(request.referer.utf8)
        )
        return method.withUnsafeBytes { method in
            path.withUnsafeBytes { path in
                query.withUnsafeBytes { query in
                    agent.withUnsafeBytes { agent in
                        referer.withUnsafeBytes { referer in
                            detector.classifyRemembering(
                                method: method, path: path, query: query, userAgent: agent, referer: referer)
                        }
                    }
                }
            }
        }
    }
}

/// `PrefilterLanes` (sixteen bytes at a time) answers exactly what the table answers.
@Suite struct PrefilterLanesTests {
    static let kinds: [PrefilterField] = [.path, .query, .referer]

    /// Every byte value at every position of fields of 1 to 40 bytes, in plain surroundings.
    @Test func everyByteAtEveryPosition() {
        for kind in Self.kinds {
            for count in [1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 40] {
                for position in 0..<count {
                    for value in 0...255 {
                        var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: count)
                        bytes[position] = UInt8(value)
                        let (lanes, table) = bytes.withUnsafeBytes {
                            (PrefilterLanes.isSuspicious($0, as: kind), RequestPrefilter.isSuspiciousByTable($0, as: kind))
                        }
                        if lanes != table {
                            Issue.record("\(kind) count \(count) byte \(value) at \(position): lanes \(lanes), table \(table)")
                            return
                        }
                    }
                }
            }
        }
    }

    /// An empty field (no query, the most common case) is answered without the table, and as
    /// the table answers: clean, also for a buffer without a base address (an absent field).
    @Test func emptyFieldsAgreeWithTheTable() {
        let bytes = Array("%27<".utf8)
        bytes.withUnsafeBytes { buffer in
            // An empty field of a buffer whose other bytes are all suspicious.
            for field in [UnsafeRawBufferPointer(start: nil, count: 0), UnsafeRawBufferPointer(rebasing: buffer[1..<1])] {
                for kind in Self.kinds {
                    #expect(PrefilterLanes.isSuspicious(field, as: kind) == RequestPrefilter.isSuspiciousByTable(field, as: kind))
                    #expect(!PrefilterLanes.isSuspicious(field, as: kind))
                }
            }
        }
    }

    /// Random fields over the bytes that matter (pairs of `.` and `-` across every boundary,
    /// UTF-8 and broken UTF-8, set members and their neighbours), every length from 8 to 70.
    @Test func randomFieldsAgreeWithTheTable() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = Array("..--a/=&?+:@#%'\"<>;()*|`\\ ,$!~_".utf8) + [0x00, 0x1F, 0x7F, 0xC3, 0xA9, 0xC0, 0xAE, 0xA0, 0xE2, 0x82, 0xAC, 0xFF]
        var disagreements = 0
        var suspicious = 0
        for _ in 0..<60_000 {
            let count = Int.random(in: 8...70, using: &generator)
            // Mostly plain bytes, so that clean fields and single suspicious bytes both occur.
            let bytes = (0..<count).map { _ in
                Int.random(in: 0..<40, using: &generator) == 0
                    ? alphabet.randomElement(using: &generator)! : UInt8(ascii: "b")
            }
            for kind in Self.kinds {
                let (lanes, table) = bytes.withUnsafeBytes {
                    (PrefilterLanes.isSuspicious($0, as: kind), RequestPrefilter.isSuspiciousByTable($0, as: kind))
                }
                if table { suspicious += 1 }
                if lanes != table {
                    disagreements += 1
                    if disagreements <= 3 { Issue.record("\(kind) \(bytes): lanes \(lanes), table \(table)") }
                }
            }
        }
        #expect(disagreements == 0)
        #expect(suspicious > 1000 && suspicious < 170_000, "both answers occur: \(suspicious) of 180000")
    }

    /// `..` and `--` at every offset of long fields, alone among plain bytes: the pair checks
    /// across lanes, halves, blocks and the overlapping last block.
    @Test func pairsAtEveryOffset() {
        for count in 8...70 {
            for first in 0..<(count - 1) {
                for pair in [UInt8(ascii: "."), UInt8(ascii: "-")] {
                    var bytes = [UInt8](repeating: UInt8(ascii: "b"), count: count)
                    bytes[first] = pair
                    bytes[first + 1] = pair
                    for kind in Self.kinds {
                        let (lanes, table) = bytes.withUnsafeBytes {
                            (PrefilterLanes.isSuspicious($0, as: kind), RequestPrefilter.isSuspiciousByTable($0, as: kind))
                        }
                        #expect(lanes == table, "\(kind) count \(count) pair \(pair) at \(first)")
                    }
                    // A lone mark is never a pair.
                    bytes[first + 1] = UInt8(ascii: "b")
                    let lone = bytes.withUnsafeBytes { PrefilterLanes.isSuspicious($0, as: .path) }
                    #expect(!lone, "lone \(pair) at \(first) of \(count)")
                }
            }
        }
    }
}
