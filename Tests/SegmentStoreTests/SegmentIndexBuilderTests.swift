import KafkaProtocol
import Testing

@testable import SegmentStore

@Suite struct SegmentIndexBuilderTests {
    private func header(base: Int64, records: Int32 = 1, totalBytes: Int, maxTimestamp: Int64) throws -> RecordBatchHeader {
        var batch = TestBatches.make(
            TestBatches.Spec(
                records: records, payloadBytes: totalBytes - 61, baseTimestamp: 0, maxTimestamp: maxTimestamp)
        )
        batch = TestBatches.stored(batch, at: base)
        return try #require(batch.withUnsafeBytes { RecordBatchHeader(readingFieldsOf: $0) })
    }

    @Test func offsetEntriesComeOncePerIntervalOfBytes() throws {
        // Ten batches of 100 bytes, interval 250. Worked by hand: before the batch at 300 the
        // bytes since the last entry are 300 >= 250, so it gets an entry, and so on every third.
        var builder = SegmentIndexBuilder(baseOffset: 1000, indexIntervalBytes: 250)
        var entries: [OffsetIndex.Entry] = []
        for index in 0..<10 {
            let (entry, _) = builder.add(
                try header(base: 1000 + Int64(index) * 2, records: 2, totalBytes: 100, maxTimestamp: 0),
                at: Int64(index * 100))
            if let entry { entries.append(entry) }
        }
        #expect(
            entries == [
                .init(relativeOffset: 6, position: 300), .init(relativeOffset: 12, position: 600),
                .init(relativeOffset: 18, position: 900),
            ])
    }

    @Test func anEntryComesOnceExactlyTheIntervalWasWritten() throws {
        // 100-byte batches, interval 200: before the batch at 200 exactly 200 bytes were
        // written since the segment start, which is enough (Kafka: "at least every interval").
        var builder = SegmentIndexBuilder(baseOffset: 0, indexIntervalBytes: 200)
        var positions: [UInt32] = []
        for index in 0..<7 {
            let (entry, _) = builder.add(
                try header(base: Int64(index), totalBytes: 100, maxTimestamp: 0), at: Int64(index * 100))
            if let entry { positions.append(entry.position) }
        }
        #expect(positions == [200, 400, 600])
    }

    @Test func intervalZeroIndexesEveryBatchIncludingTheFirst() throws {
        var builder = SegmentIndexBuilder(baseOffset: 0, indexIntervalBytes: 0)
        for index in 0..<4 {
            let (entry, _) = builder.add(
                try header(base: Int64(index), totalBytes: 70, maxTimestamp: 0), at: Int64(index * 70))
            #expect(entry == .init(relativeOffset: UInt32(index), position: UInt32(index * 70)))
        }
    }

    @Test func timeEntriesRecordTheRunningMaximumWhenItGrew() throws {
        // Every batch is indexed (interval 0). Max timestamps 5, 3, 9, 9, 2, 12 give the running
        // maximum 5, 5, 9, 9, 9, 12, first reached at batches 0, 2 and 5.
        var builder = SegmentIndexBuilder(baseOffset: 0, indexIntervalBytes: 0)
        var entries: [TimeIndex.Entry] = []
        for (index, timestamp) in [Int64(5), 3, 9, 9, 2, 12].enumerated() {
            let (_, entry) = builder.add(
                try header(base: Int64(index), totalBytes: 61, maxTimestamp: timestamp), at: Int64(index * 61))
            if let entry { entries.append(entry) }
        }
        #expect(
            entries == [
                .init(timestamp: 5, relativeOffset: 0), .init(timestamp: 9, relativeOffset: 2),
                .init(timestamp: 12, relativeOffset: 5),
            ])
        #expect(builder.maxTimestamp == 12)
    }

    @Test func aSparseTimeEntryPointsAtTheBatchThatReachedTheMaximum() throws {
        // Interval 150 with 100-byte batches: entries at batches 2, 4 (bytes since: 200 each).
        // Timestamps 1, 50, 7, 8, 9: at batch 2 the maximum is 50, reached by batch 1.
        var builder = SegmentIndexBuilder(baseOffset: 0, indexIntervalBytes: 150)
        var entries: [TimeIndex.Entry] = []
        for (index, timestamp) in [Int64(1), 50, 7, 8, 9].enumerated() {
            let (_, entry) = builder.add(
                try header(base: Int64(index), totalBytes: 100, maxTimestamp: timestamp), at: Int64(index * 100))
            if let entry { entries.append(entry) }
        }
        #expect(entries == [.init(timestamp: 50, relativeOffset: 1)])
    }
}
