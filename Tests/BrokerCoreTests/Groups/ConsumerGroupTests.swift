import KafkaProtocol
import Testing

@testable import BrokerCore

/// The classic rebalance protocol as a pure state machine: joins parked until every member
/// rejoined, the leader's assignment handed to the followers, stale generations refused,
/// silent members evicted after their session, stragglers dropped at the rebalance timeout.
@Suite struct ConsumerGroupTests {
    let start = ContinuousClock.now

    func at(_ milliseconds: Int) -> ContinuousClock.Instant { start + .milliseconds(milliseconds) }

    static func request(
        _ memberID: String = "", client: String = "kcat", session: Duration = .seconds(6),
        rebalance: Duration = .seconds(10), type: String = "consumer",
        protocols: [(String, [UInt8])] = [("range", [1]), ("roundrobin", [2])]
    ) -> ConsumerGroup.JoinRequest {
        ConsumerGroup.JoinRequest(
            memberID: memberID, clientID: client, clientHost: "/127.0.0.1", sessionTimeout: session,
            rebalanceTimeout: rebalance, protocolType: type, protocols: protocols.map { (name: $0.0, metadata: $0.1) })
    }

    /// A group with one stable member "a" (generation 1, assignment [0xA]).
    func oneStableMember() throws -> ConsumerGroup {
        var group = ConsumerGroup(groupID: "g")
        let (answer, settled) = group.join(Self.request(), ticket: 1, newMemberID: "a", now: at(0))
        #expect(answer == nil)
        let joined = try #require(settled.joins.first { $0.0 == 1 }?.1)
        #expect(joined.errorCode == .none)
        #expect(joined.generationID == 1 && joined.leaderID == "a" && joined.memberID == "a")
        #expect(joined.protocolName == "range")
        #expect(joined.members.map(\.memberID) == ["a"] && joined.members.map(\.metadata) == [[1]])
        #expect(group.state == .completingRebalance)
        let (sync, _) = group.sync(memberID: "a", generationID: 1, assignments: [("a", [0xA])], ticket: 2, now: at(1))
        #expect(sync == ConsumerGroup.SyncResult(errorCode: .none, assignment: [0xA]))
        #expect(group.state == .stable)
        return group
    }

    @Test func aSecondMemberTriggersARebalanceAndGetsItsAssignmentFromTheLeader() throws {
        var group = try oneStableMember()
        // b joins: parked until a rejoins; a learns of the rebalance from its heartbeat.
        let (parked, none) = group.join(Self.request(), ticket: 3, newMemberID: "b", now: at(100))
        #expect(parked == nil && none.isEmpty)
        #expect(group.state == .preparingRebalance)
        #expect(group.heartbeat(memberID: "a", generationID: 1, now: at(200)) == .rebalanceInProgress)
        let (_, settled) = group.join(Self.request("a"), ticket: 4, newMemberID: "unused", now: at(300))
        let answers = Dictionary(uniqueKeysWithValues: settled.joins.map { ($0.0, $0.1) })
        let leader = try #require(answers[4])
        let follower = try #require(answers[3])
        #expect(leader.generationID == 2 && follower.generationID == 2)
        #expect(leader.leaderID == "a" && follower.leaderID == "a")
        #expect(leader.members.map(\.memberID) == ["a", "b"])
        #expect(follower.members.isEmpty && follower.memberID == "b")
        // b's sync waits for the leader's; the leader's settles it with b's share.
        let (waiting, _) = group.sync(memberID: "b", generationID: 2, assignments: [], ticket: 5, now: at(400))
        #expect(waiting == nil)
        let (mine, handed) = group.sync(
            memberID: "a", generationID: 2, assignments: [("a", [0xA]), ("b", [0xB])], ticket: 6, now: at(500))
        #expect(mine?.assignment == [0xA])
        #expect(handed.syncs.map(\.0) == [5] && handed.syncs.map(\.1.assignment) == [[0xB]])
        #expect(group.state == .stable)
        #expect(group.heartbeat(memberID: "b", generationID: 2, now: at(600)) == .none)
    }

