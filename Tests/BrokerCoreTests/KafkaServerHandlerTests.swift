import BrokerCore
import Foundation
import KafkaProtocol
import NIOCore
import NIOEmbedded
import Testing

/// The connection handler on an `EmbeddedChannel`: frames in, frames out, no sockets; storage on
/// an in-memory file system, run inline.
struct KafkaServerHandlerTests {
    let broker: TestNode
    let channel: EmbeddedChannel

    init() throws {
        broker = try TestNode()
        channel = try Self.makeChannel(broker)
    }

    static func makeChannel(_ broker: TestNode, maxFrameBytes: Int = 1 << 20) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(KafkaFrameDecoder(maxFrameBytes: maxFrameBytes))
        )
        try channel.pipeline.syncOperations.addHandler(
            KafkaServerHandler(dispatcher: broker.dispatcher, maxInFlight: 8)
        )
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000)).wait()
        return channel
    }

    /// Sends `frames` in one write, as a pipelining client would.
    func send(_ frames: ByteBuffer...) throws {
        var combined = ByteBuffer()
        for var frame in frames { combined.writeBuffer(&frame) }
        try channel.writeInbound(combined)
    }

    /// Runs what the loop has queued (wake-ups hop over with `execute`), then takes every
    /// response written so far.
    func responses() throws -> [ByteBuffer] {
        channel.embeddedEventLoop.run()
        var frames: [ByteBuffer] = []
        while let frame = try channel.readOutbound(as: ByteBuffer.self) { frames.append(frame) }
        return frames
    }

    /// Creates topic `t` with one record "seed" at offset 0.
    func seedTopic() throws {
        try send(
            TestRequests.frame(
                TestRequests.produce(topic: "t", records: TestRequests.batch(["seed"])),
                version: 7,
                correlationID: 100
            )
        )
        let answer = try #require(try responses().first)
        let (_, produced) = try TestRequests.decode(ProduceResponse.self, version: 7, frame: answer)
        #expect(produced.topics.first?.partitions.first?.errorCode == KafkaErrorCode.none)
    }

    // MARK: - Ordering

    @Test func responsesKeepRequestOrderBehindAHeldFetch() throws {
        try seedTopic()
        // A Fetch at the log end waits; the Metadata behind it runs at once but must not overtake
        // it; the Produce behind that appends and wakes the Fetch.
        try send(
            TestRequests.frame(
                TestRequests.fetch(topic: "t", offset: 1, maxWaitMs: 10_000),
                version: 4,
                correlationID: 1
            ),
            TestRequests.frame(MetadataRequest(topics: ["t"]), version: 4, correlationID: 2),
            TestRequests.frame(
                TestRequests.produce(topic: "t", records: TestRequests.batch(["late"])),
                version: 3,
                correlationID: 3
            )
        )
        let frames = try responses()
        #expect(frames.compactMap(TestRequests.correlationID) == [1, 2, 3])
        let fetched = try TestRequests.decode(FetchResponse.self, version: 4, frame: frames[0]).body
        let partition = try #require(fetched.topics.first?.partitions.first)
        #expect(try TestRequests.values(in: partition.records) == ["late"])
        #expect(partition.highWatermark == 2)
        #expect(partition.lastStableOffset == 2)
    }

    @Test func heldFetchAnswersEmptyAfterMaxWaitAndReleasesTheQueue() throws {
        try seedTopic()
        try send(
            TestRequests.frame(TestRequests.fetch(topic: "t", offset: 1, maxWaitMs: 500), version: 5, correlationID: 1),
            TestRequests.frame(MetadataRequest(topics: ["t"]), version: 4, correlationID: 2)
        )
        #expect(try responses().isEmpty)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(499))
        #expect(try responses().isEmpty)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        let frames = try responses()
        #expect(frames.compactMap(TestRequests.correlationID) == [1, 2])
        let fetched = try TestRequests.decode(FetchResponse.self, version: 5, frame: frames[0]).body
        let partition = try #require(fetched.topics.first?.partitions.first)
        #expect(partition.errorCode == KafkaErrorCode.none)
        #expect(partition.records?.readableBytes == 0)
        #expect(partition.highWatermark == 1)
        #expect(partition.logStartOffset == 0)
    }

    @Test func fetchWithDataAnswersAtOnceWithWholeBatches() throws {
        try seedTopic()
        try send(
            TestRequests.frame(
                TestRequests.produce(topic: "t", records: TestRequests.batch(["a", "b", "c"])),
                version: 3,
                correlationID: 1
            )
        )
        _ = try responses()
        // Offset 2 lies inside the second batch (offsets 1...3): the whole batch comes back.
        try send(
            TestRequests.frame(
                TestRequests.fetch(topic: "t", offset: 2, maxWaitMs: 10_000),
                version: 4,
                correlationID: 2
            )
        )
        let frame = try #require(try responses().first)
        let partition = try #require(
            try TestRequests.decode(FetchResponse.self, version: 4, frame: frame).body.topics.first?.partitions.first
        )
        #expect(try TestRequests.values(in: partition.records) == ["a", "b", "c"])
        let records = try #require(partition.records)
        let batch = try #require(try RecordBatch.split(records).first)
        #expect(batch.header.baseOffset == 1)
    }

    @Test func acksZeroProduceIsStoredButNeverAnswered() throws {
        try seedTopic()
        try send(
            TestRequests.frame(
                TestRequests.produce(topic: "t", records: TestRequests.batch(["quiet"]), acks: 0),
                version: 3,
                correlationID: 1
            ),
            TestRequests.frame(MetadataRequest(topics: ["t"]), version: 4, correlationID: 2)
        )
        let frames = try responses()
        #expect(frames.compactMap(TestRequests.correlationID) == [2])
        #expect(broker.node.catalog.partition("t", 0)?.log.logEndOffset == 2)
    }

    /// A producer with acks=0 learns of a failure only by its connection closing (as with
    /// Kafka): the answers before it are written, nothing after it.
    @Test func acksZeroProduceThatFailsClosesTheConnection() throws {
        try seedTopic()
        try send(
            TestRequests.frame(MetadataRequest(topics: ["t"]), version: 4, correlationID: 1),
            TestRequests.frame(
                TestRequests.produce(topic: "t", partition: 7, records: TestRequests.batch(["lost"]), acks: 0),
                version: 3,
                correlationID: 2
            ),
            TestRequests.frame(MetadataRequest(topics: ["t"]), version: 4, correlationID: 3)
        )
        let frames = try responses()
        #expect(frames.compactMap(TestRequests.correlationID) == [1])
        #expect(!channel.isActive)
    }

    // MARK: - Closing on bad input

    @Test func malformedHeaderClosesAfterEarlierResponses() throws {
        var garbage = ByteBuffer()
        garbage.writeInteger(Int32(3))
        garbage.writeBytes([0x00, 0x12, 0x00])  // ends inside the header
        try send(TestRequests.frame(ApiVersionsRequest(), version: 2, correlationID: 1), garbage)
        let frames = try responses()
        #expect(frames.compactMap(TestRequests.correlationID) == [1])
        #expect(!channel.isActive)
    }

    @Test func truncatedBodyClosesTheConnection() throws {
        var request = try TestRequests.frame(MetadataRequest(topics: ["t"]), version: 4, correlationID: 1)
        // Cut the last 3 bytes off the body and fix up the size prefix, so the frame is whole
        // but the Metadata body ends early.
        request.moveWriterIndex(to: request.writerIndex - 3)
        request.setInteger(Int32(request.readableBytes - 4), at: request.readerIndex)
        try send(request)
        #expect(try responses().isEmpty)
        #expect(!channel.isActive)
    }

    @Test func unknownApiKeyClosesTheConnection() throws {
        var frame = ByteBuffer()
        frame.writeInteger(Int32(10))
        frame.writeInteger(Int16(999))  // api key no Kafka version defines
        frame.writeInteger(Int16(0))
        frame.writeInteger(Int32(5))
        frame.writeInteger(Int16(-1))  // null client id
        try send(frame)
        #expect(try responses().isEmpty)
        #expect(!channel.isActive)
        #expect(try broker.metrics.expectCounter("edgelog_broker_requests_total", [("api", "unknown")]).totalValue == 1)
    }

    @Test func unadvertisedVersionOfAKnownApiClosesTheConnection() throws {
        var frame = try TestRequests.frame(MetadataRequest(topics: ["t"]), version: 4, correlationID: 1)
        frame.setInteger(Int16(9), at: frame.readerIndex + 6)  // Metadata v9: flexible, not advertised
        try send(frame)
        #expect(try responses().isEmpty)
        #expect(!channel.isActive)
    }

    @Test func oversizedFramePrefixClosesWithoutWaitingForTheBytes() throws {
        var frame = ByteBuffer()
        frame.writeInteger(Int32.max)  // a 2 GiB request announced, none of it sent
        frame.writeBytes([0, 0, 0, 0])
        try send(frame)
        #expect(!channel.isActive)
        #expect(
            try broker.metrics.expectCounter("edgelog_broker_connections_closed_for_protocol_errors_total").totalValue
                == 1
        )
    }

    /// A client that resets its connection (librdkafka exiting without closing, or refusing a
    /// response above its receive.message.max.bytes) is not a protocol error: the connection
    /// closes without counting one.
    @Test(arguments: [ECONNRESET, EPIPE])
    func connectionResetByTheClientIsNotAProtocolError(errno: Int32) throws {
        channel.pipeline.fireErrorCaught(IOError(errnoCode: errno, reason: "read(descriptor:pointer:size:)"))
        #expect(!channel.isActive)
        #expect(
            try broker.metrics.expectCounter("edgelog_broker_connections_closed_for_protocol_errors_total").totalValue
                == 0
        )
    }

    // MARK: - ApiVersions

    @Test func apiVersionsProbeAboveOurVersionGetsTheV0Error35Reply() throws {
        // kafka-python 3.0.12's ApiVersions v4 probe, correlation id 7 (wire_samples.json).
        let probe = ByteBuffer(bytes: Self.hex("0000001d00120004000000070006746573746572000774657374657204312e3000"))
        try send(probe)
        let reply = try #require(try responses().first)
        // wire_samples.json `ApiVersionsResponse_v0_error35_reply_to_unsupported_version`, whose
        // table tops ApiVersions at v2; ours advertises v3, so the last field reads 0003.
        #expect(Array(reply.readableBytesView) == Self.hex("0000001000000007002300000001001200000003"))
        #expect(channel.isActive)
    }

    @Test func apiVersionsV3ProbeIsAnsweredWithTheWholeTable() throws {
        // librdkafka 2.0.2 starts with v3 (wire_samples.json `ApiVersionsRequest_v3`).
        try send(
            TestRequests.frame(
                ApiVersionsRequest(clientSoftwareName: "kcat", clientSoftwareVersion: "1.7.1"),
                version: 3,
                correlationID: 4
            )
        )
        let reply = try #require(try responses().first)
        let (correlationID, body) = try TestRequests.decode(ApiVersionsResponse.self, version: 3, frame: reply)
        #expect(correlationID == 4)
        #expect(body.errorCode == KafkaErrorCode.none)
        let table = ApiVersionsTable(body.apiKeys)
        // The gates librdkafka 2.0.2 checks (README §3, and Produce v0 for LZ4).
        #expect(table.versions(of: .produce) == 0...7)
        #expect(table.versions(of: .fetch) == 4...11)
        #expect(table.versions(of: .findCoordinator)?.lowerBound == 0)
        #expect(table.versions(of: .metadata)?.contains(4) == true)
        #expect(table.versions(of: .initProducerId) == 0...1)
        // Groups (kcat -G): JoinGroup from v0, below KIP-394's two-step join.
        #expect(table.versions(of: .joinGroup) == 0...3)
        #expect(table.versions(of: .syncGroup)?.lowerBound == 0 && table.versions(of: .heartbeat)?.lowerBound == 0)
    }

    @Test func legacyProduceVersionClosesTheConnection() throws {
        var frame = try TestRequests.frame(
            TestRequests.produce(topic: "t", records: TestRequests.batch(["x"])),
            version: 3,
            correlationID: 1
        )
        frame.setInteger(Int16(2), at: frame.readerIndex + 6)  // Produce v2: legacy message sets
        try send(frame)
        #expect(!channel.isActive)
    }

    static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16) ?? 0)
            index = next
        }
        return bytes
    }
}
