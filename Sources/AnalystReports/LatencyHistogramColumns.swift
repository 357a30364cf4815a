/// The latency histogram's column names on the shards and the coordinator's parent tables, in
/// bucket order: the coarse buckets of migration 1 (`schemas/latency_buckets.txt`) and the fine
/// ones of migration 3 (`schemas/latency_fine_buckets.txt`), each followed by the shared
/// overflow column `latency_gt_10s`. These are the arrays `edgelog.histogram_quantile` and
/// `edgelog.latency_quantile` take; `latency_percentiles` builds the same ones per site.
/// Fixed lists: the only identifiers report SQL is built from.
enum LatencyHistogramColumns {
    static let coarse: [String] = [
        "latency_le_1ms", "latency_le_2ms", "latency_le_5ms", "latency_le_10ms", "latency_le_25ms", "latency_le_50ms",
        "latency_le_100ms", "latency_le_250ms", "latency_le_500ms", "latency_le_1s", "latency_le_2500ms", "latency_le_5s",
        "latency_le_10s", "latency_gt_10s",
    ]

    static let fineBoundsMs: [Int] = [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 18, 22, 27, 33, 39, 47, 56, 68, 82, 100, 120, 150, 180, 220, 270, 330, 390,
        470, 560, 680, 820, 1000, 1200, 1500, 1800, 2200, 2700, 3300, 3900, 4700, 5600, 6800, 8200, 10000,
    ]

    static let fine: [String] = fineBoundsMs.map { "latency_fine_le_\($0)ms" } + ["latency_gt_10s"]
}
