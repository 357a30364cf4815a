import NginxLog
import Testing

@Suite struct LineSplitterTests {
    private static let text = Array(
        "first line\nsecond\r\n\n\(String(repeating: "x", count: 40))\nlast without newline".utf8)

    /// Feeds `text` in chunks of `chunkSize` like a tailer (keep the tail, append the next read)
    /// and collects the lines; the reference split is the standard library's.
    @Test(arguments: [1, 2, 3, 7, 8, 9, 16, 1_000])
    func chunkedFeedingFindsExactlyTheCompleteLines(chunkSize: Int) {
        let splitter = LineSplitter(maximumLineBytes: 1_000)
        var pending: [UInt8] = []
        var lines: [[UInt8]] = []
        var offset = 0
        while offset < Self.text.count {
            pending += Self.text[offset..<min(offset + chunkSize, Self.text.count)]
            offset += chunkSize
            let tail = pending.withUnsafeBytes { buffer in
                splitter.forEachLine(in: buffer) { lines.append(Array(buffer[$0])) }
            }
            pending.removeFirst(tail.start)
        }
        let reference = Self.text.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        #expect(lines == Array(reference.dropLast()))
        #expect(pending == reference.last)
    }

    @Test func overlongTailIsFlagged() {
        let splitter = LineSplitter(maximumLineBytes: 8)
        let bytes = Array("ok\n12345678".utf8)
        var count = 0
        let tail = bytes.withUnsafeBytes { splitter.forEachLine(in: $0) { _ in count += 1 } }
        #expect(count == 1)
        #expect(tail == LineSplitter.Tail(start: 3, isOverlong: true))
        let short = Array("ok\n1234567".utf8).withUnsafeBytes { splitter.forEachLine(in: $0) { _ in } }
        #expect(short == LineSplitter.Tail(start: 3, isOverlong: false))
    }

    @Test func nextLineStartsAtTheGivenOffset() {
        let bytes = Array("ab\ncd\nef".utf8)
        let splitter = LineSplitter()
        bytes.withUnsafeBytes {
            #expect(splitter.nextLine(in: $0) == 0..<2)
            #expect(splitter.nextLine(in: $0, from: 3) == 3..<5)
            #expect(splitter.nextLine(in: $0, from: 6) == nil)
            #expect(splitter.nextLine(in: $0, from: 99) == nil)
        }
    }
}
