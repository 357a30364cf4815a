import Foundation
import KafkaProtocol
import NIOCore
import Synchronization

/// The broker as its own group coordinator: every group's `ConsumerGroup` behind one lock, the
/// promises of parked JoinGroup and SyncGroup requests, and a ticker that applies session and
/// rebalance timeouts. Parked requests never block an event loop: the dispatcher answers them
/// as held responses (`DispatchOutcome.held`), which keep their place in the connection's
/// response order.
///
/// Membership lives in memory (after a restart members rejoin, as clients do when their
/// coordinator goes away); committed offsets are durable in `CommittedOffsetStore`.
public final class GroupCoordinator: Sendable {
    /// Session timeouts a member may ask for (Kafka's `group.min/max.session.timeout.ms`; the
    /// minimum is lower than Kafka's 6 s so tests can use short ones).
    public static let sessionTimeouts: ClosedRange<Duration> = .seconds(1) ... .seconds(1800)
    /// How often deadlines are checked: the granularity of session expiry.
    static let tickInterval: Duration = .milliseconds(100)

    private struct State {
        var groups: [String: ConsumerGroup] = [:]
        /// The protocol types of groups forgotten once empty, at most `maxGroups` of them.
        var formerProtocolTypes: FormerProtocolTypes
        /// Groups a DeleteGroups is deleting now (its file I/O runs outside this lock), with
        /// how many DeleteGroups for the group are under way (two may overlap; the offset
        /// store orders their file work). Invariant: a group in here has no members — it had
        /// none when marked, and JoinGroup refuses it until the mark is gone.
        var deletions: [String: Int] = [:]
        var joins: [ConsumerGroup.Ticket: EventLoopPromise<ConsumerGroup.JoinResult>] = [:]
        var syncs: [ConsumerGroup.Ticket: EventLoopPromise<ConsumerGroup.SyncResult>] = [:]
        var nextTicket: ConsumerGroup.Ticket = 0
        var ticker: Task<Void, Never>?
        var isShutDown = false

        init(maxGroups: Int) {
            formerProtocolTypes = FormerProtocolTypes(capacity: maxGroups)
        }

        /// Stores `group` back, or forgets it once it has no members (its generation no longer
        /// matters: every old member id is unknown to a new group).
        mutating func store(_ group: ConsumerGroup) {
            guard group.state == .empty && group.members.isEmpty else {
                groups[group.groupID] = group
                return
            }
            groups[group.groupID] = nil
            if let type = group.protocolType { formerProtocolTypes.remember(type, for: group.groupID) }
        }

        mutating func ticket() -> ConsumerGroup.Ticket {
            nextTicket &+= 1
            return nextTicket
        }

        /// Takes the promises of `settled` out, to be completed outside the lock.
        mutating func promises(of settled: ConsumerGroup.Settled) -> Completions {
            var completions = Completions()
            for (ticket, result) in settled.joins {
                if let promise = joins.removeValue(forKey: ticket) { completions.joins.append((promise, result)) }
            }
            for (ticket, result) in settled.syncs {
                if let promise = syncs.removeValue(forKey: ticket) { completions.syncs.append((promise, result)) }
            }
            return completions
        }
    }

    private struct Completions {
        var joins: [(EventLoopPromise<ConsumerGroup.JoinResult>, ConsumerGroup.JoinResult)] = []
        var syncs: [(EventLoopPromise<ConsumerGroup.SyncResult>, ConsumerGroup.SyncResult)] = []

        func complete() {
            for (promise, result) in joins { promise.succeed(result) }
            for (promise, result) in syncs { promise.succeed(result) }
        }
    }

    private let state: Mutex<State>
    /// Most groups held in memory at once (empty groups are forgotten), and most protocol
    /// types of forgotten groups remembered.
    private let maxGroups: Int

    public init(maxGroups: Int = 10_000) {
        self.maxGroups = maxGroups
        self.state = Mutex(State(maxGroups: max(0, maxGroups)))
    }

