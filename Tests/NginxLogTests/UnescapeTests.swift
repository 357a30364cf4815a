import NginxLog
import Testing

@Suite struct UnescapeTests {
    private func decode(_ text: String, _ escaping: LogFormat.Escaping) -> [UInt8] {
        let bytes = Array(text.utf8)
        var output: [UInt8] = [9, 9, 9]  // must be replaced, not appended to
        bytes.withUnsafeBytes {
            Unescape.decode(FieldSpan(range: 0..<bytes.count, hasEscapes: true), in: $0, escaping: escaping, into: &output)
        }
        return output
    }

    @Test(arguments: [
        (#"caf\xC3\xA9"#, [0x63, 0x61, 0x66, 0xC3, 0xA9] as [UInt8]),
        (#"\x22q\x22 \x5C"#, Array(#""q" \"#.utf8)),
        (#"lower \xe9"#, Array("lower ".utf8) + [0xE9]),
        (#"not \x4 \xZZ \ \x"#, Array(#"not \x4 \xZZ \ \x"#.utf8)),
        (#"\x00\x1F\x7F\xFF"#, [0x00, 0x1F, 0x7F, 0xFF]),
        ("", []),
    ])
    func nginxDefault(text: String, expected: [UInt8]) {
        #expect(decode(text, .default) == expected)
    }

    @Test(arguments: [
        (#"a\"b\\c\/d"#, Array(#"a"b\c/d"#.utf8)),
        (#"\n\r\t\b\f"#, [0x0A, 0x0D, 0x09, 0x08, 0x0C] as [UInt8]),
        (#"\u0001\u00e9\u20AC"#, [0x01, 0xC3, 0xA9, 0xE2, 0x82, 0xAC]),
        (#"\ud83d\ude00"#, [0xF0, 0x9F, 0x98, 0x80]),
        (#"\ud83d x \ude00"#, [0xEF, 0xBF, 0xBD, 0x20, 0x78, 0x20, 0xEF, 0xBF, 0xBD]),
        (#"\u12 \q \"#, Array(#"\u12 \q \"#.utf8)),
        ("é raw", Array("é raw".utf8)),
    ])
    func json(text: String, expected: [UInt8]) {
        #expect(decode(text, .json) == expected)
    }

    @Test func noneAndCleanSpansAreCopiedAsIs() {
        #expect(decode(#"\x22"#, .none) == Array(#"\x22"#.utf8))
        let bytes = Array(#"ab\x22cd"#.utf8)
        var output: [UInt8] = []
        bytes.withUnsafeBytes {
            Unescape.decode(FieldSpan(range: 1..<4, hasEscapes: false), in: $0, escaping: .default, into: &output)
        }
        #expect(output == Array(#"b\x"#.utf8))
    }
}
