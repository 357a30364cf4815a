import Foundation
import KafkaClient
import KafkaProtocol
import Logging
import NIOCore
import PipelineTestSupport
import Testing

/// ``KafkaClient`` end to end over TCP. ``BrokerScenario`` is written against the Kafka
/// protocol only (it learns offsets instead of assuming them), so it runs unchanged against the
/// fake broker here, the edgelog broker, or a real Kafka: set `EDGELOG_TEST_KAFKA_BOOTSTRAP` to
/// `host:port` to aim it at one.
struct KafkaClientTests {
    let logger = Logger(label: "test.kafka-client")

    private func client(port: Int, maxConnectAttempts: Int? = 3) -> KafkaClient {
        KafkaClient(
            configuration: KafkaClient.Configuration(
                host: "127.0.0.1",
                port: port,
                reconnectBackoff: ReconnectBackoff(initial: .milliseconds(20), maximum: .milliseconds(200)),
                maxConnectAttempts: maxConnectAttempts
            ),
            logger: logger
        )
    }

    @Test(arguments: [ApiVersionsTable.minimal, ApiVersionsTable.comfortable])
    func roundTripAgainstFakeBroker(table: ApiVersionsTable) async throws {
        var behaviour = FakeKafkaBroker.Behaviour()
        behaviour.table = table.restricted(to: Set(NegotiatedVersions.clientRanges.keys))
        let broker = try await FakeKafkaBroker.start(behaviour: behaviour)
        let client = client(port: broker.port)
        try await BrokerScenario.roundTrip(client, topic: "access-\(UUID().uuidString.prefix(8))")
        await client.shutdown()
        await broker.stop()
        #expect(broker.connectionsAccepted == 1)
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["EDGELOG_TEST_KAFKA_BOOTSTRAP"] != nil))
    func roundTripAgainstExternalBroker() async throws {
        let bootstrap = try #require(ProcessInfo.processInfo.environment["EDGELOG_TEST_KAFKA_BOOTSTRAP"])
        let client = KafkaClient(configuration: try KafkaClient.Configuration(bootstrap: bootstrap), logger: logger)
        try await BrokerScenario.roundTrip(client, topic: "edgelog-client-test-\(UUID().uuidString.prefix(8))")
        await client.shutdown()
    }

    /// While Metadata names no leader, refreshes back off instead of following every request:
    /// 1.5 s of routing asks at 50 ms floor would refresh ~30 times without backoff.
    @Test func leaderlessMetadataRefreshesBackOff() async throws {
        var behaviour = FakeKafkaBroker.Behaviour()
        behaviour.leaderless = true
        let broker = try await FakeKafkaBroker.start(behaviour: behaviour)
        let client = KafkaClient(
            configuration: KafkaClient.Configuration(
                host: "127.0.0.1", port: broker.port,
                reconnectBackoff: ReconnectBackoff(initial: .milliseconds(20), maximum: .milliseconds(800)),
                metadataRefreshInterval: .milliseconds(50)),
            logger: logger)
        _ = try await client.metadata(topics: ["t"])
        let deadline = ContinuousClock.now + .milliseconds(1500)
        while ContinuousClock.now < deadline {
            let routes = await client.routes(topic: "t", partitions: [0, 1])
            #expect(routes == [0: .bootstrap, 1: .bootstrap], "no leader known: the bootstrap answers")
            try await Task.sleep(for: .milliseconds(10))
        }
        let refreshes = broker.requestKeys.filter { $0 == .metadata }.count - 1
        #expect(refreshes >= 2 && refreshes <= 8, "\(refreshes) refreshes in 1.5 s")
        await client.shutdown()
        await broker.stop()
    }

    /// acks=0 gets no answer; the records still arrive (the fetch after it on the same
    /// connection is processed after it).
    @Test func acksZeroProduce() async throws {
        let broker = try await FakeKafkaBroker.start()
        let client = client(port: broker.port)
        var builder = RecordBatchBuilder()
        builder.append(timestamp: 1_700_000_000_000, key: Array("k".utf8), value: Array("fire and forget".utf8))
        let result = try await client.produce(topic: "t", partition: 1, batch: try builder.build(), acks: 0)
        #expect(result == .unacknowledged)
        let fetched = try await client.fetch(topic: "t", partition: 1, offset: 0)
        let records = try fetched.batches().flatMap { try $0.records() }
        #expect(records.map { $0.value.map { String(buffer: $0) } } == ["fire and forget"])
        #expect(fetched.highWatermark == 1)
        await client.shutdown()
        await broker.stop()
    }

    @Test func brokerErrorsComeBackAsCodes() async throws {
        let broker = try await FakeKafkaBroker.start()
        let client = client(port: broker.port)
        var builder = RecordBatchBuilder()
        builder.append(timestamp: 1, key: nil, value: [1])
        let produced = try await client.produce(topic: "t", partition: 99, batch: try builder.build())
        #expect(produced.errorCode == .unknownTopicOrPartition)
        #expect(produced.baseOffset == nil)
        let fetched = try await client.fetch(topic: "t", partition: 0, offset: 10)
        #expect(fetched.errorCode == .offsetOutOfRange)
        await client.shutdown()
        await broker.stop()
    }

    /// The broker drops the connection while a fetch is in flight: the fetch fails with a
    /// transport error, and the next call opens a new connection (with a new handshake).
    @Test func reconnectsAfterTheBrokerDropsTheConnection() async throws {
        var behaviour = FakeKafkaBroker.Behaviour()
        behaviour.silentApis = [.fetch]
        let broker = try await FakeKafkaBroker.start(behaviour: behaviour)
        let client = client(port: broker.port)
        _ = try await client.metadata(topics: ["t"])
        let hanging = Task { try await client.fetch(topic: "t", partition: 0, offset: 0, maxWait: .milliseconds(10)) }
        try await waitUntil { broker.requestKeys.contains(.fetch) }
        await broker.dropConnections()
        let error = await #expect(throws: KafkaClientError.self) { try await hanging.value }
        guard case .connectionClosed = error else {
            Issue.record("expected connectionClosed, got \(String(describing: error))")
            return
        }
        let metadata = try await client.metadata(topics: ["t"])
        #expect(metadata.topics.map(\.name) == ["t"])
        #expect(broker.connectionsAccepted == 2)
        #expect(broker.apiVersionsRequestVersions == [2, 2])
        await client.shutdown()
        await broker.stop()
    }

    /// Nothing listens at first: the client keeps retrying with backoff until a broker comes
    /// up on the port, then carries on.
    @Test func reconnectsWithBackoffUntilTheBrokerIsUp() async throws {
        // Below the ephemeral range: the retrying client cannot take it as its own source port.
        let port = try FreePort.redialable()
        let client = client(port: port, maxConnectAttempts: nil)
        let waiting = Task { try await client.metadata(topics: ["late"]) }
        try await Task.sleep(for: .milliseconds(300))
        let broker = try await FakeKafkaBroker.start(port: port)
        let metadata = try await waiting.value
        #expect(metadata.topics.map(\.name) == ["late"])
        #expect(broker.connectionsAccepted == 1)

        // The broker restarts on the same port: once the client has seen the old connection
        // close, the next call reconnects. (A call racing the close fails with a transport
        // error, like any request on a dying connection.)
        let old = try await client.connection()
        await broker.stop()
        try await old.closeFuture.get()
        let restarted = try await FakeKafkaBroker.start(port: port)
        let again = try await client.metadata(topics: ["again"])
        #expect(again.topics.map(\.name) == ["again"])
        #expect(restarted.connectionsAccepted == 1)
        await client.shutdown()
        await restarted.stop()
    }

    @Test func givesUpAfterMaxConnectAttempts() async throws {
        let port = try FreePort.redialable()
        let client = client(port: port, maxConnectAttempts: 3)
        let started = ContinuousClock.now
        let error = await #expect(throws: KafkaClientError.self) { try await client.metadata(topics: nil) }
        guard case .connectFailed(_, let errorPort, _) = error else {
            Issue.record("expected connectFailed, got \(String(describing: error))")
            return
        }
        #expect(errorPort == port)
        // Two backoffs between three attempts: at least 0.8 × (20 + 40) ms.
        #expect(ContinuousClock.now - started >= .milliseconds(48))
        await client.shutdown()
        await #expect(throws: KafkaClientError.shutDown) { try await client.metadata(topics: nil) }
    }

    /// Nothing listens and no attempt limit: cancelling the waiting call ends the backoff loop.
    @Test func cancellingAWaitingCallStopsReconnecting() async throws {
        let client = client(port: try FreePort.redialable(), maxConnectAttempts: nil)
        let waiting = Task { try await client.metadata(topics: nil) }
        try await Task.sleep(for: .milliseconds(100))
        waiting.cancel()
        await #expect(throws: KafkaClientError.cancelled) { try await waiting.value }
        await client.shutdown()
    }

    @Test func bootstrapAddresses() throws {
        let v4 = try KafkaClient.Configuration(bootstrap: "127.0.0.1:9092")
        #expect(v4.host == "127.0.0.1")
        #expect(v4.port == 9092)
        let v6 = try KafkaClient.Configuration(bootstrap: "[::1]:19092")
        #expect(v6.host == "::1")
        #expect(v6.port == 19092)
        let named = try KafkaClient.Configuration(bootstrap: "broker.internal:9092")
        #expect(named.host == "broker.internal")
        for bad in ["broker", "broker:", ":9092", "broker:0", "broker:70000", "broker:x"] {
            #expect(throws: KafkaClientError.invalidBootstrap(bad)) { try KafkaClient.Configuration(bootstrap: bad) }
        }
    }

    private func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<200 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("condition never became true")
    }
}

