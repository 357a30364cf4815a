import FileStorage
import BrokerCore
import Glibc
import KafkaProtocol
import SegmentStore
import Testing

/// Produce when the disk is full: answered with an error, the log and its indexes stay valid,
/// and the broker takes writes again by itself once space returns (no restart). The file
/// system layer injects ENOSPC.
struct ProduceHandlerTests {
    @Test func aFullDiskFailsProducesAndTheBrokerRecoversWhenSpaceReturns() throws {
        let fileSystem = InMemoryFileSystem()
        let broker = try TestNode(fileSystem: fileSystem)
        var acknowledged: [String] = []
        var sequence: Int32 = 0
        for index in 0..<5 {
            let values = ["before-\(index)"]
            #expect(
                try broker.produce(TestRequests.batch(values, producerID: 1, baseSequence: sequence)).errorCode == .none
            )
            acknowledged += values
            sequence += 1
        }
        fileSystem.capacityBytes = fileSystem.usedBytes + 150
        var refused: [(values: [String], sequence: Int32)] = []
        for index in 0..<6 {
            let values = ["full-\(index)-" + String(repeating: "y", count: 40)]
            let answer = try broker.produce(TestRequests.batch(values, producerID: 1, baseSequence: sequence))
            if answer.errorCode == .none {
                acknowledged += values
                sequence += 1
            } else {
                #expect(answer.errorCode.rawValue == 56)  // KAFKA_STORAGE_ERROR
                refused.append((values, sequence))
                break
            }
        }
        try #require(!refused.isEmpty, "the disk never filled")
        #expect(try broker.values() == acknowledged)
        #expect(broker.counter("edgelog_broker_errors_total", [("code", "KAFKA_STORAGE_ERROR")]) >= 1)

        // The log on disk is valid as it is: a restart (kill -9) finds nothing to cut or rebuild.
        let inspection = try TestNode(fileSystem: fileSystem)
        let recovered = try #require(inspection.node.catalog.partition("t", 0)?.log)
        #expect(recovered.recoveryReport.truncatedBytes == 0)
        #expect(recovered.recoveryReport.rebuiltIndexFiles.isEmpty)
        #expect(try inspection.values() == acknowledged)

        // Space returns: the same broker takes the resend, stored once.
        fileSystem.capacityBytes = nil
        let (values, resentSequence) = refused[0]
        let resent = try broker.produce(TestRequests.batch(values, producerID: 1, baseSequence: resentSequence))
        #expect(resent.errorCode == .none)
        let again = try broker.produce(TestRequests.batch(values, producerID: 1, baseSequence: resentSequence))
        #expect(again.errorCode == .none)
        #expect(again.baseOffset == resent.baseOffset)
        #expect(try broker.values() == acknowledged + values)
    }

    @Test func aFailedFsyncIsNotAcknowledgedAndTheLogIsResetOnItsOwn() throws {
        let clock = ManualClock()
        let fileSystem = InMemoryFileSystem(clock: clock.wallClock)
        let broker = try TestNode(fileSystem: fileSystem, clock: clock.wallClock)
        #expect(try broker.produce(TestRequests.batch(["a"], producerID: 2, baseSequence: 0)).errorCode == .none)
        fileSystem.failNext(.sync, with: ENOSPC, pathSuffix: ".log")
        let failed = try broker.produce(TestRequests.batch(["b"], producerID: 2, baseSequence: 1))
        #expect(failed.errorCode.rawValue == 56)
        #expect(try broker.values() == ["a"], "nothing past the durable end is served")

        // A second later the next produce resets the log (cutting "b", which was never
        // acknowledged) and the producer's resend is stored once.
        clock.advance(by: 1500)
        let resent = try broker.produce(TestRequests.batch(["b"], producerID: 2, baseSequence: 1))
        #expect(resent.errorCode == .none)
        #expect(resent.baseOffset == 1)
        #expect(try broker.values() == ["a", "b"])
        #expect(broker.counter("edgelog_broker_log_resets_total") == 1)
    }

    @Test func withFsyncNeverTheHighWatermarkIsTheLogEndAndNothingIsSynced() throws {
        let fileSystem = InMemoryFileSystem()
        let broker = try TestNode(fileSystem: fileSystem) { $0.durability = .never }
        let syncsBefore = fileSystem.syncCount
        for index in 0..<5 {
            #expect(try broker.produce(TestRequests.batch(["n\(index)"])).baseOffset == Int64(index))
        }
        #expect(fileSystem.syncCount == syncsBefore)
        #expect(try broker.values() == (0..<5).map { "n\($0)" })
        let partition = try #require(broker.node.catalog.partition("t", 0))
        let log = partition.log
        #expect(log.durableEndOffset == 0)
        #expect(partition.highWatermark == 5)
        // Interval mode's flush is what would sync it.
        broker.node.flushAll()
        #expect(log.durableEndOffset == 5)
    }
}
