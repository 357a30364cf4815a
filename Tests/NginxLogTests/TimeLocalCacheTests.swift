import PipelineTestSupport
import Foundation
import Testing

@testable import NginxLog

/// The cache must give `NginxTime.parseTimeLocal`'s result for every text, whatever it holds:
/// expected values come from `referenceTimeLocal` (byte by byte, Foundation's calendar).
@Suite struct TimeLocalCacheTests {
    private static func text(
        _ day: Int, _ month: Int, _ year: Int, _ hour: Int, _ minute: Int, _ second: Int, offset: Int
    ) -> [UInt8] {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let sign = offset < 0 ? "-" : "+"
        let zone = "\(sign)\(two(abs(offset) / 60))\(two(abs(offset) % 60))"
        return Array(
            "\(two(day))/\(referenceMonthNames[month - 1])/\(year):\(two(hour)):\(two(minute)):\(two(second)) \(zone)".utf8)
    }

    /// Parses `bytes` (26 of them, or whatever a test passes) from a buffer ending at a guard page.
    private static func parse(_ cache: inout TimeLocalCache, _ bytes: [UInt8]) -> NginxTime.Instant? {
        withBufferEndingAtGuardPage(bytes) { cache.parse($0, 0..<$0.count) }
    }

    @Test func freshCacheHoldsTheEpochMinute() throws {
        let epoch = Array("01/Jan/1970:00:00:00 +0000".utf8)
        let cache = TimeLocalCache()
        let key = epoch.withUnsafeBytes { TimeLocalCache.key($0, 0) }
        #expect(key == (cache.key0, cache.key1, cache.key2))
        #expect(try referenceTimeLocal(epoch)?.micros == cache.minuteMicros)
        #expect(cache.utcOffsetMinutes == 0)
    }

    /// Every seconds value (and junk) of the entry a fresh cache holds: all hits.
    @Test func secondsOfTheInitialMinute() throws {
        for seconds in (0...99).map({ $0 < 10 ? "0\($0)" : "\($0)" }) + ["6:", "/0", "0:", " 0", "+1"] {
            let bytes = Array("01/Jan/1970:00:00:\(seconds) +0000".utf8)
            var cache = TimeLocalCache()
            #expect(Self.parse(&cache, bytes) == (try referenceTimeLocal(bytes)), "\(seconds)")
        }
    }

    /// One field changes at a time, each line parsed with the cache the previous lines left.
    @Test func sequenceChangingOneFieldAtATime() throws {
        let steps: [[UInt8]] = [
            Self.text(28, 11, 2026, 18, 19, 42, offset: 330),
            Self.text(28, 11, 2026, 18, 19, 42, offset: 330),  // same text
            Self.text(28, 11, 2026, 18, 19, 43, offset: 330),  // second
            Self.text(28, 11, 2026, 18, 19, 60, offset: 330),  // leap second, accepted
            Self.text(28, 11, 2026, 18, 20, 43, offset: 330),  // minute
            Self.text(28, 11, 2026, 19, 20, 43, offset: 330),  // hour
            Self.text(29, 11, 2026, 19, 20, 43, offset: 330),  // day
            Self.text(29, 12, 2026, 19, 20, 43, offset: 330),  // month
            Self.text(29, 12, 2027, 19, 20, 43, offset: 330),  // year
            Self.text(29, 12, 2027, 19, 20, 43, offset: 331),  // offset minutes
            Self.text(29, 12, 2027, 19, 20, 43, offset: 390),  // offset hours
            Self.text(29, 12, 2027, 19, 20, 43, offset: -390),  // offset sign
            Self.text(29, 12, 2027, 19, 20, 0, offset: -390),  // second back to 0
            Self.text(28, 11, 2026, 18, 19, 42, offset: 330),  // the first minute again
            Self.text(29, 2, 2028, 23, 59, 59, offset: 0),  // leap day
            Self.text(29, 2, 2028, 23, 59, 60, offset: 0),
            Self.text(1, 3, 2028, 0, 0, 0, offset: 0),
        ]
        var cache = TimeLocalCache()
        for bytes in steps {
            let expected = try #require(try referenceTimeLocal(bytes))
            #expect(Self.parse(&cache, bytes) == expected, "\(String(decoding: bytes, as: UTF8.self))")
        }
    }

    /// Seconds that are not two digits below 61 fail after their minute was cached, and the
    /// cached minute still serves the next valid line.
    @Test(arguments: ["61", "62", "99", "6:", "/9", "0/", ":0", "0 ", "\u{7F}0", "a0"])
    func invalidSecondsAfterACachedMinute(seconds: String) throws {
        var cache = TimeLocalCache()
        let valid = Self.text(28, 11, 2026, 18, 19, 42, offset: 0)
        #expect(Self.parse(&cache, valid) == (try referenceTimeLocal(valid)))
        var bad = valid
        bad.replaceSubrange(18..<20, with: Array(seconds.utf8))
        #expect(try referenceTimeLocal(bad) == nil)
        #expect(Self.parse(&cache, bad) == nil)
        let next = Self.text(28, 11, 2026, 18, 19, 44, offset: 0)
        #expect(Self.parse(&cache, next) == (try referenceTimeLocal(next)))
    }

