import PipelineTestSupport
import Foundation
@testable import NginxLog
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

/// nginx's month abbreviations in `$time_local`.
let referenceMonthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

/// A byte-at-a-time reading of `dd/Mon/yyyy:HH:MM:SS ±hhmm` with Foundation's calendar for
/// month lengths and for the UTC time, as the reference for `parseTimeLocal` (years from
/// 1600, where Foundation's calendar is Gregorian).
func referenceTimeLocal(_ bytes: [UInt8]) throws -> NginxTime.Instant? {
    guard bytes.count == 26 else { return nil }
    func number(_ range: Range<Int>) -> Int? {
        guard bytes[range].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(String(decoding: bytes[range], as: UTF8.self))
    }
    guard bytes[2] == 0x2F, bytes[6] == 0x2F, bytes[11] == 0x3A, bytes[14] == 0x3A, bytes[17] == 0x3A,
        bytes[20] == 0x20, bytes[21] == 0x2B || bytes[21] == 0x2D,
        let day = number(0..<2), let year = number(7..<11), let hour = number(12..<14),
        let minute = number(15..<17), let second = number(18..<20), let offsetHours = number(22..<24),
        let offsetMinutes = number(24..<26),
        let monthIndex = referenceMonthNames.firstIndex(of: String(decoding: bytes[3..<6], as: UTF8.self))
    else { return nil }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = try #require(TimeZone(secondsFromGMT: 0))
    let firstOfMonth = try #require(calendar.date(from: DateComponents(year: year, month: monthIndex + 1, day: 1)))
    let monthLength = try #require(calendar.range(of: .day, in: .month, for: firstOfMonth)).count
    guard day >= 1, day <= monthLength, hour < 24, minute < 60, second < 61, offsetHours < 24, offsetMinutes < 60
    else { return nil }
    let offset = (bytes[21] == 0x2D ? -1 : 1) * (offsetHours * 60 + offsetMinutes)
    // Foundation refuses zones beyond ±18 h (nginx's parser takes up to ±23:59), so the wall
    // time is read as UTC and the offset taken off here.
    let wall = WallTime(year, monthIndex + 1, day, hour, minute, second, offset: 0)
    return NginxTime.Instant(micros: try wall.utcMicros() - Int64(offset) * 60_000_000, utcOffsetMinutes: Int16(offset))
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

