import FileStorage
import Glibc
import KafkaProtocol
import Logging
import NIOEmbedded
import Testing

@testable import BrokerCore

/// `GroupCoordinator.delete(groupID:committedOffsets:)`: the group's file is removed outside the
/// coordinator's lock (other groups are served meanwhile), a JoinGroup of the group being
/// deleted is told to retry, and a removal that fails leaves memory and disk in agreement.
///
/// Blocking calls run on `TimedCall`s with deadlines: against a coordinator that holds
/// its lock across the removal they block, and the test fails instead of hanging.
@Suite struct GroupCoordinatorDeletionTests {
    static let logger = Logger(label: "group-deletion-tests", factory: { _ in SwiftLogNoOpLogHandler() })
    static let dataDirectory = "/d"
    /// How long a call that must not wait for the gated removal gets.
    static let prompt = Duration.seconds(2)

    static func request(_ memberID: String = "") -> ConsumerGroup.JoinRequest {
        ConsumerGroup.JoinRequest(
            memberID: memberID, clientID: "tests", clientHost: "/127.0.0.1", sessionTimeout: .seconds(30),
            rebalanceTimeout: .seconds(30), protocolType: "consumer", protocols: [(name: "range", metadata: [1])])
    }

    static func offsetsPath(of group: String) -> String {
        "\(dataDirectory)/\(CommittedOffsetStore.directoryName)/\(CommittedOffsetStore.fileName(forGroup: group))"
    }

    static func store(on fileSystem: any FileSystem) throws -> CommittedOffsetStore {
        try CommittedOffsetStore(dataDirectory: dataDirectory, fileSystem: fileSystem, maxGroups: 10, logger: logger)
    }

    static func commit(_ group: String, offset: Int64, to store: CommittedOffsetStore) throws {
        try store.commit(group: group, [(topic: "t", partition: 0, commit: .init(offset: offset, metadata: nil))])
    }

    /// A JoinGroup answered at once (the first member of a group is, and so is a refusal).
    static func join(_ group: String, _ coordinator: GroupCoordinator) throws -> ConsumerGroup.JoinResult {
        try coordinator.join(groupID: group, request(), on: EmbeddedEventLoop()).wait()
    }

    /// One member joins `group` and leaves: the coordinator forgets the group and remembers
    /// its protocol type.
    static func joinAndLeave(_ group: String, _ coordinator: GroupCoordinator) throws {
        let joined = try join(group, coordinator)
        #expect(joined.errorCode == .none)
        #expect(coordinator.leave(groupID: group, memberIDs: [joined.memberID]) == [.none])
    }

    /// A DeleteGroups of `group` on its own thread (it blocks at the gate).
    static func deleteInBackground(
        _ group: String, _ coordinator: GroupCoordinator, _ store: CommittedOffsetStore
    ) -> TimedCall<Result<GroupCoordinator.Deletion, OffsetsDeletionFailure>> {
        TimedCall {
            Result { () throws(OffsetsDeletionFailure) in
                try coordinator.delete(groupID: group, committedOffsets: store)
            }
        }
    }

    @Test func otherGroupsAreServedWhileAGroupsFileIsBeingRemoved() async throws {
        let disk = GatedRemovalFileSystem(blockingRemovalsOf: CommittedOffsetStore.fileName(forGroup: "doomed"))
        defer { disk.openGate() }
        let store = try Self.store(on: disk)
        try Self.commit("doomed", offset: 1, to: store)
        let coordinator = GroupCoordinator(maxGroups: 10)
        defer { coordinator.shutDown() }
        let busy = try Self.join("busy", coordinator)
        #expect(busy.errorCode == .none)
        let beat: @Sendable () -> KafkaErrorCode = {
            coordinator.heartbeat(groupID: "busy", memberID: busy.memberID, generationID: busy.generationID)
        }
        let usualBeat = beat()

        let deletion = Self.deleteInBackground("doomed", coordinator, store)
        #expect(await pollUntil { disk.blockedRemovals == 1 }, "the deletion never reached the file removal")
        let heartbeat = TimedCall(beat)
        let newcomer = TimedCall { (try? Self.join("newcomer", coordinator))?.errorCode }
        let commitCheck = TimedCall { coordinator.checkCommit(groupID: "other", generationID: -1, memberID: "") }
        _ = await pollUntil(timeout: Self.prompt) {
            heartbeat.value != nil && newcomer.value != nil && commitCheck.value != nil
        }
        let (heartbeatAnswer, newcomerAnswer, commitCheckAnswer) = (heartbeat.value, newcomer.value, commitCheck.value)
        #expect(deletion.value == nil, "the removal is still blocked while the others are answered")
        disk.openGate()

        #expect(heartbeatAnswer == usualBeat, "another group's Heartbeat waited for the file removal")
        #expect(newcomerAnswer == .some(KafkaErrorCode.none), "another group's JoinGroup waited for the file removal")
        #expect(commitCheckAnswer == KafkaErrorCode.none, "another group's OffsetCommit waited for the file removal")
        let deleted = await deletion.value(within: .seconds(10))
        #expect(try deleted?.get() == .deleted)
        #expect(store.groupIDs.isEmpty)
        #expect(!disk.fileExists(atPath: Self.offsetsPath(of: "doomed")))
    }

