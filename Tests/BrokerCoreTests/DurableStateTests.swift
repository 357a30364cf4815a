import FileStorage
import Logging
import SegmentStore
import Testing

@testable import BrokerCore

/// The small state files: cluster id, producer-id reservation, committed offsets. Each is
/// written, the (in-memory) machine crashes losing everything unsynced, and the state is read
/// back from what survived.
struct DurableStateTests {
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test func clusterIDIsCreatedOnceAndSurvivesACrash() throws {
        let fileSystem = InMemoryFileSystem()
        let first = try ClusterIdentity.loadOrCreate(dataDirectory: "/d", fileSystem: fileSystem)
        _ = fileSystem.crash()
        let second = try ClusterIdentity.loadOrCreate(dataDirectory: "/d", fileSystem: fileSystem)
        #expect(first == second)
        #expect(fileSystem.durableContents(atPath: "/d/cluster-id") == Array((first + "\n").utf8))
        let other = try ClusterIdentity.loadOrCreate(dataDirectory: "/other", fileSystem: fileSystem)
        #expect(other != first)
    }

    @Test func producerIDsAreNeverReissuedAfterACrash() throws {
        let fileSystem = InMemoryFileSystem()
        try fileSystem.createDirectory(atPath: "/d")
        let allocator = try ProducerIdAllocator(dataDirectory: "/d", fileSystem: fileSystem, blockSize: 3, freshBase: 0)
        let before = try (0..<5).map { _ in try allocator.next() }
        #expect(before == [0, 1, 2, 3, 4])
        _ = fileSystem.crash()
        let reopened = try ProducerIdAllocator(dataDirectory: "/d", fileSystem: fileSystem, blockSize: 3)
        let after = try reopened.next()
        #expect(after == 6)  // the persisted reservation ended at 6; 5 is skipped, never reused
    }

    /// Issue 13 hole 2: with ids counting from 0 in every data directory, a wiped broker handed
    /// out again the ids shippers' checkpoints still held. A new directory now starts at a
    /// random base, persisted with the first reservation.
    @Test func aNewDataDirectoryStartsAtARandomBaseThatSurvivesRestarts() throws {
        let fileSystem = InMemoryFileSystem()
        var firsts: Set<Int64> = []
        for index in 0..<8 {
            try fileSystem.createDirectory(atPath: "/d\(index)")
            let allocator = try ProducerIdAllocator(dataDirectory: "/d\(index)", fileSystem: fileSystem)
            let first = try allocator.next()
            #expect(ProducerIdAllocator.newDirectoryBase.contains(first))
            firsts.insert(first)
            _ = fileSystem.crash()
            let reopened = try ProducerIdAllocator(dataDirectory: "/d\(index)", fileSystem: fileSystem)
            let next = try reopened.next()
            #expect(next > first && next - first <= 1000, "the same directory continues after its reservation")
        }
        #expect(firsts.count == 8, "eight data directories, eight different bases")
    }

    @Test func committedOffsetsSurviveACrashAndReplaceEarlierOnes() throws {
        let fileSystem = InMemoryFileSystem()
        let store = try CommittedOffsetStore(dataDirectory: "/d", fileSystem: fileSystem, maxGroups: 10, logger: logger)
        try store.commit(
            group: "g1",
            [("t", 0, .init(offset: 5, metadata: nil)), ("t", 1, .init(offset: 7, metadata: "x"))]
        )
        try store.commit(group: "g1", [("t", 0, .init(offset: 9, metadata: "y"))])
        try store.commit(group: "grüppe/../2", [("u", 3, .init(offset: 1, metadata: ""))])
        _ = fileSystem.crash()
        let reopened = try CommittedOffsetStore(
            dataDirectory: "/d",
            fileSystem: fileSystem,
            maxGroups: 10,
            logger: logger
        )
        #expect(reopened.committed(group: "g1", topic: "t", partition: 0) == .init(offset: 9, metadata: "y"))
        #expect(reopened.committed(group: "g1", topic: "t", partition: 1) == .init(offset: 7, metadata: "x"))
        #expect(reopened.committed(group: "grüppe/../2", topic: "u", partition: 3) == .init(offset: 1, metadata: ""))
        #expect(reopened.committed(group: "g2", topic: "t", partition: 0) == nil)
        let names = try fileSystem.contentsOfDirectory(atPath: "/d/groups").filter { !$0.hasSuffix(".tmp") }.sorted()
        #expect(names == ["6731.offsets", "6772c3bc7070652f2e2e2f32.offsets"])
    }

    @Test func groupLimitsAndBadIDsAreRejected() throws {
        let store = try CommittedOffsetStore(
            dataDirectory: "/d",
            fileSystem: InMemoryFileSystem(),
            maxGroups: 1,
            logger: logger
        )
        try store.commit(group: "a", [("t", 0, .init(offset: 1, metadata: nil))])
        #expect(throws: CommittedOffsetStore.Rejection.tooManyGroups) {
            try store.commit(group: "b", [("t", 0, .init(offset: 1, metadata: nil))])
        }
        #expect(throws: CommittedOffsetStore.Rejection.invalidGroupID) {
            try store.commit(group: "", [("t", 0, .init(offset: 1, metadata: nil))])
        }
        #expect(throws: CommittedOffsetStore.Rejection.invalidGroupID) {
            try store.commit(group: String(repeating: "g", count: 121), [("t", 0, .init(offset: 1, metadata: nil))])
        }
    }

    @Test func aCorruptOffsetsFileStopsStartUp() throws {
        let fileSystem = InMemoryFileSystem()
        let store = try CommittedOffsetStore(dataDirectory: "/d", fileSystem: fileSystem, maxGroups: 10, logger: logger)
        try store.commit(group: "g", [("t", 0, .init(offset: 1, metadata: nil))])
        let path = "/d/groups/67.offsets"
        var bytes = try #require(fileSystem.contents(atPath: path))
        bytes[bytes.count - 1] ^= 0x01
        let file = try fileSystem.openFile(atPath: path, mode: .existing)
        try file.write(bytes, at: 0)
        try file.sync()
        #expect(throws: BrokerError.self) {
            try CommittedOffsetStore(dataDirectory: "/d", fileSystem: fileSystem, maxGroups: 10, logger: logger)
        }
    }
}
