import PipelineTestSupport

/// Whether the broker process de-duplicates idempotent producers (issue 5), told by its
/// `/metrics`: a broker that does exposes a duplicates counter (batches answered as duplicates
/// without storing) and a trimmed-batches counter. Tests that need de-duplication hold the
/// broker to exactly-once only when it says it does it.
struct BrokerDeduplication {
    let isAvailable: Bool

    init(_ metrics: PrometheusText) {
        isAvailable = !Self.duplicateSeries(metrics).isEmpty
    }

    func duplicatesDropped(_ metrics: PrometheusText) -> Double {
        Self.duplicateSeries(metrics).values.reduce(0, +)
    }

    func batchesTrimmed(_ metrics: PrometheusText) -> Double {
        metrics.samples.filter { $0.key.hasPrefix("edgelog_broker") && $0.key.contains("trim") }.values.reduce(0, +)
    }

    func counters(_ metrics: PrometheusText) -> [String: Double] {
        metrics.samples.filter {
            $0.key.hasPrefix("edgelog_broker") && ($0.key.contains("duplicate") || $0.key.contains("trim"))
        }
    }

    /// `edgelog_broker_*duplicate*` series, except the per-error-code counter of answers.
    private static func duplicateSeries(_ metrics: PrometheusText) -> [String: Double] {
        metrics.samples.filter {
            $0.key.hasPrefix("edgelog_broker") && $0.key.contains("duplicate")
                && !$0.key.hasPrefix("edgelog_broker_errors_total")
        }
    }
}
