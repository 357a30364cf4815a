import PipelineTestSupport
import Testing

@testable import NginxLog

@Suite struct DecimalTextTests {
    @Test(arguments: [
        ("0", UInt64(0) as UInt64?), ("18446744073709551615", UInt64.max), ("18446744073709551616", nil),
        ("", nil), ("-1", nil), ("1 ", nil), ("007", 7),
    ])
    func unsigned(text: String, expected: UInt64?) {
        #expect(Array(text.utf8).withUnsafeBytes { DecimalText.parseUInt64($0, 0..<$0.count) } == expected)
    }

    @Test(arguments: [
        ("0.123", UInt64(123_000) as UInt64?), ("2", 2_000_000), ("0.000001", 1), ("1.25", 1_250_000),
        ("0.", nil), ("0.1234567", nil), ("a.1", nil), ("18446744073709.551616", nil), ("18446744073709.551615", UInt64.max),
    ])
    func micros(text: String, expected: UInt64?) {
        #expect(Array(text.utf8).withUnsafeBytes { DecimalText.parseMicros($0, 0..<$0.count) } == expected)
    }

    /// The standard library's parser as the reference: only ASCII digits, at least one.
    private static func reference(_ text: Substring) -> UInt64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt64(text)
    }

    /// Numbers of 1–21 digits (the word path is 5–8), with a junk byte at a random lane or
    /// none, placed at the start of the buffer (fewer than eight bytes before their end), in
    /// the middle, and at the very end of a buffer that ends at a guard page, with digits
    /// around them that must not be read as part of the value.
    @Test func randomNumbersAnywhereInTheBufferMatchTheStandardLibrary() {
        var random = SplitMix64(seed: 5)
        let junk: [UInt8] = [0x2F, 0x3A, 0x20, 0x2E, 0x00, 0xFF, 0x3F, 0x40, 0x61, 0xFA]
        for _ in 0..<3_000 {
            let count = Int.random(in: 1...21, using: &random)
            var digits = (0..<count).map { _ in UInt8.random(in: 0x30...0x39, using: &random) }
            if Bool.random(using: &random) {
                digits[Int.random(in: 0..<count, using: &random)] = junk[Int.random(in: 0..<junk.count, using: &random)]
            }
            let text = String(decoding: digits, as: UTF8.self)
            let expected = Self.reference(Substring(text))
            let before = Int.random(in: 0...12, using: &random)
            for after in [0, Int.random(in: 1...9, using: &random)] {
                let buffer = [UInt8](repeating: 0x37, count: before) + digits + [UInt8](repeating: 0x39, count: after)
                let range = before..<(before + count)
                withBufferEndingAtGuardPage(buffer) {
                    #expect(DecimalText.parseUInt64($0, range) == expected, "\(text) after \(before) bytes")
                }
            }
        }
    }

    @Test func randomDurationsMatchTheStandardLibrary() {
        var random = SplitMix64(seed: 9)
        let alphabet = Array("0123456789.".utf8) + [0x20, 0x2D]
        for _ in 0..<5_000 {
            let count = Int.random(in: 0...24, using: &random)
            let bytes = (0..<count).map { _ in
                Int.random(in: 0..<8, using: &random) == 0
                    ? alphabet[Int.random(in: 0..<alphabet.count, using: &random)]
                    : UInt8.random(in: 0x30...0x39, using: &random)
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let expected = Self.referenceMicros(text)
            withBufferEndingAtGuardPage(bytes) {
                #expect(DecimalText.parseMicros($0, 0..<$0.count) == expected, "\(text)")
            }
        }
    }

    /// Seconds and an optional fraction split with the standard library, in µs.
    private static func referenceMicros(_ text: String) -> UInt64? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let seconds = Self.reference(parts[0]) else { return nil }
        if parts.count == 1 {
            let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
            return overflow ? nil : scaled
        }
        guard (1...6).contains(parts[1].count), let fraction = Self.reference(parts[1]) else { return nil }
        var micros = fraction
        for _ in parts[1].count..<6 { micros *= 10 }
        let (scaled, overflow1) = seconds.multipliedReportingOverflow(by: 1_000_000)
        let (total, overflow2) = scaled.addingReportingOverflow(micros)
        return overflow1 || overflow2 ? nil : total
    }

    /// nginx's duration shape, seconds and three fraction digits (the word path takes one to
    /// four seconds digits), with one byte of it replaced by junk or none, after 0–12 digits
    /// (so the word ending at the text's end starts inside the buffer or not) and before 0–9
    /// digits, in a buffer ending at a guard page.
    @Test func nginxDurationsAnywhereInTheBufferMatchTheStandardLibrary() {
        var random = SplitMix64(seed: 13)
        let junk = Array("./:- ".utf8) + [0x00, 0x2F, 0x3A, 0x40, 0x61, 0xFA, 0xFF]
        for _ in 0..<5_000 {
            let secondsDigits = Int.random(in: 1...6, using: &random)
            var bytes = (0..<secondsDigits).map { _ in UInt8.random(in: 0x30...0x39, using: &random) }
            bytes += [UInt8(ascii: ".")] + (0..<3).map { _ in UInt8.random(in: 0x30...0x39, using: &random) }
            if Bool.random(using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = junk[Int.random(in: 0..<junk.count, using: &random)]
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let expected = Self.referenceMicros(text)
            let before = Int.random(in: 0...12, using: &random)
            for after in [0, Int.random(in: 1...9, using: &random)] {
                let buffer = [UInt8](repeating: 0x37, count: before) + bytes + [UInt8](repeating: 0x39, count: after)
                let range = before..<(before + bytes.count)
                withBufferEndingAtGuardPage(buffer) {
                    #expect(DecimalText.parseMicros($0, range) == expected, "\(text) after \(before) bytes")
                }
            }
        }
    }
}
