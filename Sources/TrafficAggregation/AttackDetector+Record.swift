import AccessRecord
import AttackDetection

extension AttackDetector {
    /// The attack classes of a request record, from the parts the detector reads (path, query,
    /// user agent, referer). The one place that says which fields are classified, so the
    /// consumer's classification ahead of aggregation and the aggregator's own agree.
    ///
    /// The method is not read: no detector uses it, and looking it up (`loggedMethod`'s switch
    /// over the known methods) was ≈ 1 % of the consumer's samples with detection on.
    @inlinable
    public mutating func classifyRemembering(_ record: AccessRecordReader) -> AttackClasses {
        classifyRemembering(
            path: record.text(.path), query: record.text(.query), userAgent: record.text(.userAgent),
            referer: record.text(.referer))
    }
}
