import Foundation
import KafkaClient
import KafkaProtocol
import NIOCore
import NIOPosix
import PipelineTestSupport

/// A small in-memory Kafka broker for the client tests, on 127.0.0.1 and a free port, built
/// only from KafkaProtocol's server side (`RequestHeader`, `*Request(from:version:)`,
/// `KafkaFrame.writeResponse`). Not the edgelog broker: one node, logs in memory, every topic
/// auto-created with ``partitionCount`` partitions. The knobs let tests make it misbehave.
final class FakeKafkaBroker: @unchecked Sendable {
    struct Behaviour: Sendable {
        /// What ApiVersions advertises.
        var table: ApiVersionsTable = .comfortable.restricted(
            to: [
                .produce, .fetch, .listOffsets, .metadata, .offsetCommit, .offsetFetch, .findCoordinator, .apiVersions,
                .initProducerId,
            ]
        )
        /// ApiVersions requests above this get the error-35 v0 answer (README §2, rule 1).
        var apiVersionsMax: Int16 = 3
        /// Requests of these APIs are read and never answered.
        var silentApis: Set<ApiKey> = []
        var partitionCount: Int32 = 3
        /// Metadata names no leader (-1) for any partition, as a cluster mid-election does.
        var leaderless = false
    }

    struct Log {
        var batches: [RecordBatch] = []
        var nextOffset: Int64 = 0
    }

    let port: Int
    private let lock = NSLock()
    private var behaviourValue: Behaviour
    private var logs: [TopicPartition: Log] = [:]
    private var committed: [String: [TopicPartition: Int64]] = [:]
    private var nextProducerID: Int64 = 1000
    private var openChannels: [ObjectIdentifier: any Channel] = [:]
    private var acceptedCount = 0
    private var apiVersionsSeen: [Int16] = []
    private var requestsSeen: [ApiKey] = []
    private var serverChannel: (any Channel)?

    private init(port: Int, behaviour: Behaviour) {
        self.port = port
        self.behaviourValue = behaviour
    }

    /// Starts a broker on a fresh free port (retrying when another process took the port).
    static func start(behaviour: Behaviour = Behaviour()) async throws -> FakeKafkaBroker {
        var lastError: (any Error)?
        for _ in 0..<5 {
            let broker = FakeKafkaBroker(port: try FreePort.next(), behaviour: behaviour)
            do {
                try await broker.listen()
                return broker
            } catch {
                lastError = error
            }
        }
        throw lastError ?? ChannelError.ioOnClosedChannel
    }

    /// Starts a broker on `port` (e.g. after ``stop()``, to test reconnecting). The bind is
    /// retried for a few seconds while the port is still in use: the previous broker's sockets
    /// on it may take a moment to go (seen once in a full run: EADDRINUSE right after `stop()`).
    static func start(port: Int, behaviour: Behaviour = Behaviour()) async throws -> FakeKafkaBroker {
        let deadline = ContinuousClock.now + .seconds(5)
        while true {
            let broker = FakeKafkaBroker(port: port, behaviour: behaviour)
            do {
                try await broker.listen()
                return broker
            } catch let error as IOError where error.errnoCode == EADDRINUSE && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    private func listen() async throws {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                self.accepted(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(KafkaFrameDecoder()),
                        FakeBrokerHandler(broker: self)
                    )
                }
            }
            .bind(host: "127.0.0.1", port: port)
            .get()
        withLock { serverChannel = channel }
    }

    /// Stops listening and closes every connection.
    func stop() async {
        let server = withLock { serverChannel }
        try? await server?.close()
        await dropConnections()
    }

    /// Closes every accepted connection, as a crashing or restarting broker would.
    func dropConnections() async {
        let channels = withLock { Array(openChannels.values) }
        for channel in channels { try? await channel.close() }
    }

    var behaviour: Behaviour {
        get { withLock { behaviourValue } }
        set { withLock { behaviourValue = newValue } }
    }

    var connectionsAccepted: Int { withLock { acceptedCount } }
    var apiVersionsRequestVersions: [Int16] { withLock { apiVersionsSeen } }
    var requestKeys: [ApiKey] { withLock { requestsSeen } }

    func storedBatches(_ partition: TopicPartition) -> [RecordBatch] {
        withLock { logs[partition]?.batches ?? [] }
    }

    private func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    private func accepted(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        withLock {
            acceptedCount += 1
            openChannels[id] = channel
        }
        channel.closeFuture.whenComplete { [self] _ in
            _ = withLock { openChannels.removeValue(forKey: id) }
        }
    }

    // MARK: - Answers

