import KafkaProtocol
import NIOEmbedded
import Testing

@testable import BrokerCore

/// The protocol types of emptied groups: bounded, and when full the group remembered longest
/// ago goes first (it went in arbitrary dictionary order before).
@Suite struct FormerProtocolTypesTests {
    static func names(_ range: Range<Int>) -> [String] { range.map { "g\($0)" } }

    /// One member joins `group` and leaves: the coordinator forgets the group and remembers
    /// its protocol type.
    static func joinAndLeave(_ group: String, _ coordinator: GroupCoordinator) throws {
        let request = ConsumerGroup.JoinRequest(
            memberID: "", clientID: "tests", clientHost: "/127.0.0.1", sessionTimeout: .seconds(30),
            rebalanceTimeout: .seconds(30), protocolType: "consumer", protocols: [(name: "range", metadata: [1])])
        let joined = try coordinator.join(groupID: group, request, on: EmbeddedEventLoop()).wait()
        #expect(joined.errorCode == .none)
        #expect(coordinator.leave(groupID: group, memberIDs: [joined.memberID]) == [.none])
    }

    /// Through the coordinator: 16 groups empty one after the other under a bound of 8; the
    /// last 8 keep their type. Emptying a group again makes it the newest.
    @Test func theCoordinatorForgetsTheGroupThatEmptiedLongestAgo() throws {
        let coordinator = GroupCoordinator(maxGroups: 8)
        defer { coordinator.shutDown() }
        for group in Self.names(0..<16) { try Self.joinAndLeave(group, coordinator) }
        let remembered = coordinator.formerProtocolTypes(Self.names(0..<17))
        #expect(remembered.keys.sorted() == Self.names(8..<16).sorted())
        #expect(Set(remembered.values) == ["consumer"])

        try Self.joinAndLeave("g8", coordinator)
        try Self.joinAndLeave("g16", coordinator)
        let next = coordinator.formerProtocolTypes(Self.names(0..<17))
        #expect(next.keys.sorted() == (["g8"] + Self.names(10..<17)).sorted(), "g9 went, not g8 (emptied again)")
    }

    @Test func evictionIsOldestFirstAndForgottenGroupsFreeTheirPlace() {
        var types = FormerProtocolTypes(capacity: 3)
        types.remember("consumer", for: "a")
        types.remember("connect", for: "b")
        types.remember("consumer", for: "c")
        types.remember("consumer", for: "a")  // again: now the newest
        #expect(types.groupIDsOldestFirst == ["b", "c", "a"])
        types.remember("consumer", for: "d")
        #expect(types.groupIDsOldestFirst == ["c", "a", "d"])
        #expect(types["b"] == nil && types["a"] == "consumer")
        types.forget("a")
        types.remember("connect", for: "e")  // the place "a" left: nothing evicted
        #expect(types.groupIDsOldestFirst == ["c", "d", "e"])
        #expect(types["e"] == "connect")
        types.remember("consumer", for: "f")
        #expect(types.groupIDsOldestFirst == ["d", "e", "f"])
        #expect(types.count == 3)
    }

    /// One group emptying over and over never grows the bookkeeping past its bound (stale
    /// insertions are dropped), and the order survives the rebuilds.
    @Test func repeatedInsertionsStayWithinTheBound() {
        var types = FormerProtocolTypes(capacity: 4)
        for round in 0..<1_000 {
            types.remember("consumer", for: "hot")
            if round % 100 == 0 { types.remember("consumer", for: "cold\(round / 100)") }
        }
        #expect(types.count == 4)
        #expect(types.groupIDsOldestFirst == ["cold7", "cold8", "cold9", "hot"])
    }

    @Test func aCapacityOfZeroRemembersNothing() {
        var types = FormerProtocolTypes(capacity: 0)
        types.remember("consumer", for: "a")
        #expect(types.count == 0 && types["a"] == nil)
    }
}
