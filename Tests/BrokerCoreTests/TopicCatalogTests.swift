import FileStorage
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
