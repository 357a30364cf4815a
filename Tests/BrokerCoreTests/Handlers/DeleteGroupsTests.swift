import BrokerCore
import FileStorage
import Glibc
import KafkaProtocol
import Testing

/// DeleteGroups through the dispatcher: a group without members loses its committed offsets
/// (durably: its file is gone after a restart), and each refusal has its Kafka error code.
/// Before, the API was not advertised: librdkafka's `AdminClient.delete_consumer_groups`
/// aborted its process and kafka-python's `delete_groups` was refused.
struct DeleteGroupsTests {
    static func delete(_ groups: [String], version: Int16 = 1, on broker: TestNode) throws -> [KafkaErrorCode] {
        let response = try broker.roundTrip(DeleteGroupsRequest(groupsNames: groups), version: version)
        #expect(response.results.map(\.groupID) == groups)
        return response.results.map(\.errorCode)
    }

    static func commit(_ group: String, offset: Int64, on broker: TestNode) throws {
        let request = OffsetCommitRequest(
            groupID: group,
            topics: [.init(name: "t", partitions: [.init(partitionIndex: 0, committedOffset: offset)])]
        )
        let response = try broker.roundTrip(request, version: 2)
        #expect(response.topics.first?.partitions.first?.errorCode == KafkaErrorCode.none)
    }

    static func committed(_ group: String, on broker: TestNode) throws -> Int64? {
        let response = try broker.roundTrip(
            OffsetFetchRequest(groupID: group, topics: [.init(name: "t", partitionIndexes: [0])]), version: 1)
        return response.topics.first?.partitions.first?.committedOffset
    }

    /// One member joins `group` (JoinGroup v0); the first join of an empty group completes at once.
    static func join(_ group: String, on broker: TestNode) throws -> JoinGroupResponse {
        try broker.roundTrip(
            JoinGroupRequest(
                groupID: group, sessionTimeoutMs: 10_000, protocolType: "consumer",
                protocols: [.init(name: "range", metadata: [1])]),
            version: 0)
    }

    @Test(arguments: [Int16(0), 1])
    func emptyGroupsAreDeletedAndTheOthersRefused(version: Int16) throws {
        let fileSystem = InMemoryFileSystem()
        let broker = try TestNode(fileSystem: fileSystem)
        _ = try broker.produce(try TestRequests.batch(["a", "b"]))
        try Self.commit("idle", offset: 2, on: broker)
        try Self.commit("busy", offset: 1, on: broker)
        try Self.commit("kept", offset: 1, on: broker)
        let joined = try Self.join("busy", on: broker)
        #expect(joined.errorCode == KafkaErrorCode.none)

        let codes = try Self.delete(["idle", "busy", "never", ""], version: version, on: broker)
        #expect(codes == [.none, .nonEmptyGroup, .groupIDNotFound, .invalidGroupID])
        #expect(try Self.committed("idle", on: broker) == -1)
        #expect(try Self.committed("busy", on: broker) == 1)
        let listed = try broker.roundTrip(ListGroupsRequest(), version: 0).groups.map(\.groupID)
        #expect(listed == ["busy", "kept"])
        #expect(try Self.delete(["idle"], version: version, on: broker) == [.groupIDNotFound])

        // Once its member left, the group goes too.
        let left = try broker.roundTrip(LeaveGroupRequest(groupID: "busy", members: [.init(memberID: joined.memberID)]), version: 0)
        #expect(left.errorCode == KafkaErrorCode.none)
        #expect(try Self.delete(["busy"], version: version, on: broker) == [.none])

        // Durable: a restarted broker on the same disk knows only the group left alone.
        let restarted = try TestNode(fileSystem: fileSystem)
        #expect(restarted.node.committedOffsets.groupIDs == ["kept"])
        #expect(try Self.committed("idle", on: restarted) == -1)
        #expect(try Self.committed("kept", on: restarted) == 1)
    }

    /// The group's file is unlinked but the directory's fsync fails: the client hears
    /// UNKNOWN_SERVER_ERROR, and the broker serves what a restart would find — no group. Before,
    /// the commits stayed listed and fetchable until the next restart dropped them.
    @Test func aDeletionWhoseFsyncFailsLeavesNoGroupBehind() throws {
        let fileSystem = InMemoryFileSystem()
        let broker = try TestNode(fileSystem: fileSystem)
        _ = try broker.produce(try TestRequests.batch(["a", "b"]))
        try Self.commit("g", offset: 2, on: broker)
        fileSystem.failNext(.removeSync, with: EIO, pathSuffix: CommittedOffsetStore.fileSuffix)

        #expect(try Self.delete(["g"], on: broker) == [.unknownServerError])
        #expect(try Self.committed("g", on: broker) == -1)
        #expect(try broker.roundTrip(ListGroupsRequest(), version: 0).groups.isEmpty)
        #expect(try Self.delete(["g"], on: broker) == [.groupIDNotFound])
        let restarted = try TestNode(fileSystem: fileSystem)
        #expect(restarted.node.committedOffsets.groupIDs.isEmpty)
    }

    @Test func adminRequestsOffRefusesDeletion() throws {
        let broker = try TestNode { $0.adminRequests = .off }
        _ = try broker.produce(try TestRequests.batch(["a"]))
        try Self.commit("g", offset: 1, on: broker)
        #expect(try Self.delete(["g"], on: broker) == [.groupAuthorizationFailed])
        #expect(try Self.committed("g", on: broker) == 1)
    }

    @Test func deleteGroupsIsAdvertised() {
        #expect(RequestDispatcher.advertisedVersions.versions(of: .deleteGroups) == 0...1)
    }
}
