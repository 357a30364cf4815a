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
            var fields = [request.path, request.query, request.referer, request.userAgent].map { Array($0.utf8) }
            return RequestPrefilter.table.withUnsafeBufferPointer { table in
                fields.indices.contains { index in
                    fields[index].withUnsafeMutableBytes { field in
                        let raw = UnsafeRawBufferPointer(field)
                        let bit = [RequestPrefilter.pathBit, RequestPrefilter.queryBit, RequestPrefilter.refererBit,
                                   RequestPrefilter.agentBit][index]
                        return RequestPrefilter.flags(raw, table) & bit != 0 || index < 3 && RequestPrefilter.containsDotDot(raw)
                            || index == 1 && RequestPrefilter.containsDoubleDash(raw)
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
}
