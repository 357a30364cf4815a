import FileStorage
import BrokerCore
import SegmentStore
import Testing

/// The broker's side of recovery after a power loss (issue 13, hole 7): it stores each
/// partition's recovery point from its timer task, and counts what start-up recovery validated
/// and cut.
struct BrokerRecoveryTests {
    private static let partitionDirectory = "\(TestNode.dataDirectory)/t-0"
    private static let logPath = "\(partitionDirectory)/00000000000000000000.log"

    @Test func theTimerTaskStoresEachPartitionsDurableEnd() throws {
        let fileSystem = InMemoryFileSystem()
        let broker = try TestNode(fileSystem: fileSystem)
        for index in 0..<3 {
            #expect(try broker.produce(TestRequests.batch(["a\(index)"])).errorCode == .none)
        }
        let log = try #require(broker.node.catalog.partition("t", 0)?.log)
        #expect(log.recoveryPoint == nil)
        broker.node.writeRecoveryPoints()
        #expect(log.recoveryPoint == 3)
        let stored = fileSystem.durableContents(atPath: "\(Self.partitionDirectory)/recovery-point")
        #expect(stored == Array("edgelog-recovery-point 1\n3\n".utf8))
    }

    @Test func aPowerLossIsRecoveredFromTheRecoveryPointAndCounted() throws {
        let fileSystem = InMemoryFileSystem()
        let broker = try TestNode(fileSystem: fileSystem) { $0.durability = .never }
        for index in 0..<2 {
            #expect(try broker.produce(TestRequests.batch(["v\(index)"])).errorCode == .none)
        }
        broker.node.flushAll()
        broker.node.writeRecoveryPoints()  // recovery point 2
        for index in 2..<6 {
            #expect(try broker.produce(TestRequests.batch(["v\(index)"])).errorCode == .none)  // never synced
        }

        // Before power goes the kernel writes back every batch, the fifth one's header only.
        let bytes = try #require(fileSystem.contents(atPath: Self.logPath))
        var position = 0
        var fifth = 0
        for index in 0..<6 {
            let total = 12 + bytes[(position + 8)..<(position + 12)].reduce(0) { $0 << 8 | Int($1) }
            if index == 4 { fifth = position }
            fileSystem.writeBack(atPath: Self.logPath, range: position..<(position + (index == 4 ? 61 : total)))
            position += total
        }
        #expect(position == bytes.count)
        fileSystem.crash()

        let restarted = try TestNode(fileSystem: fileSystem)
        #expect(try restarted.values() == ["v0", "v1", "v2", "v3"])
        // Checked: the batches at offsets 2 and 3 (after the recovery point); the fifth failed.
        #expect(restarted.counter("edgelog_broker_recovery_validated_batches_total") == 2)
        #expect(restarted.counter("edgelog_broker_recovery_truncated_bytes_total") == Int64(bytes.count - fifth))
    }
}
