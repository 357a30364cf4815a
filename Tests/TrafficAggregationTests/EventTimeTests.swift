import Testing
import TrafficAggregation

@Suite struct EventTimeTests {
    /// Minutes floor toward negative infinity (expected values by hand).
    @Test(arguments: [
        (0 as Int64, 0 as Int64),
        (1, 0),
        (59_999_999, 0),
        (60_000_000, 60),
        (-1, -60),
        (-59_999_999, -60),
        (-60_000_000, -60),
        (-60_000_001, -120),
        (1_700_000_000_123_456, 1_699_999_980),
    ])
    func minuteOfMicros(micros: Int64, expected: Int64) {
        #expect(EventTime.minute(ofMicros: micros) == expected)
    }

    @Test(arguments: [
        (0 as Int64, 0 as Int64),
        (59_999, 0),
        (-1, -60),
        (-60_000, -60),
        (-60_001, -120),
        (1_700_000_000_123, 1_699_999_980),
    ])
    func minuteOfMillis(millis: Int64, expected: Int64) {
        #expect(EventTime.minute(ofMillis: millis) == expected)
    }

    /// The extremes of Int64 do not trap (hostile times).
    @Test func extremesDoNotOverflow() {
        #expect(EventTime.minute(ofMicros: .max) == (Int64.max / 60_000_000) * 60)
        #expect(EventTime.minute(ofMicros: .min) == (Int64.min / 60_000_000 - 1) * 60)
        #expect(EventTime.minute(ofMillis: .min) == (Int64.min / 60_000 - 1) * 60)
    }
}