    @Test func aJoinWhileTheGroupIsBeingDeletedIsToldToRetry() async throws {
        let disk = GatedRemovalFileSystem(blockingRemovalsOf: CommittedOffsetStore.fileName(forGroup: "doomed"))
        defer { disk.openGate() }
        let store = try Self.store(on: disk)
        try Self.commit("doomed", offset: 1, to: store)
        let coordinator = GroupCoordinator(maxGroups: 10)
        defer { coordinator.shutDown() }

        let deletion = Self.deleteInBackground("doomed", coordinator, store)
        #expect(await pollUntil { disk.blockedRemovals == 1 }, "the deletion never reached the file removal")
        let joiner = TimedCall { (try? Self.join("doomed", coordinator))?.errorCode }
        let answer = await joiner.value(within: Self.prompt)
        disk.openGate()

        // Retriable: the client backs off and joins again (not a member of the old group).
        try #require(answer == .some(KafkaErrorCode.coordinatorLoadInProgress), "the join waited, or got in")
        let deleted = await deletion.value(within: .seconds(10))
        #expect(try deleted?.get() == .deleted)
        #expect(coordinator.snapshot(["doomed"]).isEmpty, "the refused join left no member behind")
        // The retry after the deletion starts the group afresh, without the deleted offsets.
        let retried = try Self.join("doomed", coordinator)
        #expect(retried.errorCode == .none)
        #expect(store.committed(group: "doomed").isEmpty)
    }

    /// Both ways a removal fails, one after the other. A failed unlink changes nothing; a
    /// failed directory fsync after the unlink leaves the file gone, so the group is gone from
    /// memory too (before, the commits stayed served until a restart dropped them). Either way
    /// the deletion's mark is cleared: the next DeleteGroups and JoinGroup get through.
    @Test func memoryAgreesWithTheDiskAfterEachFailurePoint() throws {
        let disk = InMemoryFileSystem()
        let store = try Self.store(on: disk)
        try Self.commit("g", offset: 5, to: store)
        let coordinator = GroupCoordinator(maxGroups: 10)
        defer { coordinator.shutDown() }
        try Self.joinAndLeave("g", coordinator)
        #expect(coordinator.formerProtocolTypes(["g"]) == ["g": "consumer"])

        disk.failNext(.remove, with: EIO)
        let unlinkFailure = #expect(throws: OffsetsDeletionFailure.self) {
            try coordinator.delete(groupID: "g", committedOffsets: store)
        }
        #expect(unlinkFailure?.groupIsDeleted == false)
        #expect(disk.fileExists(atPath: Self.offsetsPath(of: "g")))
        #expect(store.committed(group: "g", topic: "t", partition: 0)?.offset == 5)
        #expect(coordinator.formerProtocolTypes(["g"]) == ["g": "consumer"])
        #expect(try Self.store(on: disk).committed(group: "g", topic: "t", partition: 0)?.offset == 5)

        disk.failNext(.removeSync, with: EIO)
        let fsyncFailure = #expect(throws: OffsetsDeletionFailure.self) {
            try coordinator.delete(groupID: "g", committedOffsets: store)
        }
        #expect(fsyncFailure?.groupIsDeleted == true)
        #expect(fsyncFailure?.storageError.errno == EIO)
        #expect(!disk.fileExists(atPath: Self.offsetsPath(of: "g")))
        #expect(store.committed(group: "g").isEmpty)
        #expect(store.groupIDs.isEmpty)
        #expect(coordinator.formerProtocolTypes(["g"]).isEmpty)
        #expect(try Self.store(on: disk).groupIDs.isEmpty, "a restart reads what memory says")

        #expect(try coordinator.delete(groupID: "g", committedOffsets: store) == .notFound)
        #expect(try Self.join("g", coordinator).errorCode == .none)
    }
}
