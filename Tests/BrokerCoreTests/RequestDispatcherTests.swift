import BrokerCore
import KafkaProtocol
import NIOCore
import NIOEmbedded
import SegmentStore
import Testing

/// Each API's answers, driven through ``RequestDispatcher`` directly (no channel).
struct RequestDispatcherTests {
    let loop = EmbeddedEventLoop()

    /// Encodes `request`, dispatches it, and decodes the answer.
    func roundTrip<Request: KafkaRequestMessage>(
        _ request: Request,
        version: Int16,
        on broker: TestNode
    ) throws -> Request.Response {
        var frame = try TestRequests.frame(request, version: version, correlationID: 42)
        frame.moveReaderIndex(forwardBy: 4)
        let outcome = try broker.dispatcher.dispatch(try KafkaRequest(frame: frame), on: loop).wait()
        let response: ByteBuffer
        switch outcome {
        case .response(let frame): response = frame
        // Produce with fsync=ack: answered once durable, which the inline executor already did.
        case .held(let answer): response = try answer.wait()
        case .noResponse: throw TestFailure("no response: \(outcome)")
        case .close(let reason): throw TestFailure("closed: \(reason)")
        }
        let (correlationID, body) = try TestRequests.decode(Request.Response.self, version: version, frame: response)
        #expect(correlationID == 42)
        return body
    }

    func produce(_ values: [String], topic: String = "t", partition: Int32 = 0, on broker: TestNode) throws
        -> ProduceResponse.Partition
    {
        let response = try roundTrip(
            TestRequests.produce(topic: topic, partition: partition, records: TestRequests.batch(values)),
            version: 7,
            on: broker
        )
        return try #require(response.topics.first?.partitions.first)
    }

    func produce(records: ByteBuffer, on broker: TestNode) throws -> ProduceResponse.Partition {
        let response = try roundTrip(TestRequests.produce(topic: "t", records: records), version: 7, on: broker)
        return try #require(response.topics.first?.partitions.first)
    }

    // MARK: - Produce

    @Test func produceAssignsConsecutiveOffsetsAndAutoCreatesTheTopic() throws {
        let broker = try TestNode { $0.defaultPartitions = 3 }
        let first = try produce(["a", "b"], partition: 2, on: broker)
        let second = try produce(["c"], partition: 2, on: broker)
        #expect(first.errorCode == KafkaErrorCode.none)
        #expect(first.baseOffset == 0)
        #expect(second.baseOffset == 2)
        #expect(second.logStartOffset == 0)
        #expect(broker.node.catalog.partitions(of: "t")?.count == 3)
        #expect(try broker.metrics.expectCounter("edgelog_broker_produce_records_total").totalValue == 3)
    }

