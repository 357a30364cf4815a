import KafkaProtocol
import Logging
import NIOCore
import NIOPosix

/// edgelog's Kafka client: typed, awaitable calls over one persistent, pipelined connection to one
/// broker, reopened with exponential backoff and jitter when it drops.
///
/// Everything goes to the bootstrap broker, which must lead the partitions and coordinate the
/// groups used — true of the edgelog broker and of a single-node Kafka. Requests are never
/// retried here: a request that was in flight when the connection dropped fails with a transport
/// error, and the caller decides (an idempotent producer resends with the same sequences,
/// ``IdempotentProducerState``). The next call reconnects.
///
/// Ordering: calls made one after another from one task reach the wire in that order, on one
/// connection while it lives. ``enqueueProduce(topic:partition:batch:acks:timeout:)`` returns
/// once its request is queued, so a producer can keep several batches in flight and still know
/// their order on the wire.
public actor KafkaClient {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var connection: KafkaConnection.Configuration
        /// Delays between failed connection attempts.
        public var reconnectBackoff: ReconnectBackoff
        /// Attempts per call before it gives up with the last connection error; `nil` keeps
        /// trying until the calling task is cancelled or the client shut down.
        public var maxConnectAttempts: Int?

        public init(
            host: String,
            port: Int,
            connection: KafkaConnection.Configuration = KafkaConnection.Configuration(),
            reconnectBackoff: ReconnectBackoff = ReconnectBackoff(),
            maxConnectAttempts: Int? = nil
        ) {
            self.host = host
            self.port = port
            self.connection = connection
            self.reconnectBackoff = reconnectBackoff
            self.maxConnectAttempts = maxConnectAttempts
        }

        /// `host:port`, `[v6-address]:port`.
        public init(bootstrap: String) throws(KafkaClientError) {
            guard let colon = bootstrap.lastIndex(of: ":"),
                let port = Int(bootstrap[bootstrap.index(after: colon)...]), (1...65535).contains(port)
            else { throw .invalidBootstrap(bootstrap) }
            var host = String(bootstrap[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { throw .invalidBootstrap(bootstrap) }
            self.init(host: host, port: port)
        }
    }

    public nonisolated let configuration: Configuration
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private var current: KafkaConnection?
    private var connecting: Task<KafkaConnection, any Error>?
    private var backoff: ReconnectBackoff
    private var random = SystemRandomNumberGenerator()
    private var isShutDown = false

    public init(
        configuration: Configuration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.backoff = configuration.reconnectBackoff
    }

    // MARK: - Connection

    /// The open connection, opening one (with backoff between failed attempts) when there is
    /// none or it has closed. Concurrent callers share one attempt; cancelling a caller ends
    /// the attempt with ``KafkaClientError/cancelled``.
    public func connection() async throws(KafkaClientError) -> KafkaConnection {
        if isShutDown { throw .shutDown }
        if let current, current.isActive { return current }
        current = nil
        let attempt: Task<KafkaConnection, any Error>
        if let connecting {
            attempt = connecting
        } else {
            attempt = Task { try await self.connectWithBackoff() }
            connecting = attempt
        }
        do {
            // A cancelled caller stops the attempt (and with it any other caller sharing it).
            let connection = try await withTaskCancellationHandler {
                try await attempt.value
            } onCancel: {
                attempt.cancel()
            }
            if connecting == attempt { connecting = nil }
            if isShutDown {
                await connection.close()
                throw KafkaClientError.shutDown
            }
            current = connection
            return connection
        } catch {
            if connecting == attempt { connecting = nil }
            throw KafkaConnection.transportError(error)
        }
    }

    /// Closes the connection; every later call fails with ``KafkaClientError/shutDown``.
    public func shutdown() async {
        isShutDown = true
        connecting?.cancel()
        connecting = nil
        if let current { await current.close() }
        current = nil
    }

    private func connectWithBackoff() async throws(KafkaClientError) -> KafkaConnection {
        var attempts = 0
        while true {
            if isShutDown { throw .shutDown }
            do {
                let connection = try await KafkaConnection.connect(
                    host: configuration.host,
                    port: configuration.port,
                    configuration: configuration.connection,
                    eventLoopGroup: eventLoopGroup,
                    logger: logger
                )
                backoff.reset()
                return connection
            } catch {
                attempts += 1
                guard Self.isWorthRetrying(error) else { throw error }
                if let limit = configuration.maxConnectAttempts, attempts >= limit { throw error }
                let delay = backoff.nextDelay(using: &random)
                logger.debug(
                    "kafka connect failed, backing off",
                    metadata: ["kafka.error": "\(error)", "kafka.backoff": "\(delay)"]
                )
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    throw isShutDown ? .shutDown : .cancelled
                }
            }
        }
    }

    /// Transport trouble is retried; a broker that answers but cannot be spoken to is not.
    private static func isWorthRetrying(_ error: KafkaClientError) -> Bool {
        switch error {
        case .connectFailed, .connectionClosed, .requestTimedOut: true
        default: false
        }
    }

    // MARK: - Operations

    /// Topic metadata; `topics: nil` asks for every topic. With `allowAutoTopicCreation`
    /// (Metadata v4+) a broker that auto-creates topics creates the missing ones.
    public func metadata(topics: [String]?, allowAutoTopicCreation: Bool = true) async throws(KafkaClientError)
        -> MetadataResponse
    {
        let connection = try await connection()
        return try await connection.request(
            MetadataRequest(topics: topics, allowAutoTopicCreation: allowAutoTopicCreation)
        )
    }

    /// Queues one Produce request for `batch` (one or more RecordBatch v2, back to back) and
    /// returns without waiting for the answer; requests queued by successive calls are written
    /// in call order on one connection.
    ///
    /// - Parameters:
    ///   - acks: -1 (all in-sync replicas; what an idempotent producer needs), 1, or 0 (no
    ///     answer: the future succeeds with ``ProduceResult/unacknowledged`` once written).
    ///   - timeout: how long the broker may wait for replication (`timeout_ms`); the client
    ///     waits that long plus the request timeout.
    public func enqueueProduce(
        topic: String,
        partition: Int32,
        batch: ByteBuffer,
        acks: Int16 = -1,
        timeout: Duration = .seconds(30)
    ) async throws(KafkaClientError) -> EventLoopFuture<ProduceResult> {
        let answers = try await enqueueProduce(
            topic: topic,
            batches: [(partition: partition, records: batch)],
            acks: acks,
            timeout: timeout
        )
        return answers.flatMapThrowing { answers throws(KafkaClientError) in
            guard let answer = answers[partition] else {
                throw .missingPartition(api: .produce, topic: topic, partition: partition)
            }
            return answer
        }
    }

    /// Queues one Produce request carrying one batch for each of several partitions of `topic`
    /// (what Kafka clients do: one request per broker per send, not one per batch), so the
    /// broker handles, logs and syncs them in one go. Returns once the request is written, as
    /// ``enqueueProduce(topic:partition:batch:acks:timeout:)`` does; the future gives each
    /// partition's answer. A partition the broker left out of its answer is missing from the
    /// dictionary.
    ///
    /// - Precondition: the partitions are distinct (two batches of one partition in one request
    ///   could not be told apart in the answer).
    public func enqueueProduce(
        topic: String,
        batches: [(partition: Int32, records: ByteBuffer)],
        acks: Int16 = -1,
        timeout: Duration = .seconds(30)
    ) async throws(KafkaClientError) -> EventLoopFuture<[Int32: ProduceResult]> {
        precondition(Set(batches.map(\.partition)).count == batches.count, "one batch per partition and request")
        let connection = try await connection()
        let request = ProduceRequest(
            acks: acks,
            timeoutMs: Self.milliseconds(timeout),
            topics: [
                ProduceRequest.Topic(
                    name: topic,
                    partitions: batches.map { ProduceRequest.Partition(index: $0.partition, records: $0.records) }
                )
            ]
        )
        if acks == 0 {
            return connection.sendWithoutResponse(request).map {
                Dictionary(uniqueKeysWithValues: batches.map { ($0.partition, ProduceResult.unacknowledged) })
            }
        }
        let waitLimit = Self.waitLimit(connection.configuration.requestTimeout, plus: timeout)
        return connection.send(request, timeout: waitLimit).map { response in
            var answers: [Int32: ProduceResult] = [:]
            for answer in response.topics.first(where: { $0.name == topic })?.partitions ?? [] {
                answers[answer.index] = ProduceResult(
                    errorCode: answer.errorCode,
                    baseOffset: answer.errorCode == .none ? answer.baseOffset : nil,
                    logAppendTimeMs: answer.logAppendTimeMs,
                    logStartOffset: answer.logStartOffset
                )
            }
            return answers
        }
    }

    /// Produces `batch` and waits for the broker's answer (see
    /// ``enqueueProduce(topic:partition:batch:acks:timeout:)``). A broker error comes back in
    /// ``ProduceResult/errorCode``; a transport error is thrown.
    public func produce(
        topic: String,
        partition: Int32,
        batch: ByteBuffer,
        acks: Int16 = -1,
        timeout: Duration = .seconds(30)
    ) async throws(KafkaClientError) -> ProduceResult {
        let future = try await enqueueProduce(
            topic: topic,
            partition: partition,
            batch: batch,
            acks: acks,
            timeout: timeout
        )
        return try await KafkaConnection.awaitValue(future)
    }

    /// Reads from `offset` of one partition. The broker may hold the request up to `maxWait`
    /// while fewer than `minBytes` are available. A broker error (OFFSET_OUT_OF_RANGE, ...)
    /// comes back in ``FetchResult/errorCode``.
    public func fetch(
        topic: String,
        partition: Int32,
        offset: Int64,
        maxBytes: Int32 = 1024 * 1024,
        maxWait: Duration = .milliseconds(500),
        minBytes: Int32 = 1
    ) async throws(KafkaClientError) -> FetchResult {
        let connection = try await connection()
        let request = FetchRequest(
            maxWaitMs: Self.milliseconds(maxWait),
            minBytes: minBytes,
            maxBytes: maxBytes,
            topics: [
                FetchRequest.Topic(
                    name: topic,
                    partitions: [
                        FetchRequest.Partition(partition: partition, fetchOffset: offset, partitionMaxBytes: maxBytes)
                    ]
                )
            ]
        )
        let waitLimit = Self.waitLimit(connection.configuration.requestTimeout, plus: maxWait)
        let response = try await KafkaConnection.awaitValue(connection.send(request, timeout: waitLimit))
        guard
            let answer = response.topics.first(where: { $0.name == topic })?
                .partitions.first(where: { $0.partitionIndex == partition })
        else { throw .missingPartition(api: .fetch, topic: topic, partition: partition) }
        return FetchResult(
            errorCode: answer.errorCode,
            highWatermark: answer.highWatermark,
            lastStableOffset: answer.lastStableOffset,
            logStartOffset: answer.logStartOffset,
            records: answer.records ?? ByteBuffer()
        )
    }

    /// The offset for `timestamp`: ``ListOffsetsRequest/earliestTimestamp`` (-2) gives the log
    /// start, ``ListOffsetsRequest/latestTimestamp`` (-1) the high watermark, a time in ms the
    /// first offset whose record timestamp is at or after it (-1 when there is none).
    public func listOffsets(topic: String, partition: Int32, timestamp: Int64) async throws(KafkaClientError)
        -> ListedOffset
    {
        let connection = try await connection()
        let request = ListOffsetsRequest(
            topics: [
                ListOffsetsRequest.Topic(
                    name: topic,
                    partitions: [ListOffsetsRequest.Partition(partitionIndex: partition, timestamp: timestamp)]
                )
            ]
        )
        let response = try await connection.request(request)
        guard
            let answer = response.topics.first(where: { $0.name == topic })?
                .partitions.first(where: { $0.partitionIndex == partition })
        else { throw .missingPartition(api: .listOffsets, topic: topic, partition: partition) }
        guard answer.errorCode == .none else { throw .broker(api: .listOffsets, code: answer.errorCode) }
        return ListedOffset(offset: answer.offset, timestamp: answer.timestamp)
    }

    /// Asks the broker to create `topic` with `partitions` partitions (CreateTopics, replication
    /// factor left to the broker). Returns the broker's answer for the topic — `.none`,
    /// TOPIC_ALREADY_EXISTS, or why it was refused — rather than throwing on it, since a caller
    /// that only wants the topic to exist takes several of those as success.
    ///
    /// - Throws: transport errors, `unsupportedApi` when the broker does not offer CreateTopics,
    ///   `.missingPartition` when the answer leaves the topic out.
    public func createTopic(
        _ topic: String, partitions: Int32, validateOnly: Bool = false, timeout: Duration = .seconds(30)
    ) async throws(KafkaClientError) -> CreateTopicsResponse.Topic {
        let connection = try await connection()
        let milliseconds = Int32(clamping: timeout.components.seconds * 1000)
        let response = try await connection.request(
            CreateTopicsRequest(
                topics: [CreateTopicsRequest.Topic(name: topic, numPartitions: partitions)], timeoutMs: milliseconds,
                validateOnly: validateOnly))
        guard let answer = response.topics.first(where: { $0.name == topic }) else {
            throw .missingPartition(api: .createTopics, topic: topic, partition: -1)
        }
        return answer
    }

    /// A fresh producer id and epoch for an idempotent (non-transactional) producer.
    public func initProducerId() async throws(KafkaClientError) -> ProducerIdentity {
        let connection = try await connection()
        let response = try await connection.request(
            InitProducerIdRequest(transactionalID: nil, transactionTimeoutMs: 60_000)
        )
        guard response.errorCode == .none else { throw .broker(api: .initProducerId, code: response.errorCode) }
        return ProducerIdentity(producerID: response.producerID, epoch: response.producerEpoch)
    }

    /// Commits `offset` (the next offset to consume) for `group` outside group membership
    /// (generation -1, empty member id: a simple consumer).
    public func commitOffset(
        group: String,
        topic: String,
        partition: Int32,
        offset: Int64,
        metadata: String? = nil
    ) async throws(KafkaClientError) {
        let connection = try await connection()
        let request = OffsetCommitRequest(
            groupID: group,
            generationID: -1,
            memberID: "",
            topics: [
                OffsetCommitRequest.Topic(
                    name: topic,
                    partitions: [
                        OffsetCommitRequest.Partition(
                            partitionIndex: partition,
                            committedOffset: offset,
                            committedMetadata: metadata
                        )
                    ]
                )
            ]
        )
        let response = try await connection.request(request)
        guard
            let answer = response.topics.first(where: { $0.name == topic })?
                .partitions.first(where: { $0.partitionIndex == partition })
        else { throw .missingPartition(api: .offsetCommit, topic: topic, partition: partition) }
        guard answer.errorCode == .none else { throw .broker(api: .offsetCommit, code: answer.errorCode) }
    }

    /// The offset `group` committed for the partition, `nil` when it committed none.
    public func fetchCommittedOffset(group: String, topic: String, partition: Int32) async throws(KafkaClientError)
        -> Int64?
    {
        let connection = try await connection()
        let request = OffsetFetchRequest(
            groupID: group,
            topics: [OffsetFetchRequest.Topic(name: topic, partitionIndexes: [partition])]
        )
        let response = try await connection.request(request)
        guard response.errorCode == .none else { throw .broker(api: .offsetFetch, code: response.errorCode) }
        guard
            let answer = response.topics.first(where: { $0.name == topic })?
                .partitions.first(where: { $0.partitionIndex == partition })
        else { throw .missingPartition(api: .offsetFetch, topic: topic, partition: partition) }
        guard answer.errorCode == .none else { throw .broker(api: .offsetFetch, code: answer.errorCode) }
        return answer.committedOffset >= 0 ? answer.committedOffset : nil
    }

    // MARK: - Units

    static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        let millis = seconds.multipliedReportingOverflow(by: 1000)
        guard !millis.overflow, millis.partialValue < Int64(Int32.max) else { return .max }
        return Int32(min(millis.partialValue + attoseconds / 1_000_000_000_000_000, Int64(Int32.max)))
    }

    /// `base + extra`, saturating instead of overflowing.
    static func waitLimit(_ base: TimeAmount, plus extra: Duration) -> TimeAmount {
        let sum = base.nanoseconds.addingReportingOverflow(timeAmount(extra).nanoseconds)
        return .nanoseconds(sum.overflow ? .max : sum.partialValue)
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return .zero }
        let nanos = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !nanos.overflow else { return .nanoseconds(.max) }
        let total = nanos.partialValue.addingReportingOverflow(attoseconds / 1_000_000_000)
        return .nanoseconds(total.overflow ? .max : total.partialValue)
    }
}
