import PipelineTestSupport
import LogTailing
import Testing

@Suite struct AcknowledgedPrefixTests {
    /// Registers contiguous batches, acknowledges them in a shuffled order and after every
    /// acknowledgement compares with a reference computed from scratch: the end of the run of
    /// acknowledged batches at the front.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func outOfOrderAcknowledgementsAdvanceOnlyTheContiguousPrefix(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let start: Int64 = 1_000
        var prefix = AcknowledgedPrefix<Int>(startingAt: start)
        var ranges: [Range<Int64>] = []
        var offset = start
        for index in 0..<50 {
            let length = Int64.random(in: 1...500, using: &random)
            ranges.append(offset..<offset + length)
            try prefix.register(offset..<offset + length, mark: index)
            offset += length
        }
        #expect(prefix.sentOffset == offset)
        var acknowledged = [Bool](repeating: false, count: ranges.count)
        for index in Array(ranges.indices).shuffled(using: &random) {
            try prefix.acknowledge(ranges[index])
            acknowledged[index] = true
            let run = acknowledged.firstIndex(of: false) ?? ranges.count
            let expectedOffset = run == 0 ? start : ranges[run - 1].upperBound
            #expect(prefix.acknowledgedOffset == expectedOffset)
            #expect(prefix.acknowledgedMark == (run == 0 ? nil : run - 1))
            #expect(prefix.inFlightCount == ranges.count - run)
        }
        #expect(prefix.acknowledgedOffset == offset)
    }

    @Test func aGapHoldsThePrefixBackUntilFilled() throws {
        var prefix = AcknowledgedPrefix<String>(startingAt: 0)
        try prefix.register(0..<10, mark: "a")
        try prefix.register(10..<25, mark: "b")
        try prefix.register(25..<26, mark: "c")
        #expect(try prefix.acknowledge(25..<26) == false)
        #expect(try prefix.acknowledge(10..<25) == false)
        #expect(prefix.acknowledgedOffset == 0)
        #expect(prefix.acknowledgedMark == nil)
        #expect(try prefix.acknowledge(0..<10) == true)
        #expect(prefix.acknowledgedOffset == 26)
        #expect(prefix.acknowledgedMark == "c")
    }

    @Test func repeatedAcknowledgementIsHarmless() throws {
        var prefix = AcknowledgedPrefix<Int>(startingAt: 0)
        try prefix.register(0..<5, mark: 1)
        try prefix.register(5..<9, mark: 2)
        try prefix.acknowledge(5..<9)
        try prefix.acknowledge(5..<9)
        try prefix.acknowledge(0..<5)
        #expect(try prefix.acknowledge(0..<5) == false)
        #expect(prefix.acknowledgedOffset == 9)
    }

    @Test func batchesMustTileTheFile() throws {
        var prefix = AcknowledgedPrefix<Int>(startingAt: 100)
        #expect(throws: AcknowledgedPrefixError(.notContiguous(expectedStart: 100), range: 0..<5)) {
            try prefix.register(0..<5, mark: 0)
        }
        try prefix.register(100..<120, mark: 0)
        #expect(throws: AcknowledgedPrefixError(.notContiguous(expectedStart: 120), range: 121..<130)) {
            try prefix.register(121..<130, mark: 1)
        }
        #expect(throws: AcknowledgedPrefixError(.notContiguous(expectedStart: 120), range: 120..<120)) {
            try prefix.register(120..<120, mark: 1)
        }
        #expect(throws: AcknowledgedPrefixError(.unknownBatch, range: 100..<110)) {
            try prefix.acknowledge(100..<110)
        }
        #expect(throws: AcknowledgedPrefixError(.unknownBatch, range: 120..<130)) {
            try prefix.acknowledge(120..<130)
        }
        #expect(prefix.acknowledgedOffset == 100)
    }

    /// Many batches through the front, so the compaction of acknowledged batches runs.
    @Test func longRunsStayConsistent() throws {
        var prefix = AcknowledgedPrefix<Int>(startingAt: 0)
        var pending: [Range<Int64>] = []
        for index in 0..<1_000 {
            let range = Int64(index * 3)..<Int64(index * 3 + 3)
            try prefix.register(range, mark: index)
            pending.append(range)
            if pending.count == 4 {
                for range in pending.reversed() { try prefix.acknowledge(range) }
                pending.removeAll()
                #expect(prefix.acknowledgedOffset == Int64(index * 3 + 3))
            }
        }
        #expect(prefix.inFlightCount == 0)
        #expect(prefix.acknowledgedMark == 999)
    }
}
