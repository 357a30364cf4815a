import KafkaProtocol

/// One consumer group's membership under Kafka's classic rebalance protocol (JoinGroup,
/// SyncGroup, Heartbeat, LeaveGroup), as a pure state machine: no clock, no sockets, no
/// promises. Requests that must wait (a join until every member has rejoined, a sync until the
/// leader sent the assignment) are parked under a `Ticket`; each call returns the parked
/// requests it settled, and `expire(now:)` applies the session and rebalance deadlines.
/// `GroupCoordinator` wraps it with a lock, promises and a timer.
///
/// States (Kafka's names, what DescribeGroups shows):
/// - `Empty`: no members (offsets may still be committed with generation -1).
/// - `PreparingRebalance`: members are (re)joining; joins are parked until every known member
///   has rejoined or the rebalance timeout passed (members that did not rejoin are removed).
/// - `CompletingRebalance`: the generation is formed; syncs are parked until the leader's
///   SyncGroup brings the assignment.
/// - `Stable`: every member has its assignment; heartbeats answer NONE.
///
/// Invariants:
/// - `generationID` grows by one each time a join phase completes (also when it completes with
///   no members left: the old generation's commits must then fail).
/// - A member id is known iff it is in `members`; a parked join or sync belongs to a known
///   member, except a join parked for a member removed meanwhile, which is settled with
///   UNKNOWN_MEMBER_ID at once.
/// - In `CompletingRebalance` and `Stable`, `leaderID` is a member and `protocolName` is set.
public struct ConsumerGroup: Sendable {
    public typealias Ticket = UInt64

    public enum State: String, Sendable {
        case empty = "Empty"
        case preparingRebalance = "PreparingRebalance"
        case completingRebalance = "CompletingRebalance"
        case stable = "Stable"
    }

    public struct Member: Sendable, Equatable {
        public var memberID: String
        public var groupInstanceID: String?
        public var clientID: String
        public var clientHost: String
        public var sessionTimeout: Duration
        public var rebalanceTimeout: Duration
        /// The protocols the member supports, in its order of preference (name, metadata).
        public var protocols: [(name: String, metadata: [UInt8])]
        /// What the leader assigned it in the current generation.
        public var assignment: [UInt8] = []
        /// Last sign of life (join, sync, heartbeat): the session timeout counts from here.
        public var lastSeen: ContinuousClock.Instant

        public static func == (lhs: Member, rhs: Member) -> Bool {
            lhs.memberID == rhs.memberID && lhs.groupInstanceID == rhs.groupInstanceID && lhs.clientID == rhs.clientID
                && lhs.clientHost == rhs.clientHost && lhs.sessionTimeout == rhs.sessionTimeout
                && lhs.rebalanceTimeout == rhs.rebalanceTimeout
                && lhs.protocols.map(\.name) == rhs.protocols.map(\.name)
                && lhs.protocols.map(\.metadata) == rhs.protocols.map(\.metadata)
                && lhs.assignment == rhs.assignment && lhs.lastSeen == rhs.lastSeen
        }

        func metadata(for protocolName: String) -> [UInt8] {
            protocols.first { $0.name == protocolName }?.metadata ?? []
        }
    }

    /// What a JoinGroup gets: an error, or its place in the new generation.
    public struct JoinResult: Sendable, Equatable {
        public var errorCode: KafkaErrorCode
        public var generationID: Int32
        public var protocolName: String
        public var leaderID: String
        public var memberID: String
        /// Every member and its metadata for the chosen protocol — for the leader only (it
        /// computes the assignment); empty for the others.
        public var members: [(memberID: String, groupInstanceID: String?, metadata: [UInt8])]

        static func failure(_ code: KafkaErrorCode, memberID: String = "") -> JoinResult {
            JoinResult(errorCode: code, generationID: -1, protocolName: "", leaderID: "", memberID: memberID, members: [])
        }

