import PipelineTestSupport
import NginxLog
import Testing

@testable import RequestEncoding

// The text rule, value by value. Expected texts are written by hand; the properties at the end
// check every result against the standard library's UTF-8 validation.

@Suite struct RecordTextTests {
    /// Runs the rule on `value` as the whole buffer, as `LogParser` would have found it.
    private func text(_ value: [UInt8], _ escaping: LogFormat.Escaping = .default) -> [UInt8] {
        var rule = RecordText(escaping: escaping)
        let hasEscapes = escaping != .none && value.contains(UInt8(ascii: "\\"))
        return value.withUnsafeBytes { buffer in
            rule.withText(of: FieldSpan(range: 0..<buffer.count, hasEscapes: hasEscapes), in: buffer) { Array($0) }
        }
    }

    private func text(_ value: String, _ escaping: LogFormat.Escaping = .default) -> String {
        String(decoding: text(Array(value.utf8), escaping), as: UTF8.self)
    }

    @Test(arguments: [
        // Decoded when the result is valid UTF-8 without NUL.
        (#"caf\xC3\xA9"#, "café"),
        (#"\xF0\x9F\x98\x80 ok"#, "😀 ok"),
        (#"a\x22b\x5Cc"#, #"a"b\c"#),
        (#"tab\x09"#, "tab\t"),
        (#"\x7F"#, "\u{7F}"),
        // Otherwise kept exactly as nginx escaped it.
        (#"\xFF"#, #"\xFF"#),
        (#"caf\xC3"#, #"caf\xC3"#),
        (#"\xC0\xAF"#, #"\xC0\xAF"#),
        (#"\xED\xA0\x80"#, #"\xED\xA0\x80"#),
        (#"\xF4\x90\x80\x80"#, #"\xF4\x90\x80\x80"#),
        (#"a\x00b"#, #"a\x00b"#),
        (#"caf\xC3\xA9\xFF"#, #"caf\xC3\xA9\xFF"#),
        // A backslash that is not an escape is a literal backslash.
        (#"a\qb\x4"#, #"a\qb\x4"#),
    ])
    func nginxDefaultEscaping(logged: String, stored: String) {
        #expect(text(logged) == stored)
    }

    @Test(arguments: [
        (#"caf\u00e9"#, "café"),
        (#"\ud83d\ude00"#, "😀"),
        (#"q=\"x\" \\ \/"#, #"q="x" \ /"#),
        (#"nul\u0000"#, #"nul\u0000"#),
    ])
    func jsonEscaping(logged: String, stored: String) {
        #expect(text(logged, .json) == stored)
    }

    @Test func rawBytesAreKeptWhenUTF8AndEscapedWhenNot() {
        #expect(text(Array("über".utf8), .none) == Array("über".utf8))
        #expect(text([0x61, 0xFF, 0xC3, 0xA9, 0x62], .none) == Array(#"a\xFFéb"#.utf8))
        #expect(text([0x61, 0x00], .none) == Array(#"a\x00"#.utf8))
        // escape=json writes bytes from 0x80 up raw: a stray one is escaped, JSON escapes stay.
        #expect(text([0x5C, 0x6E, 0xFE], .json) == Array(#"\n\xFE"#.utf8))
        #expect(text([0xC3, 0xA9, 0x5C, 0x6E], .json) == Array("é\n".utf8))
        // A line logged with escape=default that still holds raw bytes is made valid too.
        #expect(text([0x41, 0xE9], .default) == Array(#"A\xE9"#.utf8))
    }

    /// The fast path hands over the line's own bytes: no copy for a clean value.
    @Test func cleanValuesAreNotCopied() {
        var rule = RecordText(escaping: .default)
        let line = Array("GET /index.html HTTP/1.1".utf8)
        line.withUnsafeBytes { buffer in
            let base = rule.withText(of: FieldSpan(range: 4..<15), in: buffer) { $0.baseAddress }
            #expect(base == buffer.baseAddress.map { $0 + 4 })
        }
    }

    /// Whatever the bytes and the escaping, the result is record text, and it is the original
    /// value whenever that is record text (the original = the value with escapes decoded).
    @Test(arguments: [LogFormat.Escaping.default, .json, .none])
    func resultIsAlwaysValidUTF8(escaping: LogFormat.Escaping) {
        var random = SplitMix64(seed: 7)
        let alphabet: [UInt8] = [
            0x00, 0x09, 0x22, 0x5C, 0x78, 0x75, 0x30, 0x41, 0x61, 0x46, 0x7F, 0x80, 0xA9, 0xBF, 0xC3,
            0xE0, 0xED, 0xF0, 0xF4, 0xFF,
        ]
        for _ in 0..<5_000 {
            let count = Int(random.next() % 24)
            let value = (0..<count).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            let stored = text(value, escaping)
            #expect(isRecordTextReference(stored), "\(value)")
            var original: [UInt8] = []
            value.withUnsafeBytes { buffer in
                let span = FieldSpan(range: 0..<buffer.count, hasEscapes: escaping != .none)
                Unescape.decode(span, in: buffer, escaping: escaping, into: &original)
            }
            if isRecordTextReference(original) {
                #expect(stored == original, "\(value)")
            }
        }
    }
}