    @Test func batchWithBadCRCIsRejectedAndNothingIsStored() throws {
        let broker = try TestNode()
        _ = try produce(["good"], on: broker)
        var batch = try TestRequests.batch(["bad"])
        let last = batch.writerIndex - 1
        batch.setInteger(batch.getInteger(at: last, as: UInt8.self)! ^ 0xff, at: last)  // flip the last value byte
        let response = try roundTrip(TestRequests.produce(topic: "t", records: batch), version: 3, on: broker)
        #expect(response.topics.first?.partitions.first?.errorCode == KafkaErrorCode.corruptMessage)
        #expect(broker.node.catalog.partition("t", 0)?.log.logEndOffset == 1)
        #expect(
            try broker.metrics.expectCounter("edgelog_broker_errors_total", [("code", "CORRUPT_MESSAGE")]).totalValue
                == 1
        )
    }

    /// A batch above `max-batch-bytes` is refused as too large (the client must split it), not
    /// as corrupt, and nothing is stored.
    @Test func batchAboveTheLimitIsMessageTooLarge() throws {
        let broker = try TestNode { $0.maxBatchBytes = 4096 }
        _ = try produce(["small"], on: broker)
        let big = try produce((0..<100).map { "value \($0) " + String(repeating: "x", count: 60) }, on: broker)
        #expect(big.errorCode == KafkaErrorCode.messageTooLarge)
        #expect(broker.node.catalog.partition("t", 0)?.log.logEndOffset == 1)
    }

    /// Several batches for one partition, one of them over the limit: none is stored, whether
    /// the log appends them together or (idempotent) one at a time.
    @Test(arguments: [false, true])
    func aRequestWithOneBatchAboveTheLimitStoresNone(idempotent: Bool) throws {
        let broker = try TestNode { $0.maxBatchBytes = 4096 }
        let big = (0..<100).map { "value \($0) " + String(repeating: "x", count: 60) }
        var records =
            idempotent ? try TestRequests.batch(["small"], producerID: 5, baseSequence: 0) : try TestRequests.batch(["small"])
        records.writeImmutableBuffer(
            idempotent ? try TestRequests.batch(big, producerID: 5, baseSequence: 1) : try TestRequests.batch(big))
        let response = try roundTrip(TestRequests.produce(topic: "t", records: records), version: 7, on: broker)
        #expect(response.topics.first?.partitions.first?.errorCode == KafkaErrorCode.messageTooLarge)
        #expect(broker.node.catalog.partition("t", 0)?.log.logEndOffset == 0)
        let again =
            idempotent ? try TestRequests.batch(["small"], producerID: 5, baseSequence: 0) : try TestRequests.batch(["small"])
        #expect(try produce(records: again, on: broker).baseOffset == 0)
    }

    @Test func produceToAMissingPartitionIsUnknown() throws {
        let broker = try TestNode()
        let answer = try produce(["x"], partition: 5, on: broker)
        #expect(answer.errorCode == KafkaErrorCode.unknownTopicOrPartition)
    }

    @Test func invalidAcksAreRefused() throws {
        let broker = try TestNode()
        let response = try roundTrip(
            TestRequests.produce(topic: "t", records: TestRequests.batch(["x"]), acks: 2),
            version: 3,
            on: broker
        )
        #expect(response.topics.first?.partitions.first?.errorCode == KafkaErrorCode(rawValue: 21))
        #expect(broker.node.catalog.partitions(of: "t") == nil)
    }

    // MARK: - Fetch and ListOffsets

    @Test func fetchOutsideTheLogIsOffsetOutOfRange() throws {
        let broker = try TestNode()
        _ = try produce(["a", "b"], on: broker)
        for offset in [Int64(-1), 3] {
            let response = try roundTrip(
                TestRequests.fetch(topic: "t", offset: offset, maxWaitMs: 1000),
                version: 5,
                on: broker
            )
            let partition = try #require(response.topics.first?.partitions.first)
            #expect(partition.errorCode == KafkaErrorCode.offsetOutOfRange)
            #expect(partition.highWatermark == 2)
        }
        let unknown = try roundTrip(
            TestRequests.fetch(topic: "nope", offset: 0, maxWaitMs: 1000),
            version: 4,
            on: broker
        )
        #expect(unknown.topics.first?.partitions.first?.errorCode == KafkaErrorCode.unknownTopicOrPartition)
    }

    /// Fetch v7–v11 without sessions: a full fetch (epoch 0 opens a session, -1 wants none) is
    /// served with session id 0 whatever session id it names, and its current_leader_epoch is not
    /// checked (we give out none); forgotten topics change nothing.
    @Test(arguments: [(Int32(0), Int32(0)), (0, -1), (1234, 0), (1234, -1)])
    func fullFetchesAreServedWithoutASession(sessionID: Int32, epoch: Int32) throws {
        let broker = try TestNode()
        _ = try produce(["a", "b"], on: broker)
        var request = TestRequests.fetch(topic: "t", offset: 0)
        request.sessionID = sessionID
        request.sessionEpoch = epoch
        request.topics[0].partitions[0].currentLeaderEpoch = 5
        request.forgottenTopics = [.init(name: "t", partitions: [0])]
        request.rackID = "rack-a"
        for version: Int16 in 7...11 {
            let response = try roundTrip(request, version: version, on: broker)
            #expect(response.errorCode == KafkaErrorCode.none, "v\(version)")
            #expect(response.sessionID == FetchRequest.noSessionID, "v\(version)")
            let partition = try #require(response.topics.first?.partitions.first)
            #expect(partition.errorCode == KafkaErrorCode.none)
            #expect(partition.highWatermark == 2)
            #expect(partition.preferredReadReplica == -1)
            #expect((partition.records?.readableBytes ?? 0) > 0, "v\(version): the batch is served")
        }
    }

    /// An incremental fetch (epoch ∉ {0, -1}) names a session this broker never created (it
    /// creates none), so it is answered FETCH_SESSION_ID_NOT_FOUND with no topics, as Kafka's
    /// FetchManager does for a session id missing from its cache.
    @Test(arguments: [(Int32(0), Int32(1)), (1234, 1), (1234, 7), (1, -2)])
    func incrementalFetchesFindNoSession(sessionID: Int32, epoch: Int32) throws {
        let broker = try TestNode()
        _ = try produce(["a"], on: broker)
        var request = TestRequests.fetch(topic: "t", offset: 0, maxWaitMs: 1000)
        request.sessionID = sessionID
        request.sessionEpoch = epoch
        let response = try roundTrip(request, version: 11, on: broker)
        #expect(response.errorCode == KafkaErrorCode.fetchSessionIDNotFound)
        #expect(response.sessionID == FetchRequest.noSessionID)
        #expect(response.topics.isEmpty)
    }

    @Test func listOffsetsAnswersEarliestLatestAndByTime() throws {
        let broker = try TestNode()
        let base: Int64 = 1_700_000_000_000
        _ = try roundTrip(
            TestRequests.produce(topic: "t", records: TestRequests.batch(["a", "b"], timestamp: base)),
            version: 3,
            on: broker
        )
        _ = try roundTrip(
            TestRequests.produce(topic: "t", records: TestRequests.batch(["c"], timestamp: base + 1000)),
            version: 3,
            on: broker
        )
        let request = ListOffsetsRequest(topics: [
            .init(name: "t", partitions: [.init(partitionIndex: 0, timestamp: ListOffsetsRequest.earliestTimestamp)]),
            .init(name: "t", partitions: [.init(partitionIndex: 0, timestamp: ListOffsetsRequest.latestTimestamp)]),
            .init(name: "t", partitions: [.init(partitionIndex: 0, timestamp: base + 500)]),
            .init(name: "t", partitions: [.init(partitionIndex: 0, timestamp: base + 5000)]),
            .init(name: "t", partitions: [.init(partitionIndex: 7, timestamp: -1)]),
        ])
        let response = try roundTrip(request, version: 1, on: broker)
        let answers = response.topics.compactMap { $0.partitions.first }
        #expect(answers.map(\.offset) == [0, 3, 2, -1, -1])
        #expect(answers.last?.errorCode == KafkaErrorCode.unknownTopicOrPartition)
    }

    /// By timestamp the answer is the first record, not the first batch: inside an LZ4 batch of
    /// four records 10 ms apart, and in a plain batch whose timestamps go backwards.
    @Test func listOffsetsByTimeAnswersAtRecordGranularity() throws {
        let broker = try TestNode()
        let base: Int64 = 1_700_000_000_000
        func batch(_ timestamps: [Int64], compressed: Bool) throws -> ByteBuffer {
            var builder = RecordBatchBuilder()
            for timestamp in timestamps { builder.append(timestamp: timestamp, key: nil, value: Array("r\(timestamp)".utf8)) }
            return try builder.build(compression: compressed ? .lz4 : .none, codec: try LZ4RecordsCodec())
        }
        #expect(try produce(records: try batch([base, base + 10, base + 20, base + 30], compressed: true), on: broker).errorCode == .none)
        #expect(try produce(records: try batch([base + 100, base + 90], compressed: false), on: broker).errorCode == .none)
        let targets: [Int64] = [base - 5, base + 15, base + 30, base + 95, base + 100, base + 101]
        let response = try roundTrip(
            ListOffsetsRequest(topics: targets.map { .init(name: "t", partitions: [.init(partitionIndex: 0, timestamp: $0)]) }),
            version: 1, on: broker)
        let answers = response.topics.compactMap { $0.partitions.first }
        #expect(answers.map(\.offset) == [0, 2, 3, 4, 4, -1])
        #expect(answers.map(\.timestamp) == [base, base + 20, base + 30, base + 100, base + 100, -1])

        // A batch whose header claims a later max timestamp than its records have: the lookup
        // goes on to the next batch instead of answering "none".
        var lying = try batch([base + 200], compressed: false)
        lying.setInteger(base + 10_000, at: lying.readerIndex + 35)
        let crc = lying.withUnsafeReadableBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[21...])) }
        lying.setInteger(crc, at: lying.readerIndex + 17)
        #expect(try produce(records: lying, on: broker).errorCode == .none)
        #expect(try produce(records: try batch([base + 300, base + 400], compressed: true), on: broker).errorCode == .none)
        let later = try roundTrip(
            ListOffsetsRequest(topics: [.init(name: "t", partitions: [.init(partitionIndex: 0, timestamp: base + 350)])]),
            version: 1, on: broker)
        #expect(later.topics.first?.partitions.first?.offset == 8)
        #expect(later.topics.first?.partitions.first?.timestamp == base + 400)
    }

    /// ListOffsets -3 (KIP-734, librdkafka's `OffsetSpec.max_timestamp()`): the first record with
    /// the largest timestamp, found inside compressed batches, the first of equal maxima; it used
    /// to be read as "at or after -3" and answered the log start.
    @Test(arguments: [Int16(1), 2])
    func listOffsetsMaxTimestampAnswersTheRecordWithTheLargestTimestamp(version: Int16) throws {
        let broker = try TestNode { $0.defaultPartitions = 2 }
        let base: Int64 = 1_700_000_000_000
        func batch(_ timestamps: [Int64], compressed: Bool) throws -> ByteBuffer {
            var builder = RecordBatchBuilder()
            for timestamp in timestamps { builder.append(timestamp: timestamp, key: nil, value: Array("r\(timestamp)".utf8)) }
            return try builder.build(compression: compressed ? .lz4 : .none, codec: try LZ4RecordsCodec())
        }
        func maxTimestamp(partition: Int32 = 0) throws -> ListOffsetsResponse.Partition? {
            let response = try roundTrip(
                ListOffsetsRequest(topics: [
                    .init(name: "t", partitions: [.init(partitionIndex: partition, timestamp: ListOffsetsRequest.maxTimestamp)])
                ]),
                version: version, on: broker)
            return response.topics.first?.partitions.first
        }
        #expect(try produce(records: try batch([base, base + 50, base + 20], compressed: true), on: broker).errorCode == .none)
        #expect(try produce(records: try batch([base + 10], compressed: false), on: broker).errorCode == .none)
        #expect(try produce(records: try batch([base + 50, base + 5], compressed: false), on: broker).errorCode == .none)
        let first = try #require(try maxTimestamp())
        #expect(first.errorCode == KafkaErrorCode.none)
        #expect(first.offset == 1)
        #expect(first.timestamp == base + 50)

        #expect(try produce(records: try batch([base + 100, base + 70], compressed: true), on: broker).errorCode == .none)
        let later = try #require(try maxTimestamp())
        #expect(later.offset == 6)
        #expect(later.timestamp == base + 100)

        let empty = try #require(try maxTimestamp(partition: 1))
        #expect(empty.errorCode == KafkaErrorCode.none)
        #expect(empty.offset == -1)
        #expect(empty.timestamp == -1)
    }

    // MARK: - Metadata

    @Test func metadataAdvertisesOurselvesAndTheClusterID() throws {
        let broker = try TestNode {
            $0.advertisedHost = "broker.example"
            $0.defaultPartitions = 2
        }
        broker.node.listenerBound(port: 19_999)
        let response = try roundTrip(MetadataRequest(topics: ["logs"]), version: 4, on: broker)
        #expect(response.brokers == [MetadataResponse.Broker(nodeID: 0, host: "broker.example", port: 19_999)])
        #expect(response.clusterID == broker.node.clusterID)
        #expect(response.topics.map(\.name) == ["logs"])
        #expect(response.topics.first?.partitions.map(\.partitionIndex) == [0, 1])
        let all = try roundTrip(MetadataRequest(topics: nil), version: 4, on: broker)
        #expect(all.topics.map(\.name) == ["logs"])
    }

    /// kafka-python's probe right after ApiVersions: Metadata v0 with an empty topic array,
    /// which means every topic. Refused (the connection closed), it made kafka-python discard
    /// the ApiVersions answer now and then and take the broker for Kafka 0.9.
    @Test func metadataVersion0ListsEveryTopic() throws {
        let broker = try TestNode { $0.defaultPartitions = 2 }
        broker.node.listenerBound(port: 19_998)
        _ = try roundTrip(MetadataRequest(topics: ["logs"]), version: 4, on: broker)
        let all = try roundTrip(MetadataRequest(topics: nil), version: 0, on: broker)
        #expect(all.brokers.map(\.port) == [19_998])
        #expect(all.topics.map(\.name) == ["logs"])
        #expect(all.topics.first?.partitions.map(\.partitionIndex) == [0, 1])
    }

    @Test func metadataDoesNotCreateWhenDisallowed() throws {
        let off = try TestNode { $0.autoCreateTopics = false }
        let refused = try roundTrip(MetadataRequest(topics: ["x"]), version: 4, on: off)
        #expect(refused.topics.first?.errorCode == KafkaErrorCode.unknownTopicOrPartition)
        let on = try TestNode()
        let consumerStyle = try roundTrip(
            MetadataRequest(topics: ["x"], allowAutoTopicCreation: false),
            version: 4,
            on: on
        )
        #expect(consumerStyle.topics.first?.errorCode == KafkaErrorCode.unknownTopicOrPartition)
        #expect(on.node.catalog.partitions(of: "x") == nil)
    }

    @Test func topicLimitsAndIllegalNamesAreAnsweredWithErrors() throws {
        let broker = try TestNode {
            $0.maxTopics = 1
            $0.maxPartitions = 4
            $0.defaultPartitions = 3
        }
        let response = try roundTrip(MetadataRequest(topics: ["first", "second", "../etc"]), version: 4, on: broker)
        #expect(response.topics.map(\.errorCode) == [.none, .unknownTopicOrPartition, KafkaErrorCode(rawValue: 17)])
        #expect(broker.node.catalog.topics.map(\.name) == ["first"])
    }

    // MARK: - Coordinator, offsets, producer ids

    @Test func findCoordinatorAnswersWithItself() throws {
        let broker = try TestNode()
        broker.node.listenerBound(port: 12_345)
        let response = try roundTrip(FindCoordinatorRequest(key: "g"), version: 0, on: broker)
        #expect(response.errorCode == KafkaErrorCode.none)
        #expect(response.host == "127.0.0.1")
        #expect(response.port == 12_345)
        #expect(response.nodeID == 0)
    }

    /// A transactional producer's coordinator lookup is refused with a code clients treat as
    /// fatal: with COORDINATOR_NOT_AVAILABLE, librdkafka, kafka-python and aiokafka retried
    /// until `init_transactions()` timed out.
    @Test(arguments: [Int16(1), 2])
    func findCoordinatorRefusesTransactionCoordinatorsFatally(version: Int16) throws {
        let broker = try TestNode()
        broker.node.listenerBound(port: 12_345)
        let response = try roundTrip(FindCoordinatorRequest(key: "tx-1", keyType: 1), version: version, on: broker)
        #expect(response.errorCode == KafkaErrorCode.transactionalIDAuthorizationFailed)
        #expect(response.errorMessage?.contains("transactions") == true)
        #expect(response.nodeID == -1)
        let group = try roundTrip(FindCoordinatorRequest(key: "g", keyType: 0), version: version, on: broker)
        #expect(group.errorCode == KafkaErrorCode.none)
        #expect(group.port == 12_345)
    }

    @Test func committedOffsetsReadBackAndUnknownOnesAreMinusOne() throws {
        let broker = try TestNode { $0.defaultPartitions = 2 }
        _ = try produce(["a"], on: broker)
        let commit = OffsetCommitRequest(
            groupID: "g",
            topics: [
                .init(name: "t", partitions: [.init(partitionIndex: 0, committedOffset: 1, committedMetadata: "m")]),
                .init(name: "missing", partitions: [.init(partitionIndex: 0, committedOffset: 9)]),
            ]
        )
        let committed = try roundTrip(commit, version: 2, on: broker)
        #expect(
            committed.topics.map { $0.partitions.first?.errorCode } == [KafkaErrorCode.none, .unknownTopicOrPartition]
        )
        let fetched = try roundTrip(
            OffsetFetchRequest(groupID: "g", topics: [.init(name: "t", partitionIndexes: [0, 1])]),
            version: 1,
            on: broker
        )
        let partitions = try #require(fetched.topics.first?.partitions)
        #expect(partitions.map(\.committedOffset) == [1, -1])
        #expect(partitions.map(\.metadata) == ["m", ""])
        let all = try roundTrip(OffsetFetchRequest(groupID: "g", topics: nil), version: 2, on: broker)
        #expect(all.topics.map(\.name) == ["t"])
    }

    @Test func commitsFromAGenerationAreRefused() throws {
        let broker = try TestNode()
        _ = try produce(["a"], on: broker)
        let commit = OffsetCommitRequest(
            groupID: "g",
            generationID: 3,
            memberID: "m",
            topics: [
                .init(name: "t", partitions: [.init(partitionIndex: 0, committedOffset: 1)])
            ]
        )
        let response = try roundTrip(commit, version: 2, on: broker)
        #expect(response.topics.first?.partitions.first?.errorCode == KafkaErrorCode.illegalGeneration)
        #expect(broker.node.committedOffsets.committed(group: "g", topic: "t", partition: 0) == nil)
    }

    @Test func initProducerIdHandsOutDistinctIds() throws {
        let broker = try TestNode()
        let first = try roundTrip(InitProducerIdRequest(transactionTimeoutMs: 1000), version: 0, on: broker)
        let second = try roundTrip(InitProducerIdRequest(transactionTimeoutMs: 1000), version: 1, on: broker)
        #expect(first.errorCode == KafkaErrorCode.none)
        #expect(first.producerID != second.producerID)
        #expect(first.producerEpoch == 0)
    }
}
