import Testing
import TrafficAggregation

@Suite struct SiteNameTests {
    private func stored(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { SiteName.storedText($0) }
    }

    @Test func emptyBecomesUnknown() {
        #expect(stored([]) == "(unknown)")
        #expect(SiteName.unknown == "(unknown)")
    }

    @Test func validTextIsUnchanged() {
        #expect(stored(Array("www.example.com".utf8)) == "www.example.com")
        #expect(stored(Array("café.example".utf8)) == "café.example")
        #expect(stored(Array("😀.example".utf8)) == "😀.example")
    }

    /// Each invalid sequence (lone byte, truncated sequence, overlong form, surrogate, above
    /// U+10FFFF) and NUL becomes U+FFFD, per the maximal-subpart rule.
    @Test(arguments: [
        ([0x61, 0xFF, 0x62], "a\u{FFFD}b"),
        ([0x61, 0x00, 0x62], "a\u{FFFD}b"),
        ([0x00], "\u{FFFD}"),
        ([0xC3], "\u{FFFD}"),
        ([0x61, 0xE2, 0x82], "a\u{FFFD}"),
        ([0xC0, 0xAF], "\u{FFFD}\u{FFFD}"),
        ([0xED, 0xA0, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}"),
        ([0xF4, 0x90, 0x80, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"),
        ([0xE2, 0x82, 0xAC, 0x80], "€\u{FFFD}"),
    ] as [([UInt8], String)])
    func invalidBytesAndNULBecomeReplacementCharacters(bytes: [UInt8], expected: String) {
        let result = stored(bytes)
        #expect(Array(result.utf8) == Array(expected.utf8))
        #expect(!result.utf8.contains(0))
    }

    /// 5 KB names are cut at 1,024 bytes, never inside a character.
    @Test(arguments: [
        ("x", 1, 1024),  // 1-byte characters: 1024 of them
        ("é", 2, 1024),  // 2-byte: 512
        ("€", 3, 1023),  // 3-byte: 341 (1023 bytes; a 342nd would need 1026)
        ("😀", 4, 1024),  // 4-byte: 256
    ])
    func longNamesAreCutOnACharacterBoundary(character: String, width: Int, expectedBytes: Int) {
        let input = Array(String(repeating: character, count: 5_000 / width + 1).utf8)
        #expect(input.count > 5_000)
        let result = stored(input)
        #expect(result.utf8.count == expectedBytes)
        #expect(result == String(repeating: character, count: expectedBytes / width))
    }

    @Test func invalidBytesAtTheCutDoNotOverrun() {
        let input = Array(repeating: UInt8(ascii: "a"), count: 1_023) + [0xFF, 0xFF]
        let result = stored(input)
        // 1,023 'a' + U+FFFD (3 bytes) would be 1,026 bytes: the replacement is dropped.
        #expect(result == String(repeating: "a", count: 1_023))
    }

    @Test func storedFormRecognition() {
        func check(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { SiteName.isStoredForm($0) } }
        #expect(check(Array("www.example.com".utf8)))
        #expect(check(Array("日本.example".utf8)))
        #expect(check([0xF4, 0x8F, 0xBF, 0xBF]))  // U+10FFFF
        #expect(!check([]))
        #expect(!check([0x61, 0x00]))
        #expect(!check([0xC0, 0x80]))
        #expect(!check([0xE0, 0x80, 0x80]))  // overlong
        #expect(!check([0xED, 0xA0, 0x80]))  // surrogate
        #expect(!check([0xF4, 0x90, 0x80, 0x80]))  // above U+10FFFF
        #expect(!check([0xE2, 0x82]))  // truncated
        #expect(!check([0xE2, 0x28, 0xA1]))  // bad continuation
        #expect(check(Array(repeating: UInt8(ascii: "a"), count: 1_024)))
        #expect(!check(Array(repeating: UInt8(ascii: "a"), count: 1_025)))
    }

    /// Every 1- and 2-byte input: the stored text is valid, NUL-free, non-empty and unchanged
    /// when the input already was (checked against the standard library's decoder).
    @Test func exhaustiveShortInputs() {
        var inputs: [[UInt8]] = (0...255).map { [UInt8($0)] }
        for first in 0...255 {
            for second in stride(from: 0, through: 255, by: 3) { inputs.append([UInt8(first), UInt8(second)]) }
        }
        for input in inputs {
            let result = stored(input)
            #expect(!result.isEmpty && !result.utf8.contains(0))
            let standardValid = String(validating: input, as: UTF8.self) != nil && !input.contains(0)
            #expect(input.withUnsafeBytes { SiteName.isStoredForm($0) } == standardValid, "\(input)")
            if standardValid { #expect(Array(result.utf8) == input) }
        }
    }
}