    // MARK: - Requests

    /// JoinGroup: answered at once (an error) or when the group's join phase ends.
    ///
    /// A group that a DeleteGroups is deleting answers COORDINATOR_LOAD_IN_PROGRESS: a member
    /// joining then would give the group a member after the deletion checked it had none, and
    /// the deletion would drop the offsets of a live group. The code is retriable everywhere:
    /// the Java consumer backs off and sends the JoinGroup again (`AbstractCoordinator`:
    /// "Coordinator is loading the group"), librdkafka returns to its join state and joins
    /// again at its join interval without surfacing an error, kafka-python retries the
    /// retriable error. Unlike COORDINATOR_NOT_AVAILABLE (what Kafka answers for a group it
    /// has just marked Dead) it does not send the client back to FindCoordinator for an
    /// answer that would name this broker again; unlike REBALANCE_IN_PROGRESS, which older
    /// clients do not expect on a JoinGroup, it is in every client's JoinGroup handling. The
    /// mark lasts one file removal, so the retry normally finds the group gone and starts it
    /// afresh.
    public func join(
        groupID: String, _ request: ConsumerGroup.JoinRequest, on eventLoop: any EventLoop
    ) -> EventLoopFuture<ConsumerGroup.JoinResult> {
        guard !groupID.isEmpty, groupID.utf8.count <= CommittedOffsetStore.maxGroupIDBytes else {
            return eventLoop.makeSucceededFuture(.failure(.invalidGroupID))
        }
        guard Self.sessionTimeouts.contains(request.sessionTimeout) else {
            return eventLoop.makeSucceededFuture(.failure(.invalidSessionTimeout, memberID: request.memberID))
        }
        let promise = eventLoop.makePromise(of: ConsumerGroup.JoinResult.self)
        let newMemberID = "\(request.clientID.isEmpty ? "member" : request.clientID)-\(UUID().uuidString.lowercased())"
        let (answer, completions) = state.withLock { state -> (ConsumerGroup.JoinResult?, Completions) in
            guard !state.isShutDown else { return (.failure(.coordinatorNotAvailable), Completions()) }
            guard state.deletions[groupID] == nil else {
                return (.failure(.coordinatorLoadInProgress, memberID: request.memberID), Completions())
            }
            if state.groups[groupID] == nil && state.groups.count >= maxGroups {
                return (.failure(.coordinatorNotAvailable), Completions())
            }
            startTickerIfNeeded(&state)
            let ticket = state.ticket()
            state.joins[ticket] = promise
            var group = state.groups[groupID] ?? ConsumerGroup(groupID: groupID)
            let (answer, settled) = group.join(request, ticket: ticket, newMemberID: newMemberID, now: .now)
            state.store(group)
            if answer != nil { state.joins[ticket] = nil }
            return (answer, state.promises(of: settled))
        }
        completions.complete()
        if let answer { promise.succeed(answer) }
        return promise.futureResult
    }

    /// SyncGroup: answered at once, or (followers in `CompletingRebalance`) when the leader
    /// sends the assignment.
    public func sync(
        groupID: String, memberID: String, generationID: Int32,
        assignments: [(memberID: String, assignment: [UInt8])], on eventLoop: any EventLoop
    ) -> EventLoopFuture<ConsumerGroup.SyncResult> {
        guard !groupID.isEmpty else {
            return eventLoop.makeSucceededFuture(ConsumerGroup.SyncResult(errorCode: .invalidGroupID, assignment: []))
        }
        let promise = eventLoop.makePromise(of: ConsumerGroup.SyncResult.self)
        let (answer, completions) = state.withLock { state -> (ConsumerGroup.SyncResult?, Completions) in
            guard !state.isShutDown else {
                return (ConsumerGroup.SyncResult(errorCode: .coordinatorNotAvailable, assignment: []), Completions())
            }
            guard var group = state.groups[groupID] else {
                return (ConsumerGroup.SyncResult(errorCode: .unknownMemberId, assignment: []), Completions())
            }
            let ticket = state.ticket()
            state.syncs[ticket] = promise
            let (answer, settled) = group.sync(
                memberID: memberID, generationID: generationID, assignments: assignments, ticket: ticket, now: .now)
            state.store(group)
            if answer != nil { state.syncs[ticket] = nil }
            return (answer, state.promises(of: settled))
        }
        completions.complete()
        if let answer { promise.succeed(answer) }
        return promise.futureResult
    }

