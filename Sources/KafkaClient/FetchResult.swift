import KafkaProtocol
import NIOCore

/// One partition's part of a Fetch response.
public struct FetchResult: Sendable, Equatable {
    public var errorCode: KafkaErrorCode
    /// The end of the committed (for our broker: durable) log; the offset after the last
    /// record a consumer may read.
    public var highWatermark: Int64
    public var lastStableOffset: Int64
    /// -1 when the broker answered below Fetch v5.
    public var logStartOffset: Int64
    /// Record batches back to back as the broker sent them (a slice of the response frame). A
    /// broker may cut the last batch short; ``batches()`` drops that remainder.
    public var records: ByteBuffer
    /// The cluster id the answering broker reported when its connection opened; `nil` unless
    /// the client identifies clusters (``KafkaClient/Configuration/identifiesCluster``).
    public var clusterID: String?

    public init(
        errorCode: KafkaErrorCode,
        highWatermark: Int64,
        lastStableOffset: Int64,
        logStartOffset: Int64,
        records: ByteBuffer,
        clusterID: String? = nil
    ) {
        self.errorCode = errorCode
        self.highWatermark = highWatermark
        self.lastStableOffset = lastStableOffset
        self.logStartOffset = logStartOffset
        self.records = records
        self.clusterID = clusterID
    }

    /// The whole batches in ``records``, each CRC-checked; a trailing partial batch is ignored,
    /// as every Kafka consumer does.
    public func batches() throws(KafkaProtocolError) -> [RecordBatch] {
        try RecordBatch.split(records, allowingTrailingPartialBatch: true)
    }
}
