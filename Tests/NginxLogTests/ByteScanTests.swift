import Testing

@testable import NginxLog

@Suite struct ByteScanTests {
    /// Every start/end window over random buffers, against the standard library's search.
    @Test func agreesWithNaiveSearch() {
        var random = SplitMix64(state: 3)
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
}
