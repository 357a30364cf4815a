import AccessRecord
import KafkaClient
import KafkaProtocol
import NIOCore
import TrafficAggregation

/// Feeds one Fetch answer of one partition into its aggregator: splits the batches, skips what
/// lies before the aggregator's next offset (a Fetch may start inside a batch), decompresses
/// into one reused scratch buffer, and reads each record's value with `AccessRecordReader` —
/// in place when unpacked, after unpacking into reused storage when packed (`RecordValueDecoder`)
/// — no allocation per record.
///
/// Bad data never stops the stream: a record whose value does not decode, and every record of a
/// batch whose records cannot be read, is handed to the aggregator as rejected (counted, with
/// its offsets, in the shard's `rejected_records`) and skipped.
struct PartitionFeed {
    private let codec: LZ4RecordsCodec
    private var scratch: [UInt8] = []
    private var values = RecordValueDecoder()

    init() throws {
        codec = try LZ4RecordsCodec()
    }

    /// Records handed to the aggregator (every kind, rejected ones too).
    mutating func feed(
        _ batches: [RecordBatch],
        into aggregator: inout PartitionAggregator
    ) -> Int {
        var records = 0
        for batch in batches {
            let lastOffset = batch.header.baseOffset &+ Int64(batch.header.lastOffsetDelta)
            guard lastOffset >= aggregator.nextOffset else { continue }
            let start = aggregator.nextOffset
            do {
                try batch.forEachRecord(decompressingWith: codec, scratch: &scratch) { view in
                    guard view.offset >= aggregator.nextOffset else { return }
                    records += 1
                    guard let value = view.value else {
                        aggregator.reject(offset: view.offset, cause: .undecodable)
                        return
                    }
                    do {
                        try values.withReader(value) { reader in
                            aggregator.add(reader, offset: view.offset, timestampMs: view.timestamp)
                        }
                    } catch {
                        aggregator.reject(offset: view.offset, cause: .undecodable)
                    }
                }
                aggregator.skipEmptyOffsets(through: lastOffset)
            } catch {
                // The batch's records could not be read (codec or framing): reject the rest of it.
                var offset = max(aggregator.nextOffset, start)
                while offset <= lastOffset {
                    aggregator.reject(offset: offset, cause: .undecodable)
                    records += 1
                    offset += 1
                }
            }
        }
        return records
    }
}