    @Test func staleGenerationsAndUnknownMembersAreRefused() throws {
        var group = try oneStableMember()
        _ = group.join(Self.request(), ticket: 3, newMemberID: "b", now: at(100))
        _ = group.join(Self.request("a"), ticket: 4, newMemberID: "unused", now: at(200))
        #expect(group.generationID == 2)
        #expect(group.heartbeat(memberID: "a", generationID: 1, now: at(300)) == .illegalGeneration)
        let (stale, _) = group.sync(memberID: "a", generationID: 1, assignments: [], ticket: 5, now: at(300))
        #expect(stale?.errorCode == .illegalGeneration)
        #expect(group.checkCommit(generationID: 1, memberID: "a", now: at(300)) == .illegalGeneration)
        #expect(group.checkCommit(generationID: -1, memberID: "", now: at(300)) == .unknownMemberId)
        #expect(group.checkCommit(generationID: 2, memberID: "nobody", now: at(300)) == .unknownMemberId)
        #expect(group.heartbeat(memberID: "nobody", generationID: 2, now: at(300)) == .unknownMemberId)
        let (unknown, _) = group.join(Self.request("nobody"), ticket: 6, newMemberID: "x", now: at(300))
        #expect(unknown?.errorCode == .unknownMemberId)
        // The refused member rejoins without an id and is let in again.
        let (rejoin, _) = group.join(Self.request(), ticket: 7, newMemberID: "c", now: at(400))
        #expect(rejoin == nil)
        #expect(group.members.map(\.memberID) == ["a", "b", "c"])
    }

    @Test func aSilentMemberIsEvictedAfterItsSession() throws {
        var group = try oneStableMember()
        _ = group.join(Self.request(session: .seconds(2)), ticket: 3, newMemberID: "b", now: at(100))
        _ = group.join(Self.request("a"), ticket: 4, newMemberID: "unused", now: at(200))
        _ = group.sync(memberID: "b", generationID: 2, assignments: [], ticket: 5, now: at(300))
        _ = group.sync(memberID: "a", generationID: 2, assignments: [("a", [1]), ("b", [2])], ticket: 6, now: at(300))
        // a keeps heartbeating, b goes silent at 300 ms: nothing happens before 2.3 s.
        for time in stride(from: 1000, through: 2200, by: 600) {
            #expect(group.heartbeat(memberID: "a", generationID: 2, now: at(time)) == .none)
            #expect(group.expire(now: at(time)).isEmpty)
        }
        #expect(group.members.count == 2)
        _ = group.expire(now: at(2400))
        #expect(group.members.map(\.memberID) == ["a"])
        #expect(group.state == .preparingRebalance)
        #expect(group.heartbeat(memberID: "a", generationID: 2, now: at(2500)) == .rebalanceInProgress)
        let (_, settled) = group.join(Self.request("a"), ticket: 7, newMemberID: "unused", now: at(2600))
        #expect(settled.joins.first?.1.generationID == 3)
        #expect(settled.joins.first?.1.members.map(\.memberID) == ["a"])
    }

    @Test func membersThatDoNotRejoinInTimeAreDropped() throws {
        var group = try oneStableMember()
        _ = group.join(Self.request(rebalance: .seconds(1)), ticket: 3, newMemberID: "b", now: at(100))
        _ = group.join(Self.request("a", rebalance: .seconds(1)), ticket: 4, newMemberID: "unused", now: at(200))
        _ = group.sync(memberID: "a", generationID: 2, assignments: [], ticket: 5, now: at(300))
        #expect(group.state == .stable)
        // c joins; a rejoins; b never does (it is heartbeating on, so its session holds).
        _ = group.join(Self.request(), ticket: 6, newMemberID: "c", now: at(400))
        _ = group.join(Self.request("a"), ticket: 7, newMemberID: "unused", now: at(500))
        #expect(group.heartbeat(memberID: "b", generationID: 2, now: at(900)) == .rebalanceInProgress)
        #expect(group.expire(now: at(1300)).isEmpty)
        let settled = group.expire(now: at(11_500))
        #expect(Set(settled.joins.map(\.0)) == [6, 7])
        #expect(group.generationID == 3)
        #expect(group.members.map(\.memberID) == ["a", "c"])
    }

    @Test func theLeaderLeavingHandsTheLeadOn() throws {
        var group = try oneStableMember()
        _ = group.join(Self.request(), ticket: 3, newMemberID: "b", now: at(100))
        _ = group.join(Self.request("a"), ticket: 4, newMemberID: "unused", now: at(200))
        let (code, _) = group.leave(memberID: "a", now: at(300))
        #expect(code == .none)
        #expect(group.state == .preparingRebalance)
        let (_, settled) = group.join(Self.request("b"), ticket: 5, newMemberID: "unused", now: at(400))
        #expect(settled.joins.first?.1.leaderID == "b")
        #expect(group.leave(memberID: "a", now: at(500)).0 == .unknownMemberId)
        // The last member leaves: empty, a new generation, and only generation -1 commits.
        _ = group.leave(memberID: "b", now: at(600))
        #expect(group.state == .empty)
        #expect(group.generationID == 4)
        #expect(group.checkCommit(generationID: 3, memberID: "b", now: at(700)) == .unknownMemberId)
        #expect(group.checkCommit(generationID: -1, memberID: "", now: at(700)) == .none)
    }

