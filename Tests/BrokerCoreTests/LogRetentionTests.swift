import FileStorage
import BrokerCore
import KafkaProtocol
import SegmentStore
import Testing

/// Retention on the fake file system with a hand-moved clock: by append age, by size, never
/// above a live group's committed offset, and the disk limit as a counted loss.
struct LogRetentionTests {
    static let hour: Int64 = 3_600_000

    /// A broker with 1 KiB segments and 1 h retention; `batches` batches of 4 records appended
    /// to `topic` ten minutes apart.
    func broker(
        clock: ManualClock,
        batches: Int,
        topic: String = "t",
        configure: (inout BrokerConfiguration) -> Void = { _ in }
    ) throws -> TestNode {
        let broker = try TestNode(fileSystem: InMemoryFileSystem(clock: clock.wallClock), clock: clock.wallClock) {
            $0.segmentBytes = 1024
            $0.retentionMilliseconds = Self.hour
            configure(&$0)
        }
        try append(batches, to: topic, on: broker, clock: clock)
        return broker
    }

    func append(_ batches: Int, to topic: String, on broker: TestNode, clock: ManualClock) throws {
        for index in 0..<batches {
            clock.advance(by: 10 * 60_000)
            let values = (0..<4).map { "\(topic)-\(index)-\($0)-" + String(repeating: "x", count: 20) }
            #expect(try broker.produce(TestRequests.batch(values), topic: topic).errorCode == .none)
        }
    }

    func commit(_ offset: Int64, group: String = "g", topic: String = "t", on broker: TestNode) throws {
        let request = OffsetCommitRequest(
            groupID: group,
            topics: [
                .init(
                    name: topic, partitions: [.init(partitionIndex: 0, committedOffset: offset, committedMetadata: nil)]
                )
            ]
        )
        let answer = try broker.roundTrip(request, version: 2)
        #expect(answer.topics.first?.partitions.first?.errorCode == KafkaErrorCode.none)
    }

    @Test func oldSegmentsGoByAgeButNotAboveALiveGroupsCommittedOffset() throws {
        let clock = ManualClock()
        let broker = try broker(clock: clock, batches: 40)
        let log = try #require(broker.node.catalog.partition("t", 0)?.log)
        let segments = log.segments
        try #require(segments.count >= 5)
        // The group has read up to the middle of the third segment.
        let committed = (segments[2].baseOffset + segments[2].endOffset) / 2
        try commit(committed, on: broker)
        clock.advance(by: Self.hour / 2)

        let report = broker.node.enforceRetention()
        // Old by age: last append more than an hour ago. Deletable: also entirely below the commit.
        let cutoff = clock.now - Self.hour
        let expected = segments.prefix {
            !$0.isActive && $0.lastAppendMilliseconds < cutoff && $0.endOffset <= committed
        }
        #expect(report.deletions.map(\.baseOffset) == expected.map(\.baseOffset))
        #expect(report.deletions.allSatisfy { $0.reason == .age })
        #expect(expected.count == 2, "segments 0 and 1 are old and consumed")
        #expect(log.logStartOffset == segments[2].baseOffset)
        #expect(log.logStartOffset <= committed)
        #expect(broker.counter("edgelog_broker_retention_deleted_segments_total", [("reason", "age")]) == 2)
        // What the group has not read yet is all still there.
        #expect(try broker.values(from: committed).count == Int(log.logEndOffset - committed))

        // Two hours later the group is no longer live: every old segment but the active one goes.
        clock.advance(by: 2 * Self.hour)
        broker.node.enforceRetention()
        #expect(log.segments.count == 1)
        #expect(log.logStartOffset == segments.last?.baseOffset)
    }

    @Test func aPartitionOverItsSizeLimitLosesItsOldestSegments() throws {
        let clock = ManualClock()
        let broker = try broker(clock: clock, batches: 30) {
            $0.retentionBytes = 2500
            $0.retentionMilliseconds = 0
        }
        let log = try #require(broker.node.catalog.partition("t", 0)?.log)
        let before = log.segments
        let report = broker.node.enforceRetention()
        // Expected: drop from the front while the total is over the limit.
        var total = before.reduce(Int64(0)) { $0 + $1.bytes }
        var expected: [Int64] = []
        for segment in before where !segment.isActive && total > 2500 {
            expected.append(segment.baseOffset)
            total -= segment.bytes
        }
        #expect(!expected.isEmpty)
        #expect(report.deletions.map(\.baseOffset) == expected)
        #expect(report.deletions.allSatisfy { $0.reason == .size })
        #expect(log.sizeInBytes == total)
        #expect(log.sizeInBytes <= 2500)
    }

    @Test func theDiskLimitDeletesUnconsumedSegmentsAndCountsTheLoss() throws {
        let clock = ManualClock()
        let broker = try broker(clock: clock, batches: 20) { $0.diskLimitBytes = 3000 }
        try append(20, to: "u", on: broker, clock: clock)
        // A live group that has consumed nothing of "t": age retention may not touch it.
        try commit(0, on: broker)
        let t = try #require(broker.node.catalog.partition("t", 0)?.log)
        let u = try #require(broker.node.catalog.partition("u", 0)?.log)
        let tBefore = t.segments
        let before = tBefore + u.segments
        let used = before.reduce(Int64(0)) { $0 + $1.bytes }
        try #require(used > 3000)

        let report = broker.node.enforceRetention()
        #expect(t.sizeInBytes + u.sizeInBytes <= 3000)
        // Age retention (1 h) already takes u's old segments (no group reads u); the limit then
        // takes t's oldest, which the group had not read: all their records are a loss.
        let forced = report.deletions.filter { $0.reason == .diskLimit }
        #expect(!forced.isEmpty)
        #expect(forced.allSatisfy { $0.topic == "t" })
        let lost = forced.reduce(Int64(0)) { $0 + ($1.endOffset - $1.baseOffset) }
        #expect(report.forcedLossRecords == lost)
        #expect(broker.counter("edgelog_broker_retention_forced_loss_records_total") == lost)
        #expect(
            broker.counter("edgelog_broker_retention_deleted_segments_total", [("reason", "disk-limit")])
                == Int64(forced.count))
        // Oldest first: the forced deletions are t's first segments.
        #expect(forced.map(\.baseOffset) == tBefore.filter { $0.baseOffset < t.logStartOffset }.map(\.baseOffset))
    }
}
