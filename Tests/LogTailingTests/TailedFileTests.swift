import PipelineTestSupport
import LogTailing
import Testing

@Suite struct TailedFileTests {
    private struct Line: Equatable {
        var text: String
        var range: Range<Int64>
        var isTruncated: Bool
    }

    private static func read(_ file: TailedFile, _ buffer: ReadBuffer, maxBytes: Int = 1 << 20) throws -> [Line] {
        var lines: [Line] = []
        try file.readLines(using: buffer, maxBytes: maxBytes) { line in
            lines.append(Line(text: String(decoding: line.bytes, as: UTF8.self), range: line.range, isTruncated: line.isTruncated))
        }
        return lines
    }

    private static func open(_ path: String, maxLineBytes: Int = 1_000) throws -> TailedFile {
        try TailedFile(path: path, id: TailedFileID(rawValue: 1), sourceIndex: 0, maxLineBytes: maxLineBytes)
    }

    private struct Refused: Error {}

    /// A consumer that throws in the middle of a read keeps the lines it accepted consumed and
    /// gets the refused line again on the next read: no line lost, none handed out twice.
    @Test func aThrowingConsumerGetsTheRefusedLineAgain() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = try LogWriter(path: directory.file("access.log"))
        let file = try Self.open(writer.path)
        let buffer = ReadBuffer(capacity: 4_096)
        try writer.write("one\ntwo\nthree\nfour\n")
        var accepted: [String] = []
        #expect(throws: Refused.self) {
            try file.readLines(using: buffer, maxBytes: 1 << 20) { line in
                let text = String(decoding: line.bytes, as: UTF8.self)
                if text == "three" { throw Refused() }
                accepted.append(text)
            }
        }
        #expect(accepted == ["one", "two"])
        #expect(file.consumedOffset == 8)
        #expect(try Self.read(file, buffer) == [
            Line(text: "three", range: 8..<14, isTruncated: false),
            Line(text: "four", range: 14..<19, isTruncated: false),
        ])
        #expect(file.consumedOffset == 19 && file.scannedOffset == 19)
    }

    @Test func aPartialLineWaitsForItsNewline() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = try LogWriter(path: directory.file("access.log"))
        let file = try Self.open(writer.path)
        let buffer = ReadBuffer(capacity: 4_096)
        try writer.write("first\nsec")
        #expect(try Self.read(file, buffer) == [Line(text: "first", range: 0..<6, isTruncated: false)])
        #expect(file.consumedOffset == 6)
        #expect(file.scannedOffset == 9)
        #expect(try Self.read(file, buffer) == [])
        try writer.write("ond")
        #expect(try Self.read(file, buffer) == [])
        try writer.write("\nthird\n")
        #expect(try Self.read(file, buffer) == [
            Line(text: "second", range: 6..<13, isTruncated: false),
            Line(text: "third", range: 13..<19, isTruncated: false),
        ])
    }

    /// Random writes (lines split anywhere) read back through a small buffer: every line once,
    /// in order, ranges tiling the file.
    @Test(arguments: [1, 2, 3])
    func dripFedLinesComeBackWholeThroughASmallBuffer(seed: UInt64) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var random = SplitMix64(seed: seed)
        let expected = LogLines.lines(0..<300)
        let bytes = Array(LogLines.text(expected).utf8)
        let writer = try LogWriter(path: directory.file("access.log"))
        let file = try Self.open(writer.path, maxLineBytes: 200)
        let buffer = ReadBuffer(capacity: 256)
        var lines: [Line] = []
        var written = 0
        while written < bytes.count {
            let chunk = min(bytes.count - written, Int.random(in: 1...700, using: &random))
            try writer.write(Array(bytes[written..<written + chunk]))
            written += chunk
            lines += try Self.read(file, buffer, maxBytes: Int.random(in: 1...2_000, using: &random))
        }
        while file.scannedOffset < Int64(bytes.count) {
            lines += try Self.read(file, buffer)
        }
        #expect(lines.map(\.text) == expected)
        #expect(lines.allSatisfy { !$0.isTruncated })
        var offset: Int64 = 0
        for (line, text) in zip(lines, expected) {
            #expect(line.range == offset..<offset + Int64(text.utf8.count + 1))
            offset = line.range.upperBound
        }
        #expect(file.consumedOffset == Int64(bytes.count))
    }

    /// Over-long lines come out cut to `maxLineBytes` and flagged, their range covering the
    /// whole line, whether the newline is in the same read or arrives much later.
    @Test func overlongLinesAreCutAndFlagged() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = try LogWriter(path: directory.file("access.log"))
        let file = try Self.open(writer.path, maxLineBytes: 16)
        let buffer = ReadBuffer(capacity: 64)
        let long = String(repeating: "L", count: 40)
        let huge = (0..<30).map { String(repeating: Character(String($0 % 10)), count: 10) }.joined()
        try writer.write("short\n\(long)\nexactly-16-bytes\n")
        try writer.write(String(huge.prefix(150)))
        var lines = try Self.read(file, buffer)
        try writer.write(String(huge.dropFirst(150)))
        lines += try Self.read(file, buffer)
        try writer.write("\nafter\n")
        lines += try Self.read(file, buffer)
        let hugeStart = Int64(6 + 41 + 17)
        #expect(lines == [
            Line(text: "short", range: 0..<6, isTruncated: false),
            Line(text: String(long.prefix(16)), range: 6..<47, isTruncated: true),
            Line(text: "exactly-16-bytes", range: 47..<64, isTruncated: false),
            Line(text: String(huge.prefix(16)), range: hugeStart..<hugeStart + 301, isTruncated: true),
            Line(text: "after", range: hugeStart + 301..<hugeStart + 307, isTruncated: false),
        ])
    }

    @Test func lastLineBoundaryNeverStartsMidLine() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = try LogWriter(path: directory.file("access.log"))
        try writer.write("old one\nold two\nhalf")
        let file = try Self.open(writer.path)
        let buffer = ReadBuffer(capacity: 4)
        try file.position(at: .lastLineBoundary(atOrBefore: 20), using: buffer)
        #expect(file.consumedOffset == 16)
        try writer.write(" and rest\nnew\n")
        #expect(try Self.read(file, ReadBuffer(capacity: 4_096)).map(\.text) == ["half and rest", "new"])

        let noNewline = try LogWriter(path: directory.file("single.log"))
        try noNewline.write("no newline yet")
        let single = try Self.open(noNewline.path)
        try single.position(at: .lastLineBoundary(atOrBefore: 14), using: buffer)
        #expect(single.consumedOffset == 0)
    }

    /// copytruncate then more writes than before: the reader must not hand out the new
    /// content read at the old offset (it would start mid-line).
    @Test func replacedContentIsNotHandedOut() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = try LogWriter(path: directory.file("access.log"))
        try writer.write(LogLines.text(LogLines.lines(0..<5)))
        let file = try Self.open(writer.path)
        let buffer = ReadBuffer(capacity: 4_096)
        #expect(try Self.read(file, buffer).map(\.text) == LogLines.lines(0..<5))
        FileOps.truncate(writer.path)
        try writer.write(LogLines.text(LogLines.lines(100..<120, tag: "new")))
        var handed = 0
        let progress = try file.readLines(using: buffer, maxBytes: 1 << 20) { _ in handed += 1 }
        #expect(progress.contentReplaced)
        #expect(handed == 0)
        #expect(try file.verifyIdentity() == false)
        try file.restart(as: TailedFileID(rawValue: 2))
        #expect(file.id == TailedFileID(rawValue: 2))
        #expect(try Self.read(file, buffer).map(\.text) == LogLines.lines(100..<120, tag: "new"))
    }

    @Test func identityComesFromTheDescriptorAndGrows() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = try LogWriter(path: directory.file("access.log"))
        let file = try Self.open(writer.path)
        let stat = FileOps.inode(writer.path)
        #expect(file.identity.device == stat.device)
        #expect(file.identity.inode == stat.inode)
        #expect(file.identity.fingerprint.isEmpty)
        let text = LogLines.text(LogLines.lines(0..<10))
        try writer.write(text)
        #expect(try file.verifyIdentity())
        #expect(file.identity.fingerprint == Array(text.utf8.prefix(256)))
        FileOps.rename(writer.path, directory.file("access.log.1"))
        #expect(try file.status().inode == stat.inode)
        #expect(try file.status().linkCount == 1)
        FileOps.unlink(directory.file("access.log.1"))
        #expect(try file.status().linkCount == 0)
    }
}
