import Testing

@testable import SegmentStore

@Suite struct OffsetIndexTests {
    @Test func anEntryIsFourBytesOfRelativeOffsetThenFourOfPositionBigEndian() throws {
        let bytes = OffsetIndex.encode(OffsetIndex.Entry(relativeOffset: 0x0102_0304, position: 0x0A0B_0C0D))
        #expect(bytes == [0x01, 0x02, 0x03, 0x04, 0x0A, 0x0B, 0x0C, 0x0D])
        let decoded = try #require(OffsetIndex(baseOffset: 100, fileBytes: bytes))
        #expect(decoded.entries == [OffsetIndex.Entry(relativeOffset: 0x0102_0304, position: 0x0A0B_0C0D)])
        let expectedOffset: Int64 = 100 + 0x0102_0304
        #expect(decoded.offset(of: decoded.entries[0]) == expectedOffset)
    }

    @Test func filesThatBreakTheInvariantsDoNotDecode() {
        let first = OffsetIndex.encode(OffsetIndex.Entry(relativeOffset: 5, position: 100))
        #expect(OffsetIndex(baseOffset: 0, fileBytes: first + [0]) == nil)
        #expect(OffsetIndex(baseOffset: 0, fileBytes: first + first) == nil)
        #expect(
            OffsetIndex(baseOffset: 0, fileBytes: first + OffsetIndex.encode(.init(relativeOffset: 6, position: 90)))
                == nil)
        #expect(
            OffsetIndex(baseOffset: 0, fileBytes: first + OffsetIndex.encode(.init(relativeOffset: 4, position: 200)))
                == nil)
        #expect(OffsetIndex(baseOffset: 0, fileBytes: [])?.count == 0)
    }

    @Test func lookupIsTheGreatestLowerBoundLikeALinearScan() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let base = Int64.random(in: 0...1_000_000, using: &generator)
            var index = OffsetIndex(baseOffset: base)
            var relative: UInt32 = 0
            var position: UInt32 = 0
            for _ in 0..<Int.random(in: 0...200, using: &generator) {
                relative += UInt32.random(in: 1...50, using: &generator)
                position += UInt32.random(in: 1...5000, using: &generator)
                index.append(.init(relativeOffset: relative, position: position))
            }
            #expect(OffsetIndex(baseOffset: base, fileBytes: index.fileBytes) == index)
            for target in (base - 5)...(base + Int64(relative) + 5) {
                let linear = index.entries.last { base + Int64($0.relativeOffset) <= target }
                #expect(index.lookup(target) == linear, "target \(target)")
            }
        }
    }
}
