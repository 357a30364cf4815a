import KafkaProtocol
import Logging
import NIOCore
import Synchronization

/// One member of a Kafka consumer group under the classic (eager) rebalance protocol, with
/// protocol type `consumer` and the `range` strategy, so it can share a group with kcat and
/// other Kafka consumers: join → the leader assigns (``RangeAssignor``) → sync → heartbeat
/// every ``Configuration/heartbeatInterval`` on a background task → leave.
///
/// The owner polls ``needsRejoin``: once the coordinator answers a heartbeat with
/// REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID, the partitions of the
/// current generation are no longer this member's to keep. The owner then finishes its work on
/// them (flush, commit with ``commit(topic:offsets:)`` — allowed while the group prepares the
/// rebalance) and calls ``join()`` again, which returns the next generation's assignment.
///
/// Every group request goes through `KafkaClient.coordinatorRequest(group:_:timeout:codes:)`,
/// which finds the coordinator again when it moved. JoinGroup and SyncGroup are parked by the coordinator until the other members catch up, so they wait up
/// to the rebalance timeout; heartbeats are not sent meanwhile (none is due: the join itself
/// shows the member is alive).
public actor GroupMembership {
    public struct Configuration: Sendable {
        public var group: String
        /// The topics this member subscribes to.
        public var topics: [String]
        /// Silence after which the coordinator drops the member and rebalances (kill -9: this
        /// long until the survivors take its partitions over).
        public var sessionTimeout: Duration
        /// How long the coordinator waits for every member to rejoin once a rebalance began;
        /// this member's flush-before-release must fit in it.
        public var rebalanceTimeout: Duration
        /// A third of the session timeout unless set: two heartbeats may be lost.
        public var heartbeatInterval: Duration

        public init(
            group: String, topics: [String], sessionTimeout: Duration = .seconds(10),
            rebalanceTimeout: Duration = .seconds(60), heartbeatInterval: Duration? = nil
        ) {
            self.group = group
            self.topics = topics
            self.sessionTimeout = sessionTimeout
            self.rebalanceTimeout = rebalanceTimeout
            self.heartbeatInterval = heartbeatInterval ?? sessionTimeout / 3
        }
    }

    /// This member's place in one generation of the group.
    public struct Generation: Sendable, Equatable {
        public var id: Int32
        public var memberID: String
        public var isLeader: Bool
        /// Topic → partitions this member owns in the generation (ascending).
        public var partitions: [String: [Int32]]
    }

    /// JoinGroup/SyncGroup rounds one ``join()`` makes before it gives up with the last error.
    static let maxJoinAttempts = 20

    public nonisolated let configuration: Configuration
    private let client: KafkaClient
    private let logger: Logger
    /// True until the first join and from the end of each generation until the next join.
    private let rejoin = Atomic<Bool>(true)
    private var memberID = ""
    private var generation: Generation?
    private var heartbeats: Task<Void, Never>?
    /// Set by ``leave()``: a join still running (abandoned by a stopping owner) must not make
    /// this member join again.
    private var hasLeft = false

    public init(client: KafkaClient, configuration: Configuration, logger: Logger) {
        self.client = client
        self.configuration = configuration
        self.logger = logger
    }

    /// Whether the coordinator has said that the current generation ended (or there is none):
    /// the owner must release its partitions and call ``join()``.
    public nonisolated var needsRejoin: Bool { rejoin.load(ordering: .acquiring) }

    /// The generation last joined, `nil` before the first join or after a leave.
    public var current: Generation? { generation }

    // MARK: - Joining

    /// Joins (or rejoins) the group and returns this member's assignment in the new generation;
    /// heartbeats run from here until the next rebalance, ``leave()`` or a failed join.
    ///
    /// - Throws: a transport error (the caller retries), or ``KafkaClientError/broker(api:code:)``
    ///   for an answer retrying cannot fix, or after ``maxJoinAttempts`` rounds that kept being
    ///   sent back (rebalance in progress, unknown member).
    public func join() async throws(KafkaClientError) -> Generation {
        stopHeartbeats()
        generation = nil
        rejoin.store(true, ordering: .releasing)
        var lastCode = KafkaErrorCode.none
        for attempt in 1...Self.maxJoinAttempts {
            if attempt > 1 { try await pause(.milliseconds(100 * min(attempt, 10))) }
            if hasLeft { throw .shutDown }
            let joined = try await client.coordinatorRequest(
                group: configuration.group, joinRequest(), timeout: waitLimit) { [$0.errorCode] }
            lastCode = joined.errorCode
            switch joined.errorCode {
            case .none: break
            case .memberIDRequired:  // JoinGroup v4+: join again with the id the coordinator gave.
                memberID = joined.memberID
                continue
            case .unknownMemberId, .illegalGeneration:
                memberID = ""
                continue
            case .rebalanceInProgress, .coordinatorLoadInProgress, .coordinatorNotAvailable, .notCoordinator:
                continue
            default:
                throw .broker(api: .joinGroup, code: joined.errorCode)
            }
            if hasLeft {
                // The owner left while this join was parked: leave as the member it made.
                memberID = joined.memberID
                await sendLeave()
                throw .shutDown
            }
            memberID = joined.memberID
            let isLeader = joined.leader == joined.memberID
            let assignments = isLeader ? try await leaderAssignments(members: joined.members) : []
            let synced = try await client.coordinatorRequest(
                group: configuration.group,
                SyncGroupRequest(
                    groupID: configuration.group, generationID: joined.generationID, memberID: memberID,
                    assignments: assignments),
                timeout: waitLimit) { [$0.errorCode] }
            lastCode = synced.errorCode
            switch synced.errorCode {
            case .none: break
            case .unknownMemberId:
                memberID = ""
                continue
            case .rebalanceInProgress, .illegalGeneration, .coordinatorLoadInProgress, .coordinatorNotAvailable,
                .notCoordinator:
                continue
            default:
                throw .broker(api: .syncGroup, code: synced.errorCode)
            }
            let assignment: ConsumerProtocolAssignment
            do {
                assignment = try ConsumerProtocolAssignment(bytes: synced.assignment)
            } catch {
                throw .malformedResponse(api: .syncGroup, error)
            }
            let joinedGeneration = Generation(
                id: joined.generationID, memberID: memberID, isLeader: isLeader, partitions: assignment.partitions)
            generation = joinedGeneration
            rejoin.store(false, ordering: .releasing)
            startHeartbeats(joinedGeneration)
            logger.info(
                "joined the consumer group",
                metadata: [
                    "group": "\(configuration.group)", "generation": "\(joined.generationID)",
                    "member.id": "\(memberID)", "leader": "\(isLeader)",
                    "assigned": "\(assignment.partitions.sorted { $0.key < $1.key })",
                ])
            return joinedGeneration
        }
        throw .broker(api: .joinGroup, code: lastCode)
    }

    private func joinRequest() throws(KafkaClientError) -> JoinGroupRequest {
        let subscription: [UInt8]
        do {
            subscription = try ConsumerProtocolSubscription(topics: configuration.topics).encoded()
        } catch {
            throw .encodingFailed(api: .joinGroup, error)
        }
        return JoinGroupRequest(
            groupID: configuration.group,
            sessionTimeoutMs: KafkaClient.milliseconds(configuration.sessionTimeout),
            rebalanceTimeoutMs: KafkaClient.milliseconds(configuration.rebalanceTimeout),
            memberID: memberID,
            protocolType: "consumer",
            protocols: [.init(name: RangeAssignor.name, metadata: subscription)])
    }

    /// The leader's SyncGroup payload: every member's subscription read from its metadata (a
    /// member whose metadata cannot be read subscribes to nothing and says so in the log), the
    /// topics' partition counts from the broker, then ``RangeAssignor``.
    private func leaderAssignments(
        members: [JoinGroupResponse.Member]
    ) async throws(KafkaClientError) -> [SyncGroupRequest.Assignment] {
        var subscriptions: [String: [String]] = [:]
        for member in members {
            do {
                subscriptions[member.memberID] = try ConsumerProtocolSubscription(bytes: member.metadata).topics
            } catch {
                logger.warning(
                    "a group member's subscription is unreadable; it gets no partitions",
                    metadata: ["member.id": "\(member.memberID)", "error": "\(error)"])
                subscriptions[member.memberID] = []
            }
        }
        let topics = Set(subscriptions.values.flatMap { $0 }).sorted()
        var counts: [String: Int] = [:]
        if !topics.isEmpty {
            let metadata = try await client.metadata(topics: topics, allowAutoTopicCreation: false)
            for topic in metadata.topics where topic.errorCode == .none {
                counts[topic.name] = topic.partitions.count
            }
        }
        let plan = RangeAssignor.assign(subscriptions: subscriptions, partitionCounts: counts)
        var assignments: [SyncGroupRequest.Assignment] = []
        for (member, partitions) in plan.sorted(by: { $0.key < $1.key }) {
            do {
                let bytes = try ConsumerProtocolAssignment(partitions: partitions).encoded()
                assignments.append(SyncGroupRequest.Assignment(memberID: member, assignment: bytes))
            } catch {
                throw .encodingFailed(api: .syncGroup, error)
            }
        }
        return assignments
    }

    // MARK: - Heartbeats

    private func startHeartbeats(_ joined: Generation) {
        let interval = configuration.heartbeatInterval
        heartbeats = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self, !Task.isCancelled else { return }
                if await !self.heartbeat(joined) { return }
            }
        }
    }

    private func stopHeartbeats() {
        heartbeats?.cancel()
        heartbeats = nil
    }

    /// Sends one heartbeat for `joined`; `false` once the generation is over (the flag is then
    /// set). A transport failure is not the end: the next heartbeat tries again, and the
    /// session timeout decides.
    private func heartbeat(_ joined: Generation) async -> Bool {
        guard generation == joined else { return false }
        do {
            let answer = try await client.coordinatorRequest(
                group: configuration.group,
                HeartbeatRequest(groupID: configuration.group, generationID: joined.id, memberID: joined.memberID)
            ) { [$0.errorCode] }
            switch answer.errorCode {
            case .none:
                return true
            case .rebalanceInProgress, .illegalGeneration, .unknownMemberId:
                guard generation == joined else { return false }
                if answer.errorCode == .unknownMemberId { memberID = "" }
                logger.info(
                    "the consumer group is rebalancing; releasing this generation's partitions",
                    metadata: [
                        "group": "\(configuration.group)", "generation": "\(joined.id)",
                        "answer": "\(answer.errorCode)",
                    ])
                rejoin.store(true, ordering: .releasing)
                return false
            default:
                logger.warning(
                    "heartbeat answered with an error",
                    metadata: ["group": "\(configuration.group)", "error": "\(answer.errorCode)"])
                return true
            }
        } catch {
            logger.debug(
                "heartbeat failed; trying again", metadata: ["group": "\(configuration.group)", "error": "\(error)"])
            return true
        }
    }

    // MARK: - Offsets and leaving

    /// Commits `offsets` (partition → next offset to read) of `topic` as this member of the
    /// current generation — what the coordinator accepts from a member, also while a rebalance
    /// is being prepared (commit before release).
    public func commit(topic: String, offsets: [Int32: Int64]) async throws(KafkaClientError) {
        guard let generation else { throw .broker(api: .offsetCommit, code: .unknownMemberId) }
        guard !offsets.isEmpty else { return }
        let request = OffsetCommitRequest(
            groupID: configuration.group, generationID: generation.id, memberID: generation.memberID,
            topics: [
                OffsetCommitRequest.Topic(
                    name: topic,
                    partitions: offsets.sorted { $0.key < $1.key }.map {
                        OffsetCommitRequest.Partition(
                            partitionIndex: $0.key, committedOffset: $0.value, committedMetadata: nil)
                    })
            ])
        let response = try await client.coordinatorRequest(group: configuration.group, request) { response in
            response.topics.flatMap { $0.partitions.map(\.errorCode) }
        }
        for partition in offsets.keys.sorted() {
            guard
                let answer = response.topics.first(where: { $0.name == topic })?
                    .partitions.first(where: { $0.partitionIndex == partition })
            else { throw .missingPartition(api: .offsetCommit, topic: topic, partition: partition) }
            guard answer.errorCode == .none else { throw .broker(api: .offsetCommit, code: answer.errorCode) }
        }
    }

    /// Leaves the group (the others rebalance at once instead of after the session timeout).
    /// Best effort: a failure only means the coordinator waits for the session to time out.
    public func leave() async {
        hasLeft = true
        stopHeartbeats()
        generation = nil
        rejoin.store(true, ordering: .releasing)
        await sendLeave()
    }

    /// LeaveGroup for the current member id, if any; forgets the id.
    private func sendLeave() async {
        guard !memberID.isEmpty else { return }
        let leaving = memberID
        memberID = ""
        do {
            let answer = try await client.coordinatorRequest(
                group: configuration.group,
                LeaveGroupRequest(groupID: configuration.group, members: [LeaveGroupRequest.Member(memberID: leaving)])
            ) { [$0.errorCode] }
            logger.info(
                "left the consumer group", metadata: ["group": "\(configuration.group)", "answer": "\(answer.errorCode)"])
        } catch {
            logger.warning(
                "leaving the consumer group failed", metadata: ["group": "\(configuration.group)", "error": "\(error)"])
        }
    }

    // MARK: - Helpers

    /// How long a parked JoinGroup/SyncGroup may take: the rebalance timeout, plus margin.
    private var waitLimit: NIOCore.TimeAmount {
        KafkaClient.timeAmount(configuration.rebalanceTimeout + .seconds(5))
    }

    private func pause(_ duration: Duration) async throws(KafkaClientError) {
        do {
            try await Task.sleep(for: duration)
        } catch {
            throw .cancelled
        }
    }
}
