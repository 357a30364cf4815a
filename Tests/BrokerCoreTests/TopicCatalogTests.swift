import FileStorage
import Foundation
import BrokerCore
import Logging
import SegmentStore
import Testing

struct TopicCatalogTests {
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    func open(_ fileSystem: InMemoryFileSystem, maxTopics: Int = 10, maxPartitions: Int = 10) throws -> TopicCatalog {
        try TopicCatalog(
            dataDirectory: "/d",
            fileSystem: fileSystem,
            logConfiguration: PartitionLogConfiguration(),
            maxTopics: maxTopics,
            maxPartitions: maxPartitions,
            logger: logger
        )
    }

    @Test func reopeningFindsEveryTopicAndFillsGaps() throws {
        let fileSystem = InMemoryFileSystem()
        let catalog = try open(fileSystem)
        _ = try catalog.partitions(of: "access", creatingWith: 3)
        _ = try catalog.partitions(of: "b.c_d-e", creatingWith: 1)
        try catalog.partition("access", 1)?.log.append(TestRequests.batch(["x"]).readableBytesView.map { $0 })
        catalog.closeAll()
        // A partition directory of a larger topic whose middle partition is missing.
        try fileSystem.createDirectory(atPath: "/d/gappy-2")
        let reopened = try open(fileSystem)
        #expect(reopened.topics.map(\.name) == ["access", "b.c_d-e", "gappy"])
        #expect(reopened.topics.map(\.partitionCount) == [3, 1, 3])
        #expect(reopened.partition("access", 1)?.log.logEndOffset == 1)
        #expect(reopened.partition("access", 3) == nil)
    }

    @Test func creationIsBoundedByTopicAndPartitionLimits() throws {
        let catalog = try open(InMemoryFileSystem(), maxTopics: 2, maxPartitions: 5)
        _ = try catalog.partitions(of: "a", creatingWith: 3)
        #expect(throws: TopicCatalog.CreationError.partitionLimit(5)) {
            try catalog.partitions(of: "b", creatingWith: 3)
        }
        _ = try catalog.partitions(of: "b", creatingWith: 2)
        #expect(throws: TopicCatalog.CreationError.topicLimit(2)) { try catalog.partitions(of: "c", creatingWith: 0) }
        #expect(throws: TopicCatalog.CreationError.invalidName("a/b")) {
            try TopicCatalogTests().open(InMemoryFileSystem()).partitions(of: "a/b", creatingWith: 1)
        }
        // An existing topic is returned, not re-created.
        #expect(try catalog.partitions(of: "a", creatingWith: 1).count == 3)
    }
}

/// A deletion that stops half way (a failed removal, or a crash after the renames) leaves no
/// part of the topic to come back at the next start.
struct TopicDeletionTests {
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test func aDeletionThatFailsHalfWayNeverBringsThePartitionsBack() throws {
        let fileSystem = InMemoryFileSystem()
        let catalog = try TopicCatalogTests().open(fileSystem)
        _ = try catalog.partitions(of: "gone", creatingWith: 3)
        _ = try catalog.partitions(of: "kept", creatingWith: 1)
        for partition in 0..<3 {
            try catalog.partition("gone", Int32(partition))?.log.append(TestRequests.batch(["x", "y"]).readableBytesView.map { $0 })
        }
        #expect(try fileSystem.contentsOfDirectory(atPath: "/d/gone-1").count > 0)
        // A removal fails part way through the first tombstone: it is partly emptied, the
        // others untouched.
        let files = try fileSystem.contentsOfDirectory(atPath: "/d/gone-0").sorted()
        #expect(files.count >= 2, "\(files)")
        fileSystem.failNext(.remove, count: 1, with: EIO, pathSuffix: files.last)
        #expect(throws: StorageError.self) { try catalog.delete("gone") }
        #expect(catalog.partition("gone", 0) == nil)
        let left = try fileSystem.contentsOfDirectory(atPath: "/d").sorted()
        #expect(left.contains { $0.hasSuffix(".deleted") }, "tombstones left: \(left)")
        #expect(!left.contains("gone-0") && !left.contains("gone-1") && !left.contains("gone-2"))

        let reopened = try TopicCatalogTests().open(fileSystem)
        #expect(reopened.topics.map(\.name) == ["kept"])
        #expect(try fileSystem.contentsOfDirectory(atPath: "/d").sorted() == ["kept-0"])
        // The name can be created again, empty.
        let again = try reopened.partitions(of: "gone", creatingWith: 2)
        #expect(again.map(\.log.logEndOffset) == [0, 0])
    }

    @Test func aDeletionRemovesEveryFileAndTheNameCanComeBack() throws {
        let fileSystem = InMemoryFileSystem()
        let catalog = try TopicCatalogTests().open(fileSystem)
        _ = try catalog.partitions(of: "t", creatingWith: 2)
        try catalog.partition("t", 0)?.log.append(TestRequests.batch(["x"]).readableBytesView.map { $0 })
        #expect(try catalog.delete("t"))
        #expect(try fileSystem.contentsOfDirectory(atPath: "/d").isEmpty)
        #expect(try catalog.delete("t") == false)
        #expect(try catalog.partitions(of: "t", creatingWith: 1).first?.log.logEndOffset == 0)
    }
}