    /// A bad month (or day, hour, minute, offset) after a cached minute fails, and does not
    /// replace the entry.
    @Test(arguments: [
        (3, "Nox"), (3, "nov"), (0, "31"), (0, "00"), (12, "24"), (15, "60"), (22, "24"), (24, "60"),
        (20, "_+"), (17, "-"), (11, " "),
    ])
    func invalidFieldAfterACachedMinute(at: Int, replacement: String) throws {
        var cache = TimeLocalCache()
        let valid = Self.text(28, 11, 2026, 18, 19, 42, offset: 60)
        #expect(Self.parse(&cache, valid) == (try referenceTimeLocal(valid)))
        let entry = (cache.key0, cache.key1, cache.key2, cache.minuteMicros)
        var bad = valid
        bad.replaceSubrange(at..<(at + replacement.utf8.count), with: Array(replacement.utf8))
        #expect(try referenceTimeLocal(bad) == nil)
        #expect(Self.parse(&cache, bad) == nil)
        #expect(entry == (cache.key0, cache.key1, cache.key2, cache.minuteMicros))
        #expect(Self.parse(&cache, valid) == (try referenceTimeLocal(valid)))
    }

    @Test(arguments: [0, 1, 25, 27, 40])
    func wrongLengthFails(count: Int) {
        var cache = TimeLocalCache()
        // The initial entry's text, cut or extended: a hit on its first 26 bytes must not count.
        let bytes = Array(Array("01/Jan/1970:00:00:00 +0000 +0000 junk ....".utf8).prefix(count))
        #expect(Self.parse(&cache, bytes) == nil)
    }

    /// Every single-byte change of valid texts, each parsed right after its original (so the
    /// original's minute is cached): hit or miss, the reference's result.
    @Test func everySingleByteChangeAfterItsMinuteIsCached() throws {
        var random = SplitMix64(seed: 33)
        let replacements = Array("/: +-0159aAJNov".utf8) + [0x00, 0x2F, 0x3A, 0x3F, 0x40, 0xFA, 0xFF]
        var cache = TimeLocalCache()
        for _ in 0..<30 {
            let original = Self.text(
                Int.random(in: 1...28, using: &random), Int.random(in: 1...12, using: &random),
                Int.random(in: 1900...2200, using: &random), Int.random(in: 0...23, using: &random),
                Int.random(in: 0...59, using: &random), Int.random(in: 0...60, using: &random),
                offset: Int.random(in: -(23 * 60 + 59)...(23 * 60 + 59), using: &random))
            for position in 0..<original.count {
                for replacement in replacements {
                    var bytes = original
                    bytes[position] = replacement
                    if let year = Int(String(decoding: bytes[7..<11], as: UTF8.self)), year < 1600 { continue }
                    #expect(Self.parse(&cache, original) == (try referenceTimeLocal(original)))
                    #expect(
                        Self.parse(&cache, bytes) == (try referenceTimeLocal(bytes)),
                        "\(String(decoding: bytes, as: UTF8.self)) after \(String(decoding: original, as: UTF8.self))")
                }
            }
        }
    }

    /// Lines of one log through the parser with one `ParsedLine`: the cache kept by `reset`
    /// gives each line its own time, also after a line with a bad time and a line of a format
    /// without `$time_local`.
    @Test func linesSharingAParsedLine() throws {
        let combined = LogParser(format: .combined)
        let noTime = LogParser(format: try LogFormat(pattern: "$remote_addr $status"))
        let times: [[UInt8]] = [
            Self.text(28, 11, 2026, 11, 59, 58, offset: 0), Self.text(28, 11, 2026, 11, 59, 59, offset: 0),
            Self.text(28, 11, 2026, 11, 59, 58, offset: 0), Self.text(28, 11, 2026, 12, 0, 0, offset: 0),
            Array("28/Nov/2026:12:00:61 +0000".utf8), Self.text(28, 11, 2026, 12, 0, 1, offset: 0),
            Self.text(28, 11, 2026, 12, 0, 1, offset: -60),
        ]
        var parsed = ParsedLine()
        for time in times {
            let line = Array("192.0.2.1 - - [".utf8) + time + Array("] \"GET / HTTP/1.1\" 200 5 \"-\" \"-\"".utf8)
            let ok = withBufferEndingAtGuardPage(line) { combined.parse(line: $0, into: &parsed) }
            if let expected = try referenceTimeLocal(time) {
                #expect(ok && parsed.parseError == nil)
                #expect(parsed.timeMicros == expected.micros && parsed.utcOffsetMinutes == expected.utcOffsetMinutes)
            } else {
                #expect(!ok && parsed.parseError == .badTimestamp(at: 15))
            }
            #expect(Array("192.0.2.1 200".utf8).withUnsafeBytes { noTime.parse(line: $0, into: &parsed) })
            #expect(parsed.timeMicros == nil && parsed.utcOffsetMinutes == 0)
        }
    }
}