        public static func == (lhs: JoinResult, rhs: JoinResult) -> Bool {
            lhs.errorCode == rhs.errorCode && lhs.generationID == rhs.generationID
                && lhs.protocolName == rhs.protocolName && lhs.leaderID == rhs.leaderID && lhs.memberID == rhs.memberID
                && lhs.members.map(\.memberID) == rhs.members.map(\.memberID)
                && lhs.members.map(\.groupInstanceID) == rhs.members.map(\.groupInstanceID)
                && lhs.members.map(\.metadata) == rhs.members.map(\.metadata)
        }
    }

    /// What a SyncGroup gets: an error, or the member's assignment.
    public struct SyncResult: Sendable, Equatable {
        public var errorCode: KafkaErrorCode
        public var assignment: [UInt8]
    }

    /// Requests parked before and settled by a call.
    public struct Settled: Sendable {
        public var joins: [(Ticket, JoinResult)] = []
        public var syncs: [(Ticket, SyncResult)] = []
        public var isEmpty: Bool { joins.isEmpty && syncs.isEmpty }
    }

    /// A JoinGroup's data, as the coordinator passes it in.
    public struct JoinRequest: Sendable {
        public var memberID: String
        public var groupInstanceID: String?
        public var clientID: String
        public var clientHost: String
        public var sessionTimeout: Duration
        public var rebalanceTimeout: Duration
        public var protocolType: String
        public var protocols: [(name: String, metadata: [UInt8])]

        public init(
            memberID: String, groupInstanceID: String? = nil, clientID: String, clientHost: String,
            sessionTimeout: Duration, rebalanceTimeout: Duration, protocolType: String,
            protocols: [(name: String, metadata: [UInt8])]
        ) {
            self.memberID = memberID
            self.groupInstanceID = groupInstanceID
            self.clientID = clientID
            self.clientHost = clientHost
            self.sessionTimeout = sessionTimeout
            self.rebalanceTimeout = rebalanceTimeout
            self.protocolType = protocolType
            self.protocols = protocols
        }
    }

    public let groupID: String
    public private(set) var state: State = .empty
    public private(set) var generationID: Int32 = 0
    /// Set by the first join; kept when the group empties (Kafka lists an `Empty` group with
    /// the protocol type it had), replaced by the next first member's.
    public private(set) var protocolType: String?
    public private(set) var protocolName: String?
    public private(set) var leaderID: String?
    /// Members in the order they first joined (the leader is the first one still present).
    public private(set) var members: [Member] = []
    /// Joins parked in `PreparingRebalance`, by member id.
    private var parkedJoins: [String: Ticket] = [:]
    /// Syncs parked in `CompletingRebalance`, by member id.
    private var parkedSyncs: [String: Ticket] = [:]
    /// When the join phase ends whoever has not rejoined (`PreparingRebalance` only).
    private var rebalanceDeadline: ContinuousClock.Instant?

    public init(groupID: String) {
        self.groupID = groupID
    }

    // MARK: - JoinGroup

