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
