import FileStorage
import Logging

@testable import SegmentStore

/// A partition log (on an `InMemoryFileSystem` unless told otherwise), plus the test's own
/// record of what it appended.
final class LogFixture<Files: FileSystem> {
    let fileSystem: Files
    let directory: String
    let clock = ManualClock()
    var configuration: PartitionLogConfiguration
    var appended: [AppendedBatch] = []

    static var defaultConfiguration: PartitionLogConfiguration {
        PartitionLogConfiguration(segmentBytes: 1 << 20, indexIntervalBytes: 300)
    }

    init(fileSystem: Files, directory: String, configuration: PartitionLogConfiguration = defaultConfiguration) {
        self.fileSystem = fileSystem
        self.directory = directory
        self.configuration = configuration
    }

    func open() throws -> PartitionLog {
        try PartitionLog(
            directory: directory,
            fileSystem: fileSystem,
            configuration: configuration,
            validator: TestBatches.validator,
            clock: clock.wallClock,
            logger: .test
        )
    }

    /// Appends `batch` and records it with the offsets the test expects: contiguous from the
    /// previous batch (or `expectedStart`), independent of what the log returns.
    @discardableResult
    func append(_ batch: [UInt8], to log: PartitionLog, recordCount: Int64, maxTimestamp: Int64) throws -> AppendedBatch
    {
        let expectedBase = appended.last.map { $0.lastOffset + 1 } ?? 0
        let result = try log.append(batch)
        let record = AppendedBatch(
            baseOffset: expectedBase,
            lastOffset: expectedBase + recordCount - 1,
            stored: TestBatches.stored(batch, at: expectedBase),
            maxTimestamp: maxTimestamp
        )
        precondition(
            result.baseOffset == record.baseOffset && result.lastOffset == record.lastOffset,
            "log assigned \(result), test expected \(record.baseOffset)...\(record.lastOffset)")
        appended.append(record)
        return record
    }

    /// Appends `count` batches of varying record counts, sizes and timestamps.
    func appendMany(_ count: Int, to log: PartitionLog, seed: Int = 0) throws {
        for index in 0..<count {
            let records = Int32(1 + (index + seed) % 5)
            let timestamp = 1_700_000_000_000 + Int64(((index + seed) * 7919) % 1000)
            let batch = TestBatches.make(
                TestBatches.Spec(
                    records: records,
                    payloadBytes: 20 + ((index + seed) * 37) % 200,
                    baseTimestamp: timestamp - 5,
                    maxTimestamp: timestamp,
                    seed: UInt8(truncatingIfNeeded: index + seed)
                )
            )
            try append(batch, to: log, recordCount: Int64(records), maxTimestamp: timestamp)
        }
    }

    /// Every byte the log should hold, oldest first.
    var expectedBytes: [UInt8] { appended.flatMap(\.stored) }

    func logPath(base: Int64) -> String { directory + "/" + SegmentFileName(baseOffset: base, kind: .log).name }
    func indexPath(base: Int64, _ kind: SegmentFileName.Kind) -> String {
        directory + "/" + SegmentFileName(baseOffset: base, kind: kind).name
    }

    /// Reads the whole log through `read(from:)` batch by batch.
    func readAll(_ log: PartitionLog) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var offset = log.logStartOffset
        while offset < log.logEndOffset {
            let chunk = try log.read(from: offset, maxBytes: 1 << 20)
            guard let last = TestBatches.split(chunk).last, !chunk.isEmpty else { break }
            bytes += chunk
            let lastDelta = last[23..<27].reduce(Int64(0)) { $0 << 8 | Int64($1) }
            offset = TestBatches.baseOffset(of: last[...]) + lastDelta + 1
        }
        return bytes
    }
}

extension LogFixture where Files == InMemoryFileSystem {
    convenience init(configuration: PartitionLogConfiguration = defaultConfiguration) {
        self.init(fileSystem: InMemoryFileSystem(), directory: "/data/access-0", configuration: configuration)
    }

    /// The files a fresh run writes from `batches` with this configuration, closed cleanly: the
    /// reference for rebuilt indexes.
    func referenceFiles(batches: [AppendedBatch]) throws -> InMemoryFileSystem {
        let reference = MemoryLogFixture(configuration: configuration)
        let log = try reference.open()
        for batch in batches {
            var fresh = batch.stored
            fresh.replaceSubrange(0..<8, with: [UInt8](repeating: 0, count: 8))
            try log.append(fresh)
        }
        try log.close()
        return reference.fileSystem
    }
}

typealias MemoryLogFixture = LogFixture<InMemoryFileSystem>
