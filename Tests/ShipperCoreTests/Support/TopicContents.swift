import AccessRecord
import Foundation
import KafkaClient
import KafkaProtocol
import Logging
import NIOCore

/// Every record of a topic as the broker serves it, read back over the Kafka protocol with
/// our own client, decompressed and decoded.
struct TopicContents {
    struct Entry {
        var partition: Int32
        var offset: Int64
        var timestamp: Int64
        var key: [UInt8]
        var record: AccessRecord
        /// The batch's producer id and this record's sequence number (base sequence + its
        /// place in the batch): what the broker de-duplicates by.
        var producerID: Int64
        var sequence: Int32
    }

    /// Every record, requests and the shipper's control records.
    var all: [Entry]
    /// The request records (one per line).
    var entries: [Entry] { all.filter { $0.record.kind == .request } }
    /// The shipper's control records (`kind = fileStats`).
    var fileStats: [Entry] { all.filter { $0.record.kind == .fileStats } }
    /// Batches seen, with their producer id and base sequence.
    var batches: [(partition: Int32, producerID: Int64, baseSequence: Int32, count: Int32)]

    static func read(bootstrap: String, topic: String) async throws -> TopicContents {
        let client = KafkaClient(
            configuration: try KafkaClient.Configuration(bootstrap: bootstrap),
            logger: Logger(label: "test.reader")
        )
        defer { Task { await client.shutdown() } }
        let metadata = try await client.metadata(topics: [topic], allowAutoTopicCreation: false)
        guard let entry = metadata.topics.first(where: { $0.name == topic }), entry.errorCode == .none else {
            return TopicContents(all: [], batches: [])
        }
        let codec = try LZ4RecordsCodec()
        var contents = TopicContents(all: [], batches: [])
        for partition in entry.partitions.map(\.partitionIndex).sorted() {
            var offset: Int64 = 0
            while true {
                let result = try await client.fetch(
                    topic: topic,
                    partition: partition,
                    offset: offset,
                    maxBytes: 8 << 20,
                    maxWait: .milliseconds(10)
                )
                guard result.errorCode == .none else { throw Failure(description: "fetch: \(result.errorCode)") }
                let batches = try result.batches()
                for batch in batches {
                    contents.batches.append(
                        (partition, batch.header.producerID, batch.header.baseSequence, batch.header.recordsCount)
                    )
                    for record in try batch.records(decompressingWith: codec) where record.offset >= offset {
                        let value = record.value.map { Array($0.readableBytesView) } ?? []
                        contents.all.append(
                            Entry(
                                partition: partition,
                                offset: record.offset,
                                timestamp: record.timestamp,
                                key: record.key.map { Array($0.readableBytesView) } ?? [],
                                record: try AccessRecord(decoding: value),
                                producerID: batch.header.producerID,
                                sequence: batch.header.baseSequence
                                    &+ Int32(truncatingIfNeeded: record.offset - batch.header.baseOffset)
                            )
                        )
                    }
                    offset = max(offset, batch.header.nextOffset)
                }
                if offset >= result.highWatermark || batches.isEmpty { break }
            }
        }
        return contents
    }

    /// Records per partition, summed.
    static func recordCount(bootstrap: String, topic: String) async throws -> Int64 {
        let client = KafkaClient(
            configuration: try KafkaClient.Configuration(bootstrap: bootstrap),
            logger: Logger(label: "test.reader")
        )
        defer { Task { await client.shutdown() } }
        let metadata = try await client.metadata(topics: [topic], allowAutoTopicCreation: false)
        guard let entry = metadata.topics.first(where: { $0.name == topic }), entry.errorCode == .none else { return 0 }
        var total: Int64 = 0
        for partition in entry.partitions {
            let end = try await client.listOffsets(
                topic: topic,
                partition: partition.partitionIndex,
                timestamp: ListOffsetsRequest.latestTimestamp
            )
            total += end.offset
        }
        return total
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }
}
