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
}
