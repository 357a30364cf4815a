import KafkaProtocol
import Logging
import NIOCore
import NIOPosix

/// edgelog's Kafka client: typed, awaitable calls over persistent, pipelined connections, one
/// per broker, each reopened with exponential backoff and jitter when it drops.
///
/// Routing: partition requests (Produce, Fetch, ListOffsets) go to the partition's leader as
/// the last Metadata answer named it; group offsets go to the group's coordinator
/// (FindCoordinator); everything else to any broker that answers, the bootstrap first. A
/// NOT_LEADER_OR_FOLLOWER or UNKNOWN_TOPIC_OR_PARTITION answer, a lost connection or an unknown
/// leader marks the topic's routes stale, and they are refreshed from Metadata before the next
/// request that needs them: at most once per ``Configuration/metadataRefreshInterval``, and
/// with exponential backoff (up to the reconnect backoff's maximum) while refreshes find no
/// broker, or leaders still missing. With a
/// single broker all of it collapses to the one bootstrap connection (``ClusterView``).
///
/// Requests are never retried here: a request that was in flight when its connection dropped
/// fails with a transport error, and the caller decides (an idempotent producer resends with the
/// same sequences, ``IdempotentProducerState``). The next call reconnects.
///
/// Ordering: calls made one after another from one task for one broker reach the wire in that
/// order, on one connection while it lives. ``enqueueProduce(topic:partition:batch:acks:timeout:)``
/// returns once its request is queued, so a producer can keep several batches in flight and
/// still know their order on the wire. A call whose broker is down waits for it (or, for a
/// partition, for Metadata to name another leader) without holding up calls to other brokers
/// made from other tasks.
public actor KafkaClient {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var connection: KafkaConnection.Configuration
        /// Delays between failed connection attempts, per broker.
        public var reconnectBackoff: ReconnectBackoff
        /// Attempts per call before it gives up with the last connection error; `nil` keeps
        /// trying until the calling task is cancelled or the client shut down.
        public var maxConnectAttempts: Int?
        /// Shortest time between two Metadata refreshes caused by stale routes; the first step of
        /// their backoff while refreshes do not help.
        public var metadataRefreshInterval: Duration
        /// Asks each new connection's broker for its cluster id (one Metadata request) and
        /// reports it with every Fetch answer (``FetchResult/clusterID``), so a consumer can
        /// refuse records from a broker of another cluster before reading them.
        public var identifiesCluster: Bool

        public init(
            host: String,
            port: Int,
            connection: KafkaConnection.Configuration = KafkaConnection.Configuration(),
            reconnectBackoff: ReconnectBackoff = ReconnectBackoff(),
            maxConnectAttempts: Int? = nil,
            metadataRefreshInterval: Duration = .milliseconds(250),
            identifiesCluster: Bool = false
        ) {
            self.host = host
            self.port = port
            self.connection = connection
            self.reconnectBackoff = reconnectBackoff
            self.maxConnectAttempts = maxConnectAttempts
            self.metadataRefreshInterval = metadataRefreshInterval
            self.identifiesCluster = identifiesCluster
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
    private var links: [BrokerRoute: BrokerLink] = [:]
    private var view: ClusterView
    private var coordinators: [String: BrokerRoute] = [:]
    /// No refresh caused by stale routes before this instant.
    private var nextRefresh: ContinuousClock.Instant?
    private var refreshBackoff: ReconnectBackoff
    private var refreshing: Task<Void, Never>?
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
        self.view = ClusterView(bootstrap: BrokerAddress(host: configuration.host, port: configuration.port))
        self.refreshBackoff = ReconnectBackoff(
            initial: configuration.metadataRefreshInterval,
            maximum: max(configuration.reconnectBackoff.maximum, configuration.metadataRefreshInterval))
    }

    // MARK: - Connections

    /// An open connection to any broker, opening one when there is none: the bootstrap broker
    /// first, then every broker Metadata named, each attempted when its backoff allows. Waits
    /// (up to ``Configuration/maxConnectAttempts`` attempts) while none answers. Cancelling the
    /// caller ends the wait with ``KafkaClientError/cancelled``.
    public func connection() async throws(KafkaClientError) -> KafkaConnection {
        var attempts = 0
        while true {
            if isShutDown { throw .shutDown }
            let routes = view.everyRoute
            if let live = routes.lazy.compactMap({ self.links[$0]?.live }).first { return live }
            var earliest: ContinuousClock.Instant?
            for route in routes {
                if let notBefore = links[route]?.notBefore, links[route]?.isBackingOff(at: .now) == true {
                    earliest = min(earliest ?? notBefore, notBefore)
                    continue
                }
                do {
                    return try await attempt(route)
                } catch {
                    guard Self.isWorthRetrying(error) else { throw error }
                    attempts += 1
                    if let limit = configuration.maxConnectAttempts, attempts >= limit { throw error }
                    if let notBefore = links[route]?.notBefore { earliest = min(earliest ?? notBefore, notBefore) }
                }
            }
            try await sleep(until: earliest ?? .now + configuration.reconnectBackoff.initial)
        }
    }

    /// An open connection to `route`, waiting out its backoff between attempts. With `leading`,
    /// the partitions' routes are refreshed after each failed attempt, and the wait ends with
    /// ``KafkaClientError/leaderMoved(topic:partition:)`` once one of them is led elsewhere.
    /// Without `patient`, it makes at most one attempt and fails at once while the broker is
    /// backing off.
    private func connection(
        to route: BrokerRoute, leading: (topic: String, partitions: [Int32])? = nil, patient: Bool = true
    ) async throws(KafkaClientError) -> KafkaConnection {
        var attempts = 0
        while true {
            if isShutDown { throw .shutDown }
            if let live = links[route]?.live { return live }
            if let notBefore = links[route]?.notBefore, links[route]?.isBackingOff(at: .now) == true {
                guard patient else {
                    let address = view.address(of: route) ?? view.bootstrap
                    let seconds = Double((notBefore - .now).components.attoseconds) / 1e18
                        + Double((notBefore - .now).components.seconds)
                    throw .connectFailed(
                        host: address.host, port: address.port,
                        reason: "unreachable; next attempt in \(Int((seconds * 1000).rounded())) ms")
                }
                try await sleep(until: notBefore)
                continue
            }
            do {
                return try await attempt(route)
            } catch {
                guard Self.isWorthRetrying(error) else { throw error }
                if let leading { view.markStale(leading.topic) }
                guard patient else { throw error }
                attempts += 1
                if let limit = configuration.maxConnectAttempts, attempts >= limit { throw error }
                if let leading {
                    await refreshIfDue(leading.topic)
                    for partition in leading.partitions
                    where (view.route(to: TopicPartition(topic: leading.topic, partition: partition)) ?? .bootstrap) != route {
                        throw .leaderMoved(topic: leading.topic, partition: partition)
                    }
                }
            }
        }
    }

    /// One connection attempt to `route`, shared with every caller that asks meanwhile. A
    /// cancelled caller ends the attempt for all of them; the others see
    /// ``KafkaClientError/cancelled`` without being cancelled themselves and try again.
    private func attempt(_ route: BrokerRoute) async throws(KafkaClientError) -> KafkaConnection {
        if let live = links[route]?.live { return live }
        let task: Task<KafkaConnection, any Error>
        if let existing = links[route]?.attempt {
            task = existing
        } else {
            guard let address = view.address(of: route) else {
                throw .connectFailed(host: "\(route)", port: 0, reason: "no address known")
            }
            task = Task { try await self.open(route, at: address) }
            links[route, default: BrokerLink(backoff: configuration.reconnectBackoff)].attempt = task
        }
        do {
            return try await withTaskCancellationHandler {
                try await task.value
            } onCancel: {
                task.cancel()
            }
        } catch {
            throw KafkaConnection.transportError(error)
        }
    }

    private func open(_ route: BrokerRoute, at address: BrokerAddress) async throws(KafkaClientError) -> KafkaConnection {
        do {
            let connection = try await KafkaConnection.connect(
                host: address.host,
                port: address.port,
                configuration: configuration.connection,
                eventLoopGroup: eventLoopGroup,
                logger: logger
            )
            var clusterID: String?
            if configuration.identifiesCluster {
                do {
                    let metadata = try await connection.request(MetadataRequest(topics: [], allowAutoTopicCreation: false))
                    clusterID = metadata.namedClusterID
                } catch {
                    await connection.close()
                    throw error
                }
            }
            if Task.isCancelled {
                await connection.close()
                throw KafkaClientError.cancelled
            }
            if isShutDown {
                await connection.close()
                throw KafkaClientError.shutDown
            }
            var link = links[route] ?? BrokerLink(backoff: configuration.reconnectBackoff)
            link.current = connection
            link.clusterID = clusterID
            link.attempt = nil
            link.notBefore = nil
            link.backoff.reset()
            links[route] = link
            return connection
        } catch {
            let error = KafkaConnection.transportError(error)
            var link = links[route] ?? BrokerLink(backoff: configuration.reconnectBackoff)
            link.attempt = nil
            if Self.isWorthRetrying(error) {
                let delay = link.backoff.nextDelay(using: &random)
                link.notBefore = .now + delay
                logger.debug(
                    "kafka connect failed, backing off",
                    metadata: [
                        "kafka.broker": "\(address)", "kafka.error": "\(error)", "kafka.backoff": "\(delay)",
                    ]
                )
            }
            links[route] = link
            throw error
        }
    }

    /// Closes every connection; every later call fails with ``KafkaClientError/shutDown``.
    public func shutdown() async {
        isShutDown = true
        refreshing?.cancel()
        for (route, link) in links {
            link.attempt?.cancel()
            if let current = link.current { await current.close() }
            links[route]?.current = nil
        }
    }

    private func sleep(until deadline: ContinuousClock.Instant) async throws(KafkaClientError) {
        do {
            try await Task.sleep(until: deadline, clock: .continuous)
        } catch {
            throw isShutDown ? .shutDown : .cancelled
        }
        if isShutDown { throw .shutDown }
    }

    /// Transport trouble is retried; a broker that answers but cannot be spoken to is not. A
    /// shared attempt another caller cancelled is retried by callers that were not cancelled.
    private static func isWorthRetrying(_ error: KafkaClientError) -> Bool {
        switch error {
        case .connectFailed, .connectionClosed, .requestTimedOut: true
        case .cancelled: !Task.isCancelled
        default: false
        }
    }

    // MARK: - Routes

    /// Where each partition's requests go: its leader, refreshed first when the topic is stale
    /// or a partition has no known leader; the bootstrap broker when Metadata names none (its
    /// answer then says why).
    public func routes(topic: String, partitions: [Int32]) async -> [Int32: BrokerRoute] {
        if view.isStale(topic) || partitions.contains(where: { view.route(to: TopicPartition(topic: topic, partition: $0)) == nil }) {
            await refreshIfDue(topic)
        }
        var routes: [Int32: BrokerRoute] = [:]
        for partition in partitions {
            routes[partition] = view.route(to: TopicPartition(topic: topic, partition: partition)) ?? .bootstrap
        }
        return routes
    }

    /// Marks `topic`'s routes stale: the next request routed by them refreshes Metadata first.
    private func invalidateRoutes(of topic: String) {
        view.markStale(topic)
    }

    /// Refreshes Metadata for `topic` (and every other stale topic), unless the last refresh's
    /// backoff has not passed; concurrent callers share one. Best effort: when no broker
    /// answers, the view stays as it was.
    private func refreshIfDue(_ topic: String) async {
        if let refreshing {
            await refreshing.value
            return
        }
        if let nextRefresh, ContinuousClock.now < nextRefresh { return }
        let topics = Array(view.stale.union([topic])).sorted()
        let task = Task { await self.refresh(topics) }
        refreshing = task
        await task.value
        refreshing = nil
    }

    private func refresh(_ topics: [String]) async {
        nextRefresh = .now + configuration.metadataRefreshInterval
        var helped = false
        if let connection = await reachableConnection() {
            do {
                let metadata = try await connection.request(
                    MetadataRequest(topics: topics, allowAutoTopicCreation: false))
                view.update(from: metadata)
                helped = metadata.topics.allSatisfy { topic in
                    topic.errorCode == .none && topic.partitions.allSatisfy { $0.leaderID >= 0 }
                }
            } catch {
                logger.debug("kafka metadata refresh failed", metadata: ["kafka.error": "\(error)"])
            }
        }
        if helped {
            refreshBackoff.reset()
        } else {
            nextRefresh = .now + refreshBackoff.nextDelay(using: &random)
        }
    }

    /// A connection to any broker without waiting: an open one, or one attempt at each broker
    /// not backing off; `nil` when none answers.
    private func reachableConnection() async -> KafkaConnection? {
        let routes = view.everyRoute
        if let live = routes.lazy.compactMap({ self.links[$0]?.live }).first { return live }
        for route in routes where links[route]?.isBackingOff(at: .now) != true {
            if let connection = try? await attempt(route) { return connection }
        }
        return nil
    }

    /// An open connection to `group`'s coordinator (FindCoordinator over any broker, remembered
    /// until a request to it fails). A broker without FindCoordinator is its own coordinator.
    /// Does not wait for a coordinator that is down: group requests are retried by their callers.
    private func coordinatorConnection(group: String) async throws(KafkaClientError) -> KafkaConnection {
        let route: BrokerRoute
        if let known = coordinators[group] {
            route = known
        } else {
            let any = try await connection()
            if any.versions.versions[.findCoordinator] == nil {
                route = .bootstrap
            } else {
                let answer = try await any.request(FindCoordinatorRequest(key: group))
                guard answer.errorCode == .none else { throw .broker(api: .findCoordinator, code: answer.errorCode) }
                let address = BrokerAddress(host: answer.host, port: Int(answer.port))
                view.learn(node: answer.nodeID, at: address)
                route = view.route(toNode: answer.nodeID) ?? .bootstrap
            }
            coordinators[group] = route
        }
        do {
            return try await connection(to: route, patient: false)
        } catch {
            coordinators[group] = nil
            throw error
        }
    }

    /// Sends `request` to `group`'s coordinator and returns its answer. The coordinator is
    /// forgotten, and found again by the next group request, when the request fails in transport
    /// or one of `codes(answer)` says the coordinator moved, is gone or is loading
    /// (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS): the one place
    /// every group request learns that.
    public func coordinatorRequest<Request: KafkaRequestMessage>(
        group: String, _ request: Request, timeout: TimeAmount? = nil,
        codes: @Sendable (Request.Response) -> [KafkaErrorCode]
    ) async throws(KafkaClientError) -> Request.Response {
        let connection = try await coordinatorConnection(group: group)
        let answer: Request.Response
        do {
            answer = try await connection.request(request, timeout: timeout)
        } catch {
            coordinators[group] = nil
            throw error
        }
        if codes(answer).contains(where: { [.notCoordinator, .coordinatorNotAvailable, .coordinatorLoadInProgress].contains($0) }) {
            coordinators[group] = nil
        }
        return answer
    }

    /// A live connection to the leader of the topic's `partitions` (which the caller grouped by
    /// ``routes(topic:partitions:)``), with that broker's cluster id.
    private func leaderConnection(topic: String, partitions: [Int32], patient: Bool = true)
        async throws(KafkaClientError) -> (connection: KafkaConnection, route: BrokerRoute)
    {
        let routes = await routes(topic: topic, partitions: partitions)
        let route = routes[partitions[0]] ?? .bootstrap
        let connection = try await connection(to: route, leading: (topic, partitions), patient: patient)
        return (connection, route)
    }

    // MARK: - Operations

    /// Topic metadata; `topics: nil` asks for every topic. With `allowAutoTopicCreation`
    /// (Metadata v4+) a broker that auto-creates topics creates the missing ones.
    public func metadata(topics: [String]?, allowAutoTopicCreation: Bool = true) async throws(KafkaClientError)
        -> MetadataResponse
    {
        let connection = try await connection()
        let metadata = try await connection.request(
            MetadataRequest(topics: topics, allowAutoTopicCreation: allowAutoTopicCreation)
        )
        view.update(from: metadata)
        return metadata
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
        let routes = await routes(topic: topic, partitions: batches.map(\.partition))
        let byRoute = Dictionary(grouping: batches, by: { routes[$0.partition] ?? .bootstrap })
        if byRoute.count > 1 {
            // Partitions led by different brokers: one request each, answers merged. A failed
            // request fails the whole (each batch is then resent, and deduplicated by sequence).
            var answers: [EventLoopFuture<[Int32: ProduceResult]>] = []
            for (_, part) in byRoute.sorted(by: { $0.value[0].partition < $1.value[0].partition }) {
                answers.append(try await enqueueProduce(topic: topic, batches: part, acks: acks, timeout: timeout))
            }
            let first = answers[0]
            return first.and(EventLoopFuture.whenAllSucceed(Array(answers.dropFirst()), on: first.eventLoop))
                .map { head, rest in rest.reduce(into: head) { $0.merge($1) { _, last in last } } }
        }
        let (connection, _) = try await leaderConnection(topic: topic, partitions: batches.map(\.partition))
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
        let answered = connection.send(request, timeout: waitLimit).map { response in
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
        answered.whenComplete { result in
            let codes: [KafkaErrorCode]
            switch result {
            case .success(let answers): codes = answers.values.map(\.errorCode)
            case .failure: codes = [.notLeaderOrFollower]
            }
            guard codes.contains(where: Self.suggestsStaleRoute) else { return }
            Task { await self.invalidateRoutes(of: topic) }
        }
        return answered
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
    /// comes back in ``FetchResult/errorCode``. Without `waitForLeader`, a leader that is down
    /// fails the call at once (one connection attempt at most) instead of being waited for, so a
    /// consumer reading many partitions keeps the others going.
    public func fetch(
        topic: String,
        partition: Int32,
        offset: Int64,
        maxBytes: Int32 = 1024 * 1024,
        maxWait: Duration = .milliseconds(500),
        minBytes: Int32 = 1,
        waitForLeader: Bool = true
    ) async throws(KafkaClientError) -> FetchResult {
        let (connection, route) = try await leaderConnection(
            topic: topic, partitions: [partition], patient: waitForLeader)
        let clusterID = links[route]?.clusterID
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
        let response: FetchResponse
        do {
            response = try await KafkaConnection.awaitValue(connection.send(request, timeout: waitLimit))
        } catch {
            view.markStale(topic)
            throw error
        }
        // v7+: a whole-request error (fetch sessions) comes with no topics; report it rather
        // than a missing partition.
        guard response.errorCode == .none else { throw .broker(api: .fetch, code: response.errorCode) }
        guard
            let answer = response.topics.first(where: { $0.name == topic })?
                .partitions.first(where: { $0.partitionIndex == partition })
        else { throw .missingPartition(api: .fetch, topic: topic, partition: partition) }
        if Self.suggestsStaleRoute(answer.errorCode) { view.markStale(topic) }
        return FetchResult(
            errorCode: answer.errorCode,
            highWatermark: answer.highWatermark,
            lastStableOffset: answer.lastStableOffset,
            logStartOffset: answer.logStartOffset,
            records: answer.records ?? ByteBuffer(),
            clusterID: clusterID
        )
    }

    /// The offset for `timestamp`: ``ListOffsetsRequest/earliestTimestamp`` (-2) gives the log
    /// start, ``ListOffsetsRequest/latestTimestamp`` (-1) the high watermark, a time in ms the
    /// first offset whose record timestamp is at or after it (-1 when there is none).
    ///
    /// Without `waitForLeader`, a leader that is down fails the call at once, as in
    /// ``fetch(topic:partition:offset:maxBytes:maxWait:minBytes:waitForLeader:)``.
    public func listOffsets(topic: String, partition: Int32, timestamp: Int64, waitForLeader: Bool = true)
        async throws(KafkaClientError) -> ListedOffset
    {
        let (connection, _) = try await leaderConnection(
            topic: topic, partitions: [partition], patient: waitForLeader)
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
        if Self.suggestsStaleRoute(answer.errorCode) { view.markStale(topic) }
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
        let response = try await coordinatorRequest(group: group, request) { response in
            response.topics.flatMap { $0.partitions.map(\.errorCode) }
        }
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
        let request = OffsetFetchRequest(
            groupID: group,
            topics: [OffsetFetchRequest.Topic(name: topic, partitionIndexes: [partition])]
        )
        let response = try await coordinatorRequest(group: group, request) { [$0.errorCode] }
        guard response.errorCode == .none else { throw .broker(api: .offsetFetch, code: response.errorCode) }
        guard
            let answer = response.topics.first(where: { $0.name == topic })?
                .partitions.first(where: { $0.partitionIndex == partition })
        else { throw .missingPartition(api: .offsetFetch, topic: topic, partition: partition) }
        guard answer.errorCode == .none else { throw .broker(api: .offsetFetch, code: answer.errorCode) }
        return answer.committedOffset >= 0 ? answer.committedOffset : nil
    }

    /// Answers after which the partition's leader may be elsewhere.
    static func suggestsStaleRoute(_ code: KafkaErrorCode) -> Bool {
        code == .notLeaderOrFollower || code == .unknownTopicOrPartition || code == .leaderNotAvailable
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