    /// The response frame for one request frame, or `nil` for no answer.
    fileprivate func answer(_ frame: ByteBuffer) throws -> ByteBuffer? {
        var frame = frame
        let header = try RequestHeader(from: &frame)
        guard let apiKey = header.apiKey else { throw KafkaProtocolError.unknownApiKey(header.apiKeyCode) }
        let behaviour = withLock {
            requestsSeen.append(apiKey)
            if apiKey == .apiVersions { apiVersionsSeen.append(header.apiVersion) }
            return behaviourValue
        }
        if behaviour.silentApis.contains(apiKey) { return nil }
        let version = header.apiVersion
        var out = ByteBuffer()
        let id = header.correlationID
        switch apiKey {
        case .apiVersions:
            if version > behaviour.apiVersionsMax {
                var table = behaviour.table.ranges.filter { $0.apiKey != .apiVersions }
                table.append(ApiVersionRange(.apiVersions, 0...behaviour.apiVersionsMax))
                let reply = ApiVersionsResponse.unsupportedVersion(table: ApiVersionsTable(table))
                try KafkaFrame.writeResponse(reply, version: 0, correlationID: id, into: &out)
            } else {
                _ = try ApiVersionsRequest(from: &frame, version: version)
                let reply = ApiVersionsResponse(table: behaviour.table)
                try KafkaFrame.writeResponse(reply, version: version, correlationID: id, into: &out)
            }
        case .metadata:
            let request = try MetadataRequest(from: &frame, version: version)
            let reply = metadata(request, behaviour: behaviour)
            try KafkaFrame.writeResponse(reply, version: version, correlationID: id, into: &out)
        case .produce:
            let request = try ProduceRequest(from: &frame, version: version)
            let reply = try produce(request, partitionCount: behaviour.partitionCount)
            guard request.expectsResponse else { return nil }
            try KafkaFrame.writeResponse(reply, version: version, correlationID: id, into: &out)
        case .fetch:
            let request = try FetchRequest(from: &frame, version: version)
            try KafkaFrame.writeResponse(fetch(request), version: version, correlationID: id, into: &out)
        case .listOffsets:
            let request = try ListOffsetsRequest(from: &frame, version: version)
            try KafkaFrame.writeResponse(listOffsets(request), version: version, correlationID: id, into: &out)
        case .initProducerId:
            _ = try InitProducerIdRequest(from: &frame, version: version)
            let producerID = withLock {
                nextProducerID += 1
                return nextProducerID
            }
            let reply = InitProducerIdResponse(producerID: producerID, producerEpoch: 0)
            try KafkaFrame.writeResponse(reply, version: version, correlationID: id, into: &out)
        case .offsetCommit:
            let request = try OffsetCommitRequest(from: &frame, version: version)
            try KafkaFrame.writeResponse(commit(request), version: version, correlationID: id, into: &out)
        case .findCoordinator:
            _ = try FindCoordinatorRequest(from: &frame, version: version)
            let reply = FindCoordinatorResponse(nodeID: 0, host: "127.0.0.1", port: Int32(port))
            try KafkaFrame.writeResponse(reply, version: version, correlationID: id, into: &out)
        case .offsetFetch:
            let request = try OffsetFetchRequest(from: &frame, version: version)
            try KafkaFrame.writeResponse(offsetFetch(request), version: version, correlationID: id, into: &out)
        default:
            throw KafkaProtocolError.unknownApiKey(header.apiKeyCode)
        }
        return out
    }

    private func metadata(_ request: MetadataRequest, behaviour: Behaviour) -> MetadataResponse {
        let names = request.topics ?? withLock { Array(Set(logs.keys.map(\.topic))).sorted() }
        let topics = names.map { name in
            MetadataResponse.Topic(
                name: name,
                partitions: (0..<behaviour.partitionCount).map { index in
                    MetadataResponse.Partition(
                        partitionIndex: index, leaderID: behaviour.leaderless ? -1 : 0, replicaNodes: [0], isrNodes: [0])
                }
            )
        }
        return MetadataResponse(
            brokers: [MetadataResponse.Broker(nodeID: 0, host: "127.0.0.1", port: Int32(port))],
            clusterID: "fake-cluster",
            controllerID: 0,
            topics: topics
        )
    }