    /// Heartbeat: the error code to answer with.
    public func heartbeat(groupID: String, memberID: String, generationID: Int32) -> KafkaErrorCode {
        guard !groupID.isEmpty else { return .invalidGroupID }
        return state.withLock { state in
            guard !state.isShutDown else { return .coordinatorNotAvailable }
            guard var group = state.groups[groupID] else { return .unknownMemberId }
            let code = group.heartbeat(memberID: memberID, generationID: generationID, now: .now)
            state.store(group)
            return code
        }
    }

    /// LeaveGroup: one error code per member, in order.
    public func leave(groupID: String, memberIDs: [String]) -> [KafkaErrorCode] {
        guard !groupID.isEmpty else { return memberIDs.map { _ in .invalidGroupID } }
        let (codes, completions) = state.withLock { state -> ([KafkaErrorCode], Completions) in
            guard var group = state.groups[groupID] else {
                return (memberIDs.map { _ in .unknownMemberId }, Completions())
            }
            var codes: [KafkaErrorCode] = []
            var settled = ConsumerGroup.Settled()
            for memberID in memberIDs {
                let (code, more) = group.leave(memberID: memberID, now: .now)
                codes.append(code)
                settled.merge(more)
            }
            state.store(group)
            return (codes, state.promises(of: settled))
        }
        completions.complete()
        return codes
    }

    /// Whether an OffsetCommit may store offsets for this group now (`ConsumerGroup.checkCommit`);
    /// a group without members accepts commits with generation -1 only.
    public func checkCommit(groupID: String, generationID: Int32, memberID: String) -> KafkaErrorCode {
        state.withLock { state in
            guard var group = state.groups[groupID] else {
                return generationID < 0 ? .none : .illegalGeneration
            }
            let code = group.checkCommit(generationID: generationID, memberID: memberID, now: .now)
            state.store(group)
            return code
        }
    }

    /// What ``delete(groupID:committedOffsets:)`` did.
    public enum Deletion: Sendable, Equatable {
        /// The group and its committed offsets are gone.
        case deleted
        /// Neither this coordinator nor the offset store knew the group: GROUP_ID_NOT_FOUND.
        case notFound
        /// The group has members: NON_EMPTY_GROUP (Kafka deletes only Empty and Dead groups).
        case hasMembers
    }