    /// Handles a JoinGroup. `newMemberID` is the id to give a member that joins without one.
    /// Returns `nil` when the join is parked under `ticket` (it is then settled by a later call),
    /// or the immediate answer; plus whatever else the join settled.
    public mutating func join(
        _ request: JoinRequest, ticket: Ticket, newMemberID: String, now: ContinuousClock.Instant
    ) -> (answer: JoinResult?, settled: Settled) {
        var settled = Settled()
        if let protocolType, !members.isEmpty, protocolType != request.protocolType {
            return (.failure(.inconsistentGroupProtocol, memberID: request.memberID), settled)
        }
        if request.protocols.isEmpty || !members.isEmpty && commonProtocols(adding: request.protocols).isEmpty {
            return (.failure(.inconsistentGroupProtocol, memberID: request.memberID), settled)
        }
        var memberID = request.memberID
        if memberID.isEmpty {
            memberID = newMemberID
            members.append(
                Member(
                    memberID: memberID, groupInstanceID: request.groupInstanceID, clientID: request.clientID,
                    clientHost: request.clientHost, sessionTimeout: request.sessionTimeout,
                    rebalanceTimeout: request.rebalanceTimeout, protocols: request.protocols, lastSeen: now))
        } else {
            guard let index = members.firstIndex(where: { $0.memberID == memberID }) else {
                return (.failure(.unknownMemberId, memberID: memberID), settled)
            }
            // A member that joins again with the same protocols while the generation stands (a
            // retry after a lost answer) gets the generation as it is, as in Kafka; only the
            // leader of a stable group rejoining, or changed protocols, start a rebalance.
            let unchanged =
                members[index].protocols.map(\.name) == request.protocols.map(\.name)
                && members[index].protocols.map(\.metadata) == request.protocols.map(\.metadata)
            if unchanged, state == .completingRebalance || state == .stable && memberID != leaderID {
                members[index].lastSeen = now
                return (currentJoinResult(for: memberID), settled)
            }
            members[index].protocols = request.protocols
            members[index].sessionTimeout = request.sessionTimeout
            members[index].rebalanceTimeout = request.rebalanceTimeout
            members[index].lastSeen = now
        }
        protocolType = request.protocolType
        if let previous = parkedJoins[memberID] {
            // A member that joins again while parked (its client gave up waiting): the old
            // request gets an error, the new one waits in its place.
            settled.joins.append((previous, .failure(.unknownMemberId, memberID: memberID)))
        }
        parkedJoins[memberID] = ticket
        if state != .preparingRebalance { settled.merge(startRebalance(now: now)) }
        settled.merge(completeJoinIfReady(now: now))
        return (nil, settled)
    }

    /// Protocols every member (and the joining one's list) supports.
    private func commonProtocols(adding protocols: [(name: String, metadata: [UInt8])]) -> Set<String> {
        var common = Set(protocols.map(\.name))
        for member in members { common.formIntersection(member.protocols.map(\.name)) }
        return common
    }

    /// Moves to `PreparingRebalance`: parked syncs learn that a rebalance began, and every
    /// member must rejoin within the largest rebalance timeout.
    private mutating func startRebalance(now: ContinuousClock.Instant) -> Settled {
        var settled = Settled()
        for (_, ticket) in parkedSyncs { settled.syncs.append((ticket, SyncResult(errorCode: .rebalanceInProgress, assignment: []))) }
        parkedSyncs.removeAll()
        state = .preparingRebalance
        let longest = members.map(\.rebalanceTimeout).max() ?? .zero
        rebalanceDeadline = now + longest
        return settled
    }

    /// Ends the join phase when every member has rejoined, or — `force` — with those that have.
    private mutating func completeJoinIfReady(now: ContinuousClock.Instant, force: Bool = false) -> Settled {
        var settled = Settled()
        guard state == .preparingRebalance else { return settled }
        if !force && members.contains(where: { parkedJoins[$0.memberID] == nil }) { return settled }
        // Members that did not rejoin in time leave the group.
        members.removeAll { parkedJoins[$0.memberID] == nil }
        generationID &+= 1
        rebalanceDeadline = nil
        guard !members.isEmpty else {
            state = .empty
            protocolName = nil
            leaderID = nil
            return settled
        }
        let chosen = chooseProtocol()
        protocolName = chosen
        if leaderID == nil || !members.contains(where: { $0.memberID == leaderID }) { leaderID = members[0].memberID }
        state = .completingRebalance
        for index in members.indices {
            members[index].assignment = []
            members[index].lastSeen = now
        }
        for member in members {
            guard let ticket = parkedJoins[member.memberID] else { continue }
            settled.joins.append((ticket, currentJoinResult(for: member.memberID)))
        }
        parkedJoins.removeAll()
        return settled
    }