    @Test func inconsistentProtocolsAreRefused() throws {
        var group = try oneStableMember()
        let (wrongType, _) = group.join(Self.request(type: "connect"), ticket: 3, newMemberID: "b", now: at(100))
        #expect(wrongType?.errorCode == .inconsistentGroupProtocol)
        let (noCommon, _) = group.join(
            Self.request(protocols: [("sticky", [9])]), ticket: 4, newMemberID: "c", now: at(100))
        #expect(noCommon?.errorCode == .inconsistentGroupProtocol)
        #expect(group.members.map(\.memberID) == ["a"])
        #expect(group.state == .stable)
    }

    @Test func theProtocolIsChosenByVote() throws {
        var group = ConsumerGroup(groupID: "g")
        _ = group.join(
            Self.request(protocols: [("range", []), ("roundrobin", [])]), ticket: 1, newMemberID: "a", now: at(0))
        _ = group.sync(memberID: "a", generationID: 1, assignments: [], ticket: 2, now: at(0))
        _ = group.join(
            Self.request(protocols: [("roundrobin", []), ("range", [])]), ticket: 3, newMemberID: "b", now: at(10))
        _ = group.join(
            Self.request(protocols: [("roundrobin", []), ("range", [])]), ticket: 4, newMemberID: "c", now: at(10))
        let (_, settled) = group.join(
            Self.request("a", protocols: [("range", []), ("roundrobin", [])]), ticket: 5, newMemberID: "x", now: at(20))
        #expect(settled.joins.count == 3)
        #expect(settled.joins.allSatisfy { $0.1.protocolName == "roundrobin" })
    }

    /// Kafka's commit rules around a rebalance: the current generation commits while the group
    /// prepares one (clients commit before giving partitions up), not while the new generation
    /// waits for its assignment.
    @Test func commitsAreTakenWhilePreparingAndRefusedWhileCompleting() throws {
        var group = try oneStableMember()
        #expect(group.checkCommit(generationID: 1, memberID: "a", now: at(50)) == .none)
        _ = group.join(Self.request(), ticket: 3, newMemberID: "b", now: at(100))
        #expect(group.state == .preparingRebalance)
        #expect(group.checkCommit(generationID: 1, memberID: "a", now: at(150)) == .none)
        _ = group.join(Self.request("a"), ticket: 4, newMemberID: "unused", now: at(200))
        #expect(group.state == .completingRebalance)
        #expect(group.checkCommit(generationID: 2, memberID: "a", now: at(250)) == .rebalanceInProgress)
    }

    /// A follower that joins again with the same protocols (its answer was lost) gets the
    /// generation as it stands; no other member has to rejoin.
    @Test func aFollowerRejoiningUnchangedKeepsTheGeneration() throws {
        var group = try oneStableMember()
        _ = group.join(Self.request(), ticket: 3, newMemberID: "b", now: at(100))
        _ = group.join(Self.request("a"), ticket: 4, newMemberID: "unused", now: at(200))
        _ = group.sync(memberID: "b", generationID: 2, assignments: [], ticket: 5, now: at(300))
        _ = group.sync(memberID: "a", generationID: 2, assignments: [("a", [1]), ("b", [2])], ticket: 6, now: at(300))
        #expect(group.state == .stable)
        let (again, settled) = group.join(Self.request("b"), ticket: 7, newMemberID: "unused", now: at(400))
        #expect(settled.isEmpty)
        #expect(again?.generationID == 2 && again?.errorCode == KafkaErrorCode.none && again?.members.isEmpty == true)
        #expect(group.state == .stable)
        // Changed protocols do start a rebalance.
        let (changed, _) = group.join(Self.request("b", protocols: [("range", [9])]), ticket: 8, newMemberID: "x", now: at(500))
        #expect(changed == nil)
        #expect(group.state == .preparingRebalance)
    }

    /// A follower waiting for the leader's assignment is not silent: the leader may take longer
    /// than the follower's session.
    @Test func aMemberParkedInSyncDoesNotExpire() throws {
        var group = try oneStableMember()
        _ = group.join(Self.request(session: .seconds(2)), ticket: 3, newMemberID: "b", now: at(100))
        _ = group.join(Self.request("a", session: .seconds(30)), ticket: 4, newMemberID: "unused", now: at(200))
        let (parked, _) = group.sync(memberID: "b", generationID: 2, assignments: [], ticket: 5, now: at(300))
        #expect(parked == nil)
        #expect(group.expire(now: at(10_000)).isEmpty)
        #expect(group.members.map(\.memberID) == ["a", "b"])
        let (_, handed) = group.sync(memberID: "a", generationID: 2, assignments: [("b", [7])], ticket: 6, now: at(10_100))
        #expect(handed.syncs.map(\.1.assignment) == [[7]])
    }
}