/// A broker-agnostic exercise of every client call: metadata (auto-creating the topic), an
/// idempotent producer with three batches in flight on one connection, fetch, list offsets by
/// special and real timestamps, commit and fetch a group offset.
enum BrokerScenario {
    static let partition: Int32 = 0

    static func roundTrip(_ client: KafkaClient, topic: String) async throws {
        // A real Kafka may answer LEADER_NOT_AVAILABLE while it auto-creates the topic.
        var partitionCount = 0
        for _ in 0..<40 {
            let metadata = try await client.metadata(topics: [topic])
            if let entry = metadata.topics.first(where: { $0.name == topic }), entry.errorCode == .none,
                !entry.partitions.isEmpty
            {
                partitionCount = entry.partitions.count
                break
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        try #require(partitionCount > 0)

        let start = try await client.listOffsets(
            topic: topic,
            partition: partition,
            timestamp: ListOffsetsRequest.latestTimestamp
        ).offset
        let identity = try await client.initProducerId()
        #expect(identity.producerID >= 0)
        var state = IdempotentProducerState(producer: identity)
        let target = TopicPartition(topic: topic, partition: partition)

        // Three batches of four records, all in flight before the first answer is awaited.
        let baseTime: Int64 = 1_700_000_000_000
        var sent: [(IdempotentProducerState.Batch, EventLoopFuture<ProduceResult>)] = []
        var expected: [(key: String, value: String, timestamp: Int64)] = []
        for batchIndex in 0..<3 {
            let next = state.nextBatch(for: target, recordCount: 4)
            let batch = try #require(next)
            var builder = RecordBatchBuilder(
                producerID: identity.producerID,
                producerEpoch: identity.epoch,
                baseSequence: batch.baseSequence
            )
            for recordIndex in 0..<4 {
                let record = (
                    key: "site-\(recordIndex % 2)",
                    value: "line \(batchIndex)-\(recordIndex)",
                    timestamp: baseTime + Int64(batchIndex * 4 + recordIndex)
                )
                builder.append(
                    timestamp: record.timestamp,
                    key: Array(record.key.utf8),
                    value: Array(record.value.utf8)
                )
                expected.append(record)
            }
            let future = try await client.enqueueProduce(topic: topic, partition: partition, batch: try builder.build())
            sent.append((batch, future))
        }
        var offsets: [Int64] = []
        for (batch, future) in sent {
            let result = try await future.get()
            #expect(result.errorCode == .none)
            let baseOffset = try #require(result.baseOffset)
            #expect(state.handle(result, for: batch) == [.acknowledged(batch, baseOffset: baseOffset)])
            offsets.append(baseOffset)
        }
        #expect(offsets == [start, start + 4, start + 8])
        #expect(state.firstUnacknowledgedSequence(for: target) == 12)

        // Fetch everything back (a broker may hand it out in several responses).
        var records: [Record] = []
        var batchHeaders: [RecordBatchHeader] = []
        var highWatermark: Int64 = -1
        var next = start
        for _ in 0..<20 where next < start + 12 {
            let fetched = try await client.fetch(
                topic: topic,
                partition: partition,
                offset: next,
                maxWait: .milliseconds(200)
            )
            #expect(fetched.errorCode == .none)
            highWatermark = fetched.highWatermark
            for batch in try fetched.batches() where batch.header.nextOffset > next {
                batchHeaders.append(batch.header)
                records += try batch.records().filter { $0.offset >= next }
                next = batch.header.nextOffset
            }
        }
        #expect(highWatermark == start + 12)
        #expect(records.map(\.offset) == Array(start..<start + 12))
        #expect(records.map { $0.key.map { String(buffer: $0) } } == expected.map(\.key))
        #expect(records.map { $0.value.map { String(buffer: $0) } } == expected.map(\.value))
        #expect(records.map(\.timestamp) == expected.map(\.timestamp))
        #expect(batchHeaders.map(\.producerID) == [identity.producerID, identity.producerID, identity.producerID])
        #expect(batchHeaders.map(\.baseSequence) == [0, 4, 8])

        let latest = try await client.listOffsets(
            topic: topic,
            partition: partition,
            timestamp: ListOffsetsRequest.latestTimestamp
        )
        #expect(latest.offset == start + 12)
        let earliest = try await client.listOffsets(
            topic: topic,
            partition: partition,
            timestamp: ListOffsetsRequest.earliestTimestamp
        )
        #expect(earliest.offset <= start)
        let byTime = try await client.listOffsets(topic: topic, partition: partition, timestamp: baseTime + 4)
        #expect(byTime.offset == start + 4)
        let future = try await client.listOffsets(topic: topic, partition: partition, timestamp: baseTime + 1_000_000)
        #expect(future.offset == -1)

        // Group offsets, outside group membership (a real Kafka may still be loading the group).
        let group = "group-\(topic)"
        let before = try await retryingCoordinatorLoad {
            try await client.fetchCommittedOffset(group: group, topic: topic, partition: partition)
        }
        #expect(before == nil)
        try await retryingCoordinatorLoad {
            try await client.commitOffset(group: group, topic: topic, partition: partition, offset: start + 12)
        }
        #expect(try await client.fetchCommittedOffset(group: group, topic: topic, partition: partition) == start + 12)
    }

    /// COORDINATOR_LOAD_IN_PROGRESS (14) and COORDINATOR_NOT_AVAILABLE (15) are transient.
    private static func retryingCoordinatorLoad<T>(_ body: () async throws -> T) async throws -> T {
        for _ in 0..<40 {
            do {
                return try await body()
            } catch let error as KafkaClientError {
                guard case .broker(_, let code) = error, code.rawValue == 14 || code.rawValue == 15 else { throw error }
                try await Task.sleep(for: .milliseconds(250))
            }
        }
        return try await body()
    }
}
