import AccessRecord
import AttackDetection

extension AttackDetector {
    /// The attack classes of a request record, from the parts the detector reads (method, path,
    /// query, user agent, referer). The one place that says which fields are classified, so
    /// the consumer's classification ahead of aggregation and the aggregator's own agree.
    @inlinable
    public mutating func classifyRemembering(_ record: AccessRecordReader) -> AttackClasses {
        classifyRemembering(
            method: record.loggedMethod, path: record.text(.path), query: record.text(.query),
            userAgent: record.text(.userAgent), referer: record.text(.referer))
    }
}
