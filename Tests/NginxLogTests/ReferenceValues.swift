import Foundation
import NginxLog
import Testing

// Independent references for expected values: Foundation's calendar for times, glibc's
// inet_pton for addresses. Nothing here calls the code under test.

/// Bytes written in a test as a string literal (UTF-8) or as raw bytes.
struct Bytes: Sendable, Equatable, ExpressibleByStringLiteral, CustomStringConvertible {
    var value: [UInt8]

    init(_ value: [UInt8]) { self.value = value }
    init(stringLiteral text: String) { self.value = Array(text.utf8) }

    static func + (lhs: Bytes, rhs: Bytes) -> Bytes { Bytes(lhs.value + rhs.value) }

    var description: String {
        value.map { byte in
            (0x20..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : String(format: "\\x%02X", byte)
        }.joined()
    }
}

/// A wall-clock time with its UTC offset, converted to UTC microseconds by Foundation.
struct WallTime: Sendable, CustomStringConvertible {
    var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
    var offsetMinutes: Int

    init(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int, offset: Int) {
        (self.year, self.month, self.day) = (year, month, day)
        (self.hour, self.minute, self.second) = (hour, minute, second)
        self.offsetMinutes = offset
    }

    func utcMicros() throws -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(secondsFromGMT: offsetMinutes * 60))
        let components = DateComponents(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        let date = try #require(calendar.date(from: components))
        return Int64(date.timeIntervalSince1970.rounded()) * 1_000_000
    }

    var description: String { "\(year)-\(month)-\(day) \(hour):\(minute):\(second) \(offsetMinutes)min" }
}

/// The 16 bytes glibc's `inet_pton` gives for `text` (IPv4 mapped into `::ffff:0:0/96`), or nil
/// when it accepts the text as neither family.
func inetPton(_ text: String) -> [UInt8]? {
    var v6 = in6_addr()
    if inet_pton(AF_INET6, text, &v6) == 1 {
        return withUnsafeBytes(of: &v6) { Array($0) }
    }
    var v4 = in_addr()
    if inet_pton(AF_INET, text, &v4) == 1 {
        return [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF] + withUnsafeBytes(of: &v4) { Array($0) }
    }
    return nil
}

/// Deterministic pseudo-random numbers (SplitMix64), so a failing fuzz case can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
