import AccessRecord
import AttackDetection
import TrafficAggregation

/// The records of consecutive fetched batches of one partition, decompressed, their values
/// unpacked into one buffer and (attack detection on) classified, by `ChunkDecoder` on a task
/// beside the loop — everything about a record that does not depend on the aggregator's state.
/// What does (which records are new, the counting) happens in `feed(into:)`, on the loop.
///
/// Invariant: `records` holds every record the batches' `forEachRecord` visited, in that
/// order, records below the aggregator's next offset included (they are skipped when fed,
/// exactly as a direct feed would skip them); `batches[i].recordsEnd` is where batch `i`'s
/// records end, and the batches are in fetch order.
struct DecodedChunk: Sendable {
    struct Record: Sendable {
        var offset: Int64
        var timestampMs: Int64
        /// Where the unpacked message starts in `messages`.
        var messageStart: Int
        /// Its length; -1: the value was null, did not unpack or is not a valid record (the
        /// record is rejected). A message with a length passed `AccessRecordReader`'s checks.
        var messageLength: Int32
        /// `AttackClasses` bits (0 when not classified).
        var attacks: UInt8
    }

    struct Batch: Sendable {
        var lastOffset: Int64
        var recordsEnd: Int
        /// Whether all the batch's records could be read; when not, the records after the
        /// last one in `records` are rejected when fed (as many as the batch's offsets say).
        var readable: Bool
    }

    var messages: [UInt8] = []
    var records: [Record] = []
    var batches: [Batch] = []
    /// Whether `records[i].attacks` holds the detector's answer (attack detection on).
    var classified = false

    /// Hands the chunk's records to `aggregator` (read with `AccessRecordReader(validated:)`:
    /// the decoder validated them): a record below its next offset is skipped, a value that
    /// did not decode is rejected (`.undecodable`, counted with its offset), the
    /// rest of an unreadable batch is rejected, and a batch's empty offsets are passed over.
    /// Returns the records handed over (every kind, rejected ones too).
    func feed(into aggregator: inout PartitionAggregator) -> Int {
        var handed = 0
        var first = 0
        messages.withUnsafeBytes { messages in
            for batch in batches {
                defer { first = batch.recordsEnd }
                guard batch.lastOffset >= aggregator.nextOffset else { continue }
                let start = aggregator.nextOffset
                for record in records[first..<batch.recordsEnd] where record.offset >= aggregator.nextOffset {
                    handed += 1
                    guard record.messageLength >= 0 else {
                        aggregator.reject(offset: record.offset, cause: .undecodable)
                        continue
                    }
                    let message = UnsafeRawBufferPointer(
                        rebasing: messages[record.messageStart..<(record.messageStart + Int(record.messageLength))])
                    do {
                        let reader = try AccessRecordReader(validated: message)
                        aggregator.add(
                            reader, offset: record.offset, timestampMs: record.timestampMs,
                            attacks: classified ? AttackClasses(rawValue: record.attacks) : nil)
                    } catch {
                        aggregator.reject(offset: record.offset, cause: .undecodable)
                    }
                }
                if batch.readable {
                    aggregator.skipEmptyOffsets(through: batch.lastOffset)
                } else {
                    var offset = max(aggregator.nextOffset, start)
                    while offset <= batch.lastOffset {
                        aggregator.reject(offset: offset, cause: .undecodable)
                        handed += 1
                        offset += 1
                    }
                }
            }
        }
        return handed
    }
}
