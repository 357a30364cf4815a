import KafkaProtocol

/// The broker's answer for one produced batch (one topic-partition of a Produce response).
///
/// The error code is data, not a thrown error: an idempotent producer decides what to resend from
/// it (``IdempotentProducerState/handle(_:for:)``).
public struct ProduceResult: Sendable, Equatable {
    public var errorCode: KafkaErrorCode
    /// The offset of the batch's first record; `nil` for acks=0 (no answer) and for errors.
    public var baseOffset: Int64?
    /// -1 unless the topic uses LogAppendTime.
    public var logAppendTimeMs: Int64
    /// -1 when the broker answered below Produce v5, or for acks=0.
    public var logStartOffset: Int64

    public init(errorCode: KafkaErrorCode, baseOffset: Int64?, logAppendTimeMs: Int64 = -1, logStartOffset: Int64 = -1)
    {
        self.errorCode = errorCode
        self.baseOffset = baseOffset
        self.logAppendTimeMs = logAppendTimeMs
        self.logStartOffset = logStartOffset
    }

    /// What acks=0 produces get: the frame was written, nothing more is known.
    public static let unacknowledged = ProduceResult(errorCode: .none, baseOffset: nil)
}
