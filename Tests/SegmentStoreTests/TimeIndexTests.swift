import Testing

@testable import SegmentStore

@Suite struct TimeIndexTests {
    @Test func anEntryIsEightBytesOfTimestampThenFourOfRelativeOffsetBigEndian() {
        let bytes = TimeIndex.encode(TimeIndex.Entry(timestamp: 0x0102_0304_0506_0708, relativeOffset: 0x0A0B_0C0D))
        #expect(bytes == [1, 2, 3, 4, 5, 6, 7, 8, 0x0A, 0x0B, 0x0C, 0x0D])
        #expect(
            TimeIndex(baseOffset: 7, fileBytes: bytes)?.entries == [
                .init(timestamp: 0x0102_0304_0506_0708, relativeOffset: 0x0A0B_0C0D)
            ])
    }

    @Test func filesThatBreakTheInvariantsDoNotDecode() {
        let first = TimeIndex.encode(.init(timestamp: 1000, relativeOffset: 5))
        #expect(TimeIndex(baseOffset: 0, fileBytes: first + [0, 0]) == nil)
        #expect(
            TimeIndex(baseOffset: 0, fileBytes: first + TimeIndex.encode(.init(timestamp: 1000, relativeOffset: 6)))
                == nil)
        #expect(
            TimeIndex(baseOffset: 0, fileBytes: first + TimeIndex.encode(.init(timestamp: 1001, relativeOffset: 5)))
                == nil)
    }

    @Test func lookupIsTheGreatestEntryAtOrBeforeATimestampLikeALinearScan() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            var index = TimeIndex(baseOffset: 0)
            var timestamp: Int64 = -3
            var relative: UInt32 = 0
            for _ in 0..<Int.random(in: 0...100, using: &generator) {
                timestamp += Int64.random(in: 1...20, using: &generator)
                relative += UInt32.random(in: 1...20, using: &generator)
                index.append(.init(timestamp: timestamp, relativeOffset: relative))
            }
            #expect(TimeIndex(baseOffset: 0, fileBytes: index.fileBytes) == index)
            for target in -10...(timestamp + 5) {
                let linear = index.entries.last { $0.timestamp <= target }
                #expect(index.lookup(timestamp: target) == linear)
            }
        }
    }
}
