import NIOCore

/// Cuts the records a producer resent from the front of a batch that partly overlaps what is
/// stored (DESIGN §10.4; the broker), or that a shipper knows are stored already (§10.3): decompress, drop the first `n` records, re-encode the rest as a fresh
/// batch with the same producer id, epoch, codec and record timestamps, keys, values and
/// headers, base sequence advanced by `n`, offset deltas renumbered from 0, and a new CRC-32C.
///
/// Only codecs this broker can write again are trimmed: none and LZ4. A batch in another codec
/// (gzip, snappy, zstd), a transactional or control batch, gets ``Refusal`` and the producer an
/// error instead: storing its records twice is never the fallback.
public enum BatchTrimmer {
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// A codec we cannot re-encode (UNSUPPORTED_COMPRESSION_TYPE).
        case unsupportedCompression(Int16)
        /// Transactional or control batches are not trimmed (INVALID_RECORD).
        case notTrimmable(String)
        /// The batch does not decode (CORRUPT_MESSAGE).
        case corrupt(String)

        /// The error a broker answers for the batch it could not trim.
        public var errorCode: KafkaErrorCode {
            switch self {
            case .unsupportedCompression: .unsupportedCompressionType
            case .notTrimmable: .invalidRecord
            case .corrupt: .corruptMessage
            }
        }

        public var description: String {
            switch self {
            case .unsupportedCompression(let codec): "cannot re-encode a batch with compression codec \(codec)"
            case .notTrimmable(let reason): "batch cannot be trimmed: \(reason)"
            case .corrupt(let reason): "batch does not decode: \(reason)"
            }
        }
    }

    /// The batch without its first `dropping` records (`0 < dropping < recordsCount`).
    public static func trim(_ bytes: ByteBuffer, dropping: Int32) throws(Refusal) -> ByteBuffer {
        let batch: RecordBatch
        do {
            batch = try RecordBatch(validating: bytes)
        } catch {
            throw .corrupt("\(error)")
        }
        let header = batch.header
        precondition(dropping > 0 && dropping < header.recordsCount, "trimming keeps some and drops some records")
        guard !header.isTransactional, !header.isControlBatch else {
            throw .notTrimmable("transactional or control batch")
        }
        let codec: (any RecordsCodec)?
        switch header.compression {
        case .some(.none):
            codec = nil
        case .some(.lz4):
            do {
                codec = try LZ4RecordsCodec()
            } catch {
                throw .corrupt("no LZ4 codec: \(error)")
            }
        default:
            throw .unsupportedCompression(header.compressionCodecID)
        }
        var builder = RecordBatchBuilder(
            baseOffset: 0,
            partitionLeaderEpoch: header.partitionLeaderEpoch,
            producerID: header.producerID,
            producerEpoch: header.producerEpoch,
            baseSequence: ProducerSequence.advance(header.baseSequence, by: dropping),
            initialCapacity: bytes.readableBytes * 2
        )
        var index: Int32 = 0
        do {
            try batch.forEachRecord(decompressingWith: codec) { record in
                defer { index += 1 }
                guard index >= dropping else { return }
                var headers: [RecordHeader] = []
                record.forEachHeader { key, value in
                    headers.append(
                        RecordHeader(key: String(decoding: key, as: UTF8.self), value: value.map { Array($0) }))
                }
                builder.append(
                    timestamp: record.timestamp, keyBytes: record.key, valueBytes: record.value, headers: headers)
            }
            return try builder.build(compression: header.compression ?? .none, codec: codec)
        } catch {
            throw .corrupt("\(error)")
        }
    }
}
