import FileStorage
import Logging
import NIOCore
import NIOEmbedded
import SegmentStore
import Synchronization
import Testing

@testable import BrokerCore

/// Long polling across partitions: a registration refused when a partition already moved, a
/// wake from any partition, and shutdown waking everyone and refusing newcomers.
struct HeldFetchesTests {
    static func catalog(durability: DurabilityPolicy) throws -> TopicCatalog {
        try TopicCatalog(
            dataDirectory: "/d", fileSystem: InMemoryFileSystem(), logConfiguration: PartitionLogConfiguration(),
            maxTopics: 10, maxPartitions: 10, durability: durability,
            logger: Logger(label: "held-fetches", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    final class Wakes: Sendable {
        private let count = Mutex(0)
        var value: Int { count.withLock { $0 } }
        func wake() { count.withLock { $0 += 1 } }
    }

    @Test func anAppendToAnyPartitionWakesTheFetchOnce() throws {
        let partitions = try Self.catalog(durability: .never).partitions(of: "t", creatingWith: 2)
        let held = HeldFetches()
        let wakes = Wakes()
        let registration = try #require(
            held.register(partitions.map { ($0, $0.highWatermark) }) { wakes.wake() })
        #expect(partitions.map(\.appendWaiters.count) == [1, 1])
        #expect(partitions[1].append(try TestRequests.batch(["x"])).errorCode == .none)
        #expect(wakes.value == 1)
        #expect(partitions.map(\.appendWaiters.count) == [1, 0])
        held.cancel(registration)
        #expect(partitions.map(\.appendWaiters.count) == [0, 0])
    }

    @Test func aPartitionThatMovedRefusesTheWholeRegistration() throws {
        let partitions = try Self.catalog(durability: .never).partitions(of: "t", creatingWith: 2)
        let seen = partitions.map { ($0, $0.highWatermark) }
        _ = partitions[1].append(try TestRequests.batch(["x"]))
        #expect(HeldFetches().register(seen) {} == nil)
        #expect(partitions.map(\.appendWaiters.count) == [0, 0])
    }

    /// With fsync=ack an append alone does not move the high watermark: the sync wakes.
    @Test func withFsyncAtAckTheSyncWakes() throws {
        let partition = try #require(try Self.catalog(durability: .beforeAck).partitions(of: "t", creatingWith: 1).first)
        let wakes = Wakes()
        _ = try #require(HeldFetches().register([(partition, partition.highWatermark)]) { wakes.wake() })
        let outcome = partition.append(try TestRequests.batch(["x"]))
        #expect(wakes.value == 0)
        #expect(partition.highWatermark == 0)
        let loop = EmbeddedEventLoop()
        let durable = loop.makePromise(of: Int64.self)
        partition.waitUntilDurable(
            through: try #require(outcome.durableTarget), executor: InlineStorageExecutor(), eventLoop: loop
        ) { durable.completeWith($0) }
        #expect(try durable.futureResult.wait() == 1)
        #expect(wakes.value == 1)
        #expect(partition.highWatermark == 1)
    }

    @Test func shutdownWakesEveryoneAndRefusesNewcomers() throws {
        let partitions = try Self.catalog(durability: .never).partitions(of: "t", creatingWith: 2)
        let held = HeldFetches()
        let wakes = Wakes()
        _ = try #require(held.register([(partitions[0], 0)]) { wakes.wake() })
        _ = try #require(held.register([(partitions[1], 0)]) { wakes.wake() })
        held.shutDown(partitions)
        #expect(wakes.value == 2)
        #expect(held.isShutDown)
        #expect(held.register([(partitions[0], 0)]) {} == nil)
    }
}
