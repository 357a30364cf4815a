import PipelineTestSupport
import Testing

@testable import NginxLog

@Suite struct ByteScanTests {
    /// Every start/end window over random buffers, against the standard library's search.
    @Test func agreesWithNaiveSearch() {
        var random = SplitMix64(seed: 3)
        for _ in 0..<300 {
            let count = Int.random(in: 0..<40, using: &random)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...5, using: &random) &* 51 }
            let needle = (0..<Int.random(in: 1...3, using: &random)).map { _ in UInt8.random(in: 0...5, using: &random) &* 51 }
            bytes.withUnsafeBytes { buffer in
                needle.withUnsafeBytes { needleBuffer in
                    for from in 0...count {
                        for to in from...count {
                            let window = bytes[from..<to]
                            #expect(ByteScan.firstIndex(of: needle[0], in: buffer, from: from, to: to) == window.firstIndex(of: needle[0]))
                            let either = window.firstIndex { $0 == needle[0] || $0 == 255 }
                            #expect(ByteScan.firstIndex(of: needle[0], or: 255, in: buffer, from: from, to: to) == either)
                            let naive = (from..<to).first { start in
                                start + needle.count <= to && Array(bytes[start..<(start + needle.count)]) == needle
                            }
                            #expect(ByteScan.firstIndex(of: needleBuffer, in: buffer, from: from, to: to) == naive)
                        }
                    }
                }
            }
        }
    }

    /// Buffers long enough for the 16-byte and 8-byte stages and the shifted last word, each
    /// ending at a guard page (an over-read past the buffer faults), with the match placed at
    /// every offset around 8- and 16-byte boundaries and windows ending just before, at and
    /// after it. Expected values come from the standard library's searches.
    @Test(arguments: [0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 70])
    func vectorWordAndTailStagesAgreeWithNaiveSearch(count: Int) {
        var random = SplitMix64(seed: UInt64(count) &+ 11)
        for _ in 0..<40 {
            // Few distinct values, so matches are frequent; 0 included (the shifted last word
            // fills with zero bytes past the buffer's end).
            let bytes = (0..<count).map { _ in [0x00, 0x20, 0x22, 0x5C, 0x61][Int.random(in: 0..<5, using: &random)] as UInt8 }
            withBufferEndingAtGuardPage(bytes) { buffer in
                for from in 0...count {
                    for to in from...count {
                        let window = bytes[from..<to]
                        for target: UInt8 in [0x00, 0x20, 0x22, 0x5C] {
                            #expect(ByteScan.firstIndex(of: target, in: buffer, from: from, to: to) == window.firstIndex(of: target))
                            #expect(ByteScan.lastIndex(of: target, in: buffer, from: from, to: to) == window.lastIndex(of: target))
                            #expect(ByteScan.contains(target, in: buffer, from..<to) == window.contains(target))
                        }
                        let either = window.firstIndex { $0 == 0x22 || $0 == 0x5C }
                        #expect(ByteScan.firstIndex(of: 0x22, or: 0x5C, in: buffer, from: from, to: to) == either)
                    }
                }
            }
        }
    }

    /// The 64-byte stage of `firstIndex(ofDistant:)` (the line splitter's search): sparse
    /// matches in buffers around one, two and three steps long, ending at a guard page, from
    /// every start and to the end or a random window end. Expected: the standard library's.
    @Test(arguments: [0, 1, 63, 64, 65, 79, 80, 127, 128, 129, 200])
    func distantSearchAgreesWithNaiveSearch(count: Int) {
        var random = SplitMix64(seed: UInt64(count) &+ 101)
        for _ in 0..<30 {
            let bytes = (0..<count).map { _ in
                Int.random(in: 0..<60, using: &random) == 0 ? 0x0A : [0x00, 0x61, 0x0B][Int.random(in: 0..<3, using: &random)] as UInt8
            }
            withBufferEndingAtGuardPage(bytes) { buffer in
                for from in 0...count {
                    for to in [count, Int.random(in: from...count, using: &random)] {
                        #expect(
                            ByteScan.firstIndex(ofDistant: 0x0A, in: buffer, from: from, to: to)
                                == bytes[from..<to].firstIndex(of: 0x0A), "from \(from) to \(to)")
                    }
                }
            }
        }
    }

    /// A single match at every position of a 64-byte run, found from every start before it.
    @Test func singleMatchAtEveryPosition() {
        for position in 0..<64 {
            var bytes = [UInt8](repeating: 0x61, count: 64)
            bytes[position] = 0x0A
            withBufferEndingAtGuardPage(bytes) { buffer in
                for from in 0...position {
                    #expect(ByteScan.firstIndex(of: 0x0A, in: buffer, from: from, to: 64) == position)
                    #expect(ByteScan.firstIndex(of: 0x0A, or: 0x0B, in: buffer, from: from, to: 64) == position)
                    #expect(ByteScan.firstIndex(of: 0x0A, in: buffer, from: from, to: position) == nil)
                    #expect(ByteScan.lastIndex(of: 0x0A, in: buffer, from: from, to: 64) == position)
                }
            }
        }
    }
}
