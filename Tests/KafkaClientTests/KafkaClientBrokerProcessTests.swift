import Foundation
import KafkaClient
import KafkaProtocol
import Logging
import NIOCore
import PipelineTestSupport
import Testing

/// Our client against our broker: the `edgelog-broker` executable as a child process on a
/// free loopback port, the same protocol scenario the fake broker and a real Kafka pass.
@Suite(.serialized, .integration)
struct KafkaClientBrokerProcessTests {
    @Test func producesFetchesAndListsOffsetsAgainstTheBroker() async throws {
        let broker = try BrokerProcess()
        defer { broker.remove() }
        let process = try await broker.start()

        let client = KafkaClient(
            configuration: try KafkaClient.Configuration(bootstrap: broker.bootstrap),
            logger: Logger(label: "test.kafka-client.broker"))
        do {
            try await BrokerScenario.roundTrip(client, topic: "edgelog-client-\(UUID().uuidString.prefix(8))")
        } catch {
            Issue.record("round trip against edgelog-broker failed: \(error)\n\(broker.logs())")
        }
        #expect(process.stderrText().contains("created topic"), "\(broker.logs())")
        await client.shutdown()
        #expect(try await broker.terminate() == .exited(0), "\(broker.logs())")
    }

    /// One Produce request carrying a batch for each of three partitions, as the shipper sends
    /// them: every partition is answered, and an identical resend of the whole request is
    /// de-duplicated per partition (the broker answers the original offsets, stores nothing).
    @Test func oneRequestProducesToSeveralPartitions() async throws {
        let broker = try BrokerProcess(partitions: 3)
        defer { broker.remove() }
        try await broker.start()
        let client = KafkaClient(
            configuration: try KafkaClient.Configuration(bootstrap: broker.bootstrap),
            logger: Logger(label: "test.kafka-client.multi-partition"))
        let topic = "edgelog-multi-\(UUID().uuidString.prefix(8))"
        var partitionCount = 0
        for _ in 0..<40 where partitionCount == 0 {
            let metadata = try await client.metadata(topics: [topic])
            partitionCount = metadata.topics.first { $0.name == topic && $0.errorCode == .none }?.partitions.count ?? 0
            if partitionCount == 0 { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(partitionCount == 3)
        let identity = try await client.initProducerId()
        var batches: [(partition: Int32, records: ByteBuffer)] = []
        for partition: Int32 in 0..<3 {
            var builder = RecordBatchBuilder(producerID: identity.producerID, producerEpoch: identity.epoch, baseSequence: 0)
            for index in 0..<4 {
                builder.append(timestamp: 1_700_000_000_000, key: [], value: Array("p\(partition)-\(index)".utf8))
            }
            batches.append((partition, try builder.build()))
        }
        let first = try await client.enqueueProduce(topic: topic, batches: batches).get()
        let again = try await client.enqueueProduce(topic: topic, batches: batches).get()
        for partition: Int32 in 0..<3 {
            #expect(first[partition]?.errorCode == KafkaErrorCode.none, "partition \(partition): \(String(describing: first[partition]))")
            #expect(first[partition]?.baseOffset == 0)
            #expect(again[partition]?.errorCode == KafkaErrorCode.none)
            #expect(again[partition]?.baseOffset == 0, "the resend is answered with the original offset")
            let end = try await client.listOffsets(
                topic: topic, partition: partition, timestamp: ListOffsetsRequest.latestTimestamp
            ).offset
            #expect(end == 4, "partition \(partition) holds its four records once")
            let fetched = try await client.fetch(topic: topic, partition: partition, offset: 0, maxWait: .milliseconds(200))
            let values = try fetched.batches().flatMap { try $0.records() }.map { $0.value.map { String(buffer: $0) } }
            #expect(values == (0..<4).map { "p\(partition)-\($0)" })
        }
        await client.shutdown()
        #expect(try await broker.terminate() == .exited(0), "\(broker.logs())")
    }
}
