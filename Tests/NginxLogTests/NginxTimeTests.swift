import PipelineTestSupport
import Foundation
import Testing

@testable import NginxLog

@Suite struct NginxTimeTests {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private func parseLocal(_ text: String) -> NginxTime.Instant? {
        Array(text.utf8).withUnsafeBytes { NginxTime.parseTimeLocal($0, 0..<$0.count) }
    }

    private func parseISO(_ text: String) -> NginxTime.Instant? {
        Array(text.utf8).withUnsafeBytes { NginxTime.parseISO8601($0, 0..<$0.count) }
    }

    @Test func daysSinceEpochMatchesFoundationForEveryDayOf1968To2104() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(secondsFromGMT: 0))
        var date = try #require(calendar.date(from: DateComponents(year: 1968, month: 1, day: 1)))
        let end = try #require(calendar.date(from: DateComponents(year: 2105, month: 1, day: 1)))
        while date < end {
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            let days = NginxTime.daysSinceEpoch(
                year: try #require(parts.year), month: try #require(parts.month), day: try #require(parts.day))
            let expected = Int64((date.timeIntervalSince1970 / 86_400).rounded(.down))
            guard days == expected else {
                Issue.record("\(parts): \(days) != \(expected)")
                return
            }
            date = date.addingTimeInterval(86_400)
        }
    }

    @Test func randomLocalAndISOTimesMatchFoundation() throws {
        var random = SplitMix64(seed: 7)
        var calendar = Calendar(identifier: .gregorian)
        for _ in 0..<2_000 {
            let year = Int.random(in: 1970...2199, using: &random)
            let month = Int.random(in: 1...12, using: &random)
            let day = Int.random(in: 1...28, using: &random)
            let (hour, minute, second) = (
                Int.random(in: 0...23, using: &random), Int.random(in: 0...59, using: &random),
                Int.random(in: 0...59, using: &random)
            )
            let offset = Int.random(in: -14 * 60...14 * 60, using: &random)
            calendar.timeZone = try #require(TimeZone(secondsFromGMT: offset * 60))
            let date = try #require(
                calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)))
            let expected = Int64(date.timeIntervalSince1970.rounded()) * 1_000_000
            let sign = offset < 0 ? "-" : "+"
            let (oh, om) = (abs(offset) / 60, abs(offset) % 60)
            func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
            let local = "\(two(day))/\(Self.months[month - 1])/\(year):\(two(hour)):\(two(minute)):\(two(second)) \(sign)\(two(oh))\(two(om))"
            let iso = "\(year)-\(two(month))-\(two(day))T\(two(hour)):\(two(minute)):\(two(second))\(sign)\(two(oh)):\(two(om))"
            #expect(parseLocal(local) == NginxTime.Instant(micros: expected, utcOffsetMinutes: Int16(offset)), "\(local)")
            #expect(parseISO(iso) == NginxTime.Instant(micros: expected, utcOffsetMinutes: Int16(offset)), "\(iso)")
        }
    }

    @Test func isoZuluIsUTC() {
        #expect(parseISO("1970-01-02T00:00:00Z") == NginxTime.Instant(micros: 86_400_000_000, utcOffsetMinutes: 0))
    }

    @Test(arguments: [
        "29/Feb/2027:00:00:00 +0000", "31/Apr/2026:00:00:00 +0000", "28/Nov/2026:24:00:00 +0000",
        "28/Nov/2026:23:60:00 +0000", "28/nov/2026:18:19:42 +0000", "28/Nov/2026:18:19:42 0000",
        "28/Nov/2026:18:19:42 +2400", "28/Nov/2026:18:19:42 +0060", "28/Nov/2026 18:19:42 +0000",
        "28/Nov/2026:18:19:42 +000", "00/Nov/2026:18:19:42 +0000", "2a/Nov/2026:18:19:42 +0000",
    ])
    func invalidTimeLocal(text: String) {
        #expect(parseLocal(text) == nil)
    }

    @Test func leapDayOf2000IsValidAnd1900IsNot() {
        #expect(parseLocal("29/Feb/2000:00:00:00 +0000")?.micros == 951_782_400_000_000)
        #expect(parseLocal("29/Feb/1900:00:00:00 +0000") == nil)
    }

    @Test(arguments: [
        ("1764353982.123", Int64(1_764_353_982_123_000)), ("0.000", 0), ("12", 12_000_000), ("1.5", 1_500_000),
    ])
    func msec(text: String, micros: Int64) {
        #expect(Array(text.utf8).withUnsafeBytes { NginxTime.parseMsec($0, 0..<$0.count) }?.micros == micros)
    }

    @Test(arguments: ["", ".", "1.", ".5", "1.2345678", "-1.000", "1,000", "99999999999999999999.000"])
    func invalidMsec(text: String) {
        #expect(Array(text.utf8).withUnsafeBytes { NginxTime.parseMsec($0, 0..<$0.count) } == nil)
    }

    /// Every byte of valid `$time_local` texts replaced by separators, signs, digits, letters
    /// and bytes just outside the digit range (`/`, `:`, `?`, 0xFA), parsed from a buffer that
    /// ends at a guard page: the word-at-a-time parser must agree with the reference on each.
    @Test func everySingleByteChangeOfTimeLocalMatchesTheReference() throws {
        var random = SplitMix64(seed: 21)
        let replacements = Array("/: +-0159aAJNov".utf8) + [0x00, 0x2F, 0x3A, 0x3F, 0x40, 0xFA, 0xFF]
        for _ in 0..<40 {
            func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
            let day = two(Int.random(in: 1...31, using: &random))
            let month = Self.months[Int.random(in: 0..<12, using: &random)]
            let year = Int.random(in: 1900...2200, using: &random)
            let clock = [Int.random(in: 0...23, using: &random), Int.random(in: 0...59, using: &random),
                Int.random(in: 0...60, using: &random)].map(two).joined(separator: ":")
            let sign = Bool.random(using: &random) ? "+" : "-"
            let offset = two(Int.random(in: 0...23, using: &random)) + two(Int.random(in: 0...59, using: &random))
            let text = "\(day)/\(month)/\(year):\(clock) \(sign)\(offset)"
            let original = Array(text.utf8)
            for position in 0..<original.count {
                for replacement in replacements {
                    var bytes = original
                    bytes[position] = replacement
                    // Foundation's calendar is Julian before 1582; ours is proleptic Gregorian.
                    if let year = Int(String(decoding: bytes[7..<11], as: UTF8.self)), year < 1600 { continue }
                    let expected = try referenceTimeLocal(bytes)
                    let parsed = withBufferEndingAtGuardPage(bytes) { NginxTime.parseTimeLocal($0, 0..<26) }
                    #expect(parsed == expected, "\(String(decoding: bytes, as: UTF8.self))")
                }
            }
        }
    }
}