    private func produce(_ request: ProduceRequest, partitionCount: Int32) throws -> ProduceResponse {
        try withLock {
            ProduceResponse(
                topics: try request.topics.map { topic in
                    ProduceResponse.Topic(
                        name: topic.name,
                        partitions: try topic.partitions.map { partition in
                            let key = TopicPartition(topic: topic.name, partition: partition.index)
                            guard (0..<partitionCount).contains(partition.index) else {
                                return ProduceResponse.Partition(
                                    index: partition.index,
                                    errorCode: .unknownTopicOrPartition,
                                    baseOffset: -1
                                )
                            }
                            var log = logs[key] ?? Log()
                            let baseOffset = log.nextOffset
                            for var batch in try RecordBatch.split(partition.records ?? ByteBuffer()) {
                                batch.setBaseOffset(log.nextOffset)
                                log.nextOffset = batch.header.nextOffset
                                log.batches.append(batch)
                            }
                            logs[key] = log
                            return ProduceResponse.Partition(
                                index: partition.index,
                                baseOffset: baseOffset,
                                logStartOffset: 0
                            )
                        }
                    )
                }
            )
        }
    }

    private func fetch(_ request: FetchRequest) -> FetchResponse {
        withLock {
            FetchResponse(
                topics: request.topics.map { topic in
                    FetchResponse.Topic(
                        name: topic.name,
                        partitions: topic.partitions.map { partition in
                            let log = logs[TopicPartition(topic: topic.name, partition: partition.partition)] ?? Log()
                            guard partition.fetchOffset <= log.nextOffset, partition.fetchOffset >= 0 else {
                                return FetchResponse.Partition(
                                    partitionIndex: partition.partition,
                                    errorCode: .offsetOutOfRange,
                                    highWatermark: log.nextOffset,
                                    lastStableOffset: log.nextOffset,
                                    logStartOffset: 0,
                                    records: nil
                                )
                            }
                            var records = ByteBuffer()
                            for batch in log.batches where batch.header.nextOffset > partition.fetchOffset {
                                let fits =
                                    records.readableBytes + batch.bytes.readableBytes
                                    <= Int(partition.partitionMaxBytes)
                                guard fits || records.readableBytes == 0 else { break }
                                records.writeImmutableBuffer(batch.bytes)
                            }
                            return FetchResponse.Partition(
                                partitionIndex: partition.partition,
                                highWatermark: log.nextOffset,
                                lastStableOffset: log.nextOffset,
                                logStartOffset: 0,
                                records: records
                            )
                        }
                    )
                }
            )
        }
    }

    private func listOffsets(_ request: ListOffsetsRequest) -> ListOffsetsResponse {
        withLock {
            ListOffsetsResponse(
                topics: request.topics.map { topic in
                    ListOffsetsResponse.Topic(
                        name: topic.name,
                        partitions: topic.partitions.map { partition in
                            let log =
                                logs[TopicPartition(topic: topic.name, partition: partition.partitionIndex)] ?? Log()
                            switch partition.timestamp {
                            case ListOffsetsRequest.earliestTimestamp:
                                return .init(partitionIndex: partition.partitionIndex, offset: 0)
                            case ListOffsetsRequest.latestTimestamp:
                                return .init(partitionIndex: partition.partitionIndex, offset: log.nextOffset)
                            default:
                                let match = log.batches.first { $0.header.maxTimestamp >= partition.timestamp }
                                return .init(
                                    partitionIndex: partition.partitionIndex,
                                    timestamp: match?.header.baseTimestamp ?? -1,
                                    offset: match?.header.baseOffset ?? -1
                                )
                            }
                        }
                    )
                }
            )
        }
    }

    private func commit(_ request: OffsetCommitRequest) -> OffsetCommitResponse {
        withLock {
            OffsetCommitResponse(
                topics: request.topics.map { topic in
                    OffsetCommitResponse.Topic(
                        name: topic.name,
                        partitions: topic.partitions.map { partition in
                            let key = TopicPartition(topic: topic.name, partition: partition.partitionIndex)
                            committed[request.groupID, default: [:]][key] = partition.committedOffset
                            return .init(partitionIndex: partition.partitionIndex)
                        }
                    )
                }
            )
        }
    }

    private func offsetFetch(_ request: OffsetFetchRequest) -> OffsetFetchResponse {
        withLock {
            OffsetFetchResponse(
                topics: (request.topics ?? []).map { topic in
                    OffsetFetchResponse.Topic(
                        name: topic.name,
                        partitions: topic.partitionIndexes.map { index in
                            let key = TopicPartition(topic: topic.name, partition: index)
                            return .init(partitionIndex: index, committedOffset: committed[request.groupID]?[key] ?? -1)
                        }
                    )
                }
            )
        }
    }
}

/// Answers each request frame in order; closes the connection on anything it cannot read, as
/// Kafka does (README §2.3).
private final class FakeBrokerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let broker: FakeKafkaBroker

    init(broker: FakeKafkaBroker) {
        self.broker = broker
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do {
            if let reply = try broker.answer(unwrapInboundIn(data)) {
                context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
            }
        } catch {
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