    /// The current generation as `memberID` gets it: the leader with every member's metadata
    /// for the chosen protocol (it computes the assignment), the others without.
    /// - Precondition: a formed generation (`CompletingRebalance` or `Stable`).
    private func currentJoinResult(for memberID: String) -> JoinResult {
        let chosen = protocolName ?? ""
        let everyone = memberID == leaderID
            ? members.map { ($0.memberID, $0.groupInstanceID, $0.metadata(for: chosen)) } : []
        return JoinResult(
            errorCode: .none, generationID: generationID, protocolName: chosen, leaderID: leaderID ?? "",
            memberID: memberID, members: everyone)
    }

    /// Kafka's vote: each member votes for its most preferred protocol that every member
    /// supports; the most votes win (ties: the leader-to-be's preference order).
    private func chooseProtocol() -> String {
        let common = commonProtocols(adding: members[0].protocols)
        var votes: [String: Int] = [:]
        for member in members {
            if let favourite = member.protocols.first(where: { common.contains($0.name) }) {
                votes[favourite.name, default: 0] += 1
            }
        }
        var best = ""
        var bestVotes = -1
        for name in members[0].protocols.map(\.name) where common.contains(name) {
            let count = votes[name] ?? 0
            if count > bestVotes {
                best = name
                bestVotes = count
            }
        }
        return best
    }

    // MARK: - SyncGroup

    /// Handles a SyncGroup: `nil` when parked under `ticket` (waiting for the leader's
    /// assignment), else the answer; plus whatever else it settled (the leader's sync
    /// settles every parked one).
    public mutating func sync(
        memberID: String, generationID: Int32, assignments: [(memberID: String, assignment: [UInt8])],
        ticket: Ticket, now: ContinuousClock.Instant
    ) -> (answer: SyncResult?, settled: Settled) {
        var settled = Settled()
        guard let index = members.firstIndex(where: { $0.memberID == memberID }) else {
            return (SyncResult(errorCode: .unknownMemberId, assignment: []), settled)
        }
        guard generationID == self.generationID else {
            return (SyncResult(errorCode: .illegalGeneration, assignment: []), settled)
        }
        members[index].lastSeen = now
        switch state {
        case .empty, .preparingRebalance:
            return (SyncResult(errorCode: .rebalanceInProgress, assignment: []), settled)
        case .stable:
            return (SyncResult(errorCode: .none, assignment: members[index].assignment), settled)
        case .completingRebalance:
            if memberID == leaderID {
                let given = Dictionary(assignments.map { ($0.memberID, $0.assignment) }, uniquingKeysWith: { $1 })
                for member in members.indices { members[member].assignment = given[members[member].memberID] ?? [] }
                state = .stable
                for (parked, parkedTicket) in parkedSyncs {
                    let assignment = members.first { $0.memberID == parked }?.assignment ?? []
                    settled.syncs.append((parkedTicket, SyncResult(errorCode: .none, assignment: assignment)))
                }
                parkedSyncs.removeAll()
                return (SyncResult(errorCode: .none, assignment: members[index].assignment), settled)
            }
            if let previous = parkedSyncs[memberID] {
                settled.syncs.append((previous, SyncResult(errorCode: .rebalanceInProgress, assignment: [])))
            }
            parkedSyncs[memberID] = ticket
            return (nil, settled)
        }
    }

    // MARK: - Heartbeat, LeaveGroup, deadlines

    /// Handles a Heartbeat: the error code to answer with.
    public mutating func heartbeat(memberID: String, generationID: Int32, now: ContinuousClock.Instant) -> KafkaErrorCode {
        guard let index = members.firstIndex(where: { $0.memberID == memberID }) else { return .unknownMemberId }
        guard generationID == self.generationID else { return .illegalGeneration }
        members[index].lastSeen = now
        return state == .preparingRebalance ? .rebalanceInProgress : .none
    }