    /// DeleteGroups for one group: forgets it and drops its committed offsets. Three steps, so
    /// that no group's requests wait on the removal's disk flush:
    /// 1. Under the coordinator's lock: a group with members is refused; otherwise the group
    ///    is marked as being deleted (`State.deletions`), so no member joins it from here on.
    /// 2. Outside the lock: the offset store removes the group's file (unlink + directory
    ///    fsync) and drops its commits.
    /// 3. Under the lock again: the mark is cleared, and — when the commits are gone — the
    ///    group and its remembered protocol type are forgotten.
    ///
    /// State after each failure point (the offset store keeps memory and disk in agreement,
    /// see ``OffsetsDeletionFailure``):
    /// - `unlink` fails: the file and the commits stay, the group is kept as it was (its
    ///   protocol type too); the error is thrown.
    /// - The directory's fsync fails after the unlink: the file is gone, and a restart would
    ///   not find it either, so the group is deleted in memory too (as on success); the
    ///   storage error is still thrown, so the client hears that the deletion is not known to
    ///   be durable.
    /// In every case the mark is cleared before returning or throwing: a JoinGroup refused
    /// meanwhile succeeds on its retry.
    /// - Throws: ``OffsetsDeletionFailure`` from the offset store.
    public func delete(
        groupID: String, committedOffsets: CommittedOffsetStore
    ) throws(OffsetsDeletionFailure) -> Deletion {
        let wasKnown = state.withLock { state -> Bool? in
            if let known = state.groups[groupID], !known.members.isEmpty { return nil }
            state.deletions[groupID, default: 0] += 1
            return state.groups[groupID] != nil
        }
        guard let wasKnown else { return .hasMembers }
        let outcome: Result<Bool, OffsetsDeletionFailure>
        do {
            outcome = .success(try committedOffsets.delete(group: groupID))
        } catch {
            outcome = .failure(error)
        }
        let isDeleted: Bool
        switch outcome {
        case .success: isDeleted = true
        case .failure(let failure): isDeleted = failure.groupIsDeleted
        }
        state.withLock { state in
            let remaining = (state.deletions[groupID] ?? 0) - 1
            precondition(remaining >= 0, "a group deletion finished that was never marked")
            state.deletions[groupID] = remaining > 0 ? remaining : nil
            guard isDeleted else { return }
            if let group = state.groups.removeValue(forKey: groupID) {
                precondition(group.members.isEmpty, "a member joined a group while it was being deleted")
            }
            state.formerProtocolTypes.forget(groupID)
        }
        let hadOffsets = try outcome.get()
        return wasKnown || hadOffsets ? .deleted : .notFound
    }

    /// The groups with members, or known from a rebalance (DescribeGroups, ListGroups).
    public func snapshot(_ groupIDs: [String]? = nil) -> [ConsumerGroup] {
        state.withLock { state in
            guard let groupIDs else { return state.groups.values.sorted { $0.groupID < $1.groupID } }
            return groupIDs.compactMap { state.groups[$0] }
        }
    }

    /// The protocol type the last members of each of `groupIDs` joined with, for groups that
    /// have none now (forgotten once empty); absent when not known.
    public func formerProtocolTypes(_ groupIDs: [String]) -> [String: String] {
        state.withLock { state in
            var found: [String: String] = [:]
            for groupID in groupIDs where state.groups[groupID] == nil {
                if let type = state.formerProtocolTypes[groupID] { found[groupID] = type }
            }
            return found
        }
    }

    // MARK: - Deadlines and shutdown

    /// Applies every group's session and rebalance deadlines (called by the ticker; tests may
    /// call it directly).
    func tick() {
        let completions = state.withLock { state -> Completions in
            var all = Completions()
            for groupID in state.groups.keys {
                guard var group = state.groups[groupID], group.nextDeadline.map({ $0 <= .now }) == true else { continue }
                let settled = group.expire(now: .now)
                state.store(group)
                let more = state.promises(of: settled)
                all.joins += more.joins
                all.syncs += more.syncs
            }
            return all
        }
        completions.complete()
    }

    private func startTickerIfNeeded(_ state: inout State) {
        guard state.ticker == nil else { return }
        state.ticker = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.tickInterval)
                guard let self else { return }
                self.tick()
            }
        }
    }

    /// Stops the ticker and answers every parked request with COORDINATOR_NOT_AVAILABLE (its
    /// client looks for the coordinator again), as a broker going down does.
    public func shutDown() {
        let completions = state.withLock { state -> Completions in
            state.isShutDown = true
            state.ticker?.cancel()
            state.ticker = nil
            var completions = Completions()
            for (_, promise) in state.joins { completions.joins.append((promise, .failure(.coordinatorNotAvailable))) }
            for (_, promise) in state.syncs {
                completions.syncs.append((promise, ConsumerGroup.SyncResult(errorCode: .coordinatorNotAvailable, assignment: [])))
            }
            state.joins.removeAll()
            state.syncs.removeAll()
            return completions
        }
        completions.complete()
    }
}
