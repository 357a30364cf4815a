/// The fixed bucket edges of the latency histogram (`schemas/latency_buckets.txt`).
///
/// Invariant: `upperBoundsMicros` is strictly increasing and has one entry per `latency_le_*`
/// counter; the `latency_gt_10s` counter takes everything above the last bound. `counters` are
/// consecutive in a row, so bucket `b` is counter `SiteCounter.latencyLe1ms.index + b`. The
/// buckets are additive, so any time range's percentiles come from summing rows (issue 15's
/// SQL function).
public enum LatencyHistogram {
    /// Upper bounds in microseconds, inclusive; `TrafficAggregationTests` checks them against
    /// `schemas/latency_buckets.txt`.
    public static let upperBoundsMicros: [UInt64] = [
        1_000, 2_000, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
        1_000_000, 2_500_000, 5_000_000, 10_000_000,
    ]

    /// The counters of the buckets, in bound order, the overflow last.
    public static let counters: [SiteCounter] = [
        .latencyLe1ms, .latencyLe2ms, .latencyLe5ms, .latencyLe10ms, .latencyLe25ms, .latencyLe50ms,
        .latencyLe100ms, .latencyLe250ms, .latencyLe500ms, .latencyLe1s, .latencyLe2500ms, .latencyLe5s,
        .latencyLe10s, .latencyGt10s,
    ]

    /// The fine histogram's upper bounds in microseconds, inclusive (`schemas/latency_fine_buckets.txt`):
    /// each whole millisecond to 10 ms, then the E12 series (ratio at most 1.25) to 10 s, so a
    /// percentile read inside a bucket is within its width of the truth (the coarse buckets
    /// above are up to 2.5x wide, too coarse for 10 % percentiles). Above 10 s only the coarse
    /// overflow `latencyGt10s` counts.
    public static let fineUpperBoundsMicros: [UInt64] = [
        0, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000,
        8_000, 9_000, 10_000, 12_000, 15_000, 18_000, 22_000, 27_000,
        33_000, 39_000, 47_000, 56_000, 68_000, 82_000, 100_000, 120_000,
        150_000, 180_000, 220_000, 270_000, 330_000, 390_000, 470_000, 560_000,
        680_000, 820_000, 1_000_000, 1_200_000, 1_500_000, 1_800_000, 2_200_000, 2_700_000,
        3_300_000, 3_900_000, 4_700_000, 5_600_000, 6_800_000, 8_200_000, 10_000_000,
    ]

    /// The fine counters, in bound order.
    public static let fineCounters: [SiteCounter] = [
        .latencyFineLe0ms, .latencyFineLe1ms, .latencyFineLe2ms, .latencyFineLe3ms, .latencyFineLe4ms,
        .latencyFineLe5ms, .latencyFineLe6ms, .latencyFineLe7ms, .latencyFineLe8ms, .latencyFineLe9ms,
        .latencyFineLe10ms, .latencyFineLe12ms, .latencyFineLe15ms, .latencyFineLe18ms, .latencyFineLe22ms,
        .latencyFineLe27ms, .latencyFineLe33ms, .latencyFineLe39ms, .latencyFineLe47ms, .latencyFineLe56ms,
        .latencyFineLe68ms, .latencyFineLe82ms, .latencyFineLe100ms, .latencyFineLe120ms, .latencyFineLe150ms,
        .latencyFineLe180ms, .latencyFineLe220ms, .latencyFineLe270ms, .latencyFineLe330ms, .latencyFineLe390ms,
        .latencyFineLe470ms, .latencyFineLe560ms, .latencyFineLe680ms, .latencyFineLe820ms, .latencyFineLe1000ms,
        .latencyFineLe1200ms, .latencyFineLe1500ms, .latencyFineLe1800ms, .latencyFineLe2200ms, .latencyFineLe2700ms,
        .latencyFineLe3300ms, .latencyFineLe3900ms, .latencyFineLe4700ms, .latencyFineLe5600ms, .latencyFineLe6800ms,
        .latencyFineLe8200ms, .latencyFineLe10000ms,
    ]

    /// Index into `fineCounters` of the bucket for a request time, or nil above 10 s.
    ///
    /// Arithmetic, not a search: to 10 ms the bucket is the time in whole milliseconds rounded
    /// up; above, the decade picks a scale and eleven comparisons count the E12 bounds below the
    /// time (the consumer's hot path: no table, no loop).
    @inlinable
    public static func fineBucket(forMicros micros: UInt64) -> Int? {
        if micros <= 10_000 { return Int((micros &+ 999) / 1_000) }
        let scale: UInt64
        let first: Int
        switch micros {
        case ...100_000: (scale, first) = (1_000, 11)
        case ...1_000_000: (scale, first) = (10_000, 23)
        case ...10_000_000: (scale, first) = (100_000, 35)
        default: return nil
        }
        // The E12 bounds of the decade but its top (100), which every time in it reaches.
        var bucket = first
        bucket &+= micros > 12 &* scale ? 1 : 0
        bucket &+= micros > 15 &* scale ? 1 : 0
        bucket &+= micros > 18 &* scale ? 1 : 0
        bucket &+= micros > 22 &* scale ? 1 : 0
        bucket &+= micros > 27 &* scale ? 1 : 0
        bucket &+= micros > 33 &* scale ? 1 : 0
        bucket &+= micros > 39 &* scale ? 1 : 0
        bucket &+= micros > 47 &* scale ? 1 : 0
        bucket &+= micros > 56 &* scale ? 1 : 0
        bucket &+= micros > 68 &* scale ? 1 : 0
        bucket &+= micros > 82 &* scale ? 1 : 0
        return bucket
    }

    /// Index into `counters` of the bucket for a request time: the first bound >= `micros`,
    /// or the overflow bucket.
    ///
    /// A chain of constant comparisons (the same bounds as `upperBoundsMicros`; a test checks
    /// both against the file) rather than a loop over the array: no global-initialiser check
    /// or bounds check per record on the consumer's hot path.
    @inlinable
    public static func bucket(forMicros micros: UInt64) -> Int {
        switch micros {
        case ...1_000: 0
        case ...2_000: 1
        case ...5_000: 2
        case ...10_000: 3
        case ...25_000: 4
        case ...50_000: 5
        case ...100_000: 6
        case ...250_000: 7
        case ...500_000: 8
        case ...1_000_000: 9
        case ...2_500_000: 10
        case ...5_000_000: 11
        case ...10_000_000: 12
        default: 13
        }
    }
}