    /// Handles one member of a LeaveGroup: the member's error code, and what its leaving settled.
    public mutating func leave(memberID: String, now: ContinuousClock.Instant) -> (KafkaErrorCode, Settled) {
        guard members.contains(where: { $0.memberID == memberID }) else { return (.unknownMemberId, Settled()) }
        return (.none, remove([memberID], now: now))
    }

    /// Removes members whose session timed out, and ends a join phase whose rebalance timeout
    /// passed. Returns what that settled.
    public mutating func expire(now: ContinuousClock.Instant) -> Settled {
        var settled = Settled()
        // A member parked in a join or a sync is waiting on us, not silent: its session does not
        // run out.
        let silent = members.filter { !isParked($0.memberID) && now - $0.lastSeen > $0.sessionTimeout }
        if !silent.isEmpty { settled.merge(remove(silent.map(\.memberID), now: now)) }
        if state == .preparingRebalance, let rebalanceDeadline, now >= rebalanceDeadline {
            settled.merge(completeJoinIfReady(now: now, force: true))
        }
        return settled
    }

    /// The earliest instant at which `expire` may have something to do, or `nil`.
    public var nextDeadline: ContinuousClock.Instant? {
        let sessions = members.filter { !isParked($0.memberID) }.map { $0.lastSeen + $0.sessionTimeout }
        return (sessions + [rebalanceDeadline].compactMap { $0 }).min()
    }

    private func isParked(_ memberID: String) -> Bool {
        parkedJoins[memberID] != nil || parkedSyncs[memberID] != nil
    }

    /// Takes members out; the others must rejoin (a rebalance starts), unless none is left.
    private mutating func remove(_ ids: [String], now: ContinuousClock.Instant) -> Settled {
        var settled = Settled()
        let leaving = Set(ids)
        for id in ids {
            if let ticket = parkedJoins.removeValue(forKey: id) { settled.joins.append((ticket, .failure(.unknownMemberId, memberID: id))) }
            if let ticket = parkedSyncs.removeValue(forKey: id) {
                settled.syncs.append((ticket, SyncResult(errorCode: .unknownMemberId, assignment: [])))
            }
        }
        members.removeAll { leaving.contains($0.memberID) }
        if leaderID.map(leaving.contains) == true { leaderID = nil }
        if members.isEmpty {
            for (_, ticket) in parkedSyncs { settled.syncs.append((ticket, SyncResult(errorCode: .rebalanceInProgress, assignment: []))) }
            parkedSyncs.removeAll()
            if state != .empty {
                generationID &+= 1
                state = .empty
            }
            protocolName = nil
            rebalanceDeadline = nil
            return settled
        }
        if state != .preparingRebalance { settled.merge(startRebalance(now: now)) }
        settled.merge(completeJoinIfReady(now: now))
        return settled
    }

    /// Whether a commit with this generation and member may store offsets now: the error to
    /// answer with, or `.none` (Kafka's rules). Generation -1 (no membership) is allowed only
    /// while the group has no members. A member of the current generation may commit while the
    /// group prepares a rebalance — that is when clients commit before giving partitions up —
    /// but not while the new generation waits for its assignment (it may own other
    /// partitions then). An accepted commit counts as a sign of life.
    public mutating func checkCommit(generationID: Int32, memberID: String, now: ContinuousClock.Instant) -> KafkaErrorCode {
        if generationID < 0 { return members.isEmpty ? .none : .unknownMemberId }
        guard let index = members.firstIndex(where: { $0.memberID == memberID }) else { return .unknownMemberId }
        guard generationID == self.generationID else { return .illegalGeneration }
        guard state != .completingRebalance else { return .rebalanceInProgress }
        members[index].lastSeen = now
        return .none
    }
}

extension ConsumerGroup.Settled {
    mutating func merge(_ other: ConsumerGroup.Settled) {
        joins += other.joins
        syncs += other.syncs
    }
}
