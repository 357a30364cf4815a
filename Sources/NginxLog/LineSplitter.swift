/// Finds complete lines in a buffer of bytes read from a log file. Pure: no I/O, no copies.
///
/// A line ends with `\n` (nginx always writes one; a `\r` before it is left in the line for
/// `LogParser` to strip). The bytes after the last `\n` are the partial tail: nginx may still
/// be writing that line, so it is never reported as a line. The caller keeps the tail (moves it
/// to the front of its buffer) and reads more. A tail as long as `maximumLineBytes` will never
/// become a line the caller can hold: `Tail.isOverlong` tells it to cap the line (ship the
/// bytes with a flag, skip to the next `\n`) instead of buffering forever.
///
/// - Complexity: O(n) in the bytes scanned, 64 bytes per step.
public struct LineSplitter: Sendable {
    /// Where the unterminated rest of the buffer starts.
    public struct Tail: Sendable, Equatable {
        /// Offset of the first byte after the last `\n` (the buffer's end when it ends with `\n`).
        public var start: Int
        /// Whether the tail is already `maximumLineBytes` long or longer.
        public var isOverlong: Bool

        public init(start: Int, isOverlong: Bool) {
            self.start = start
            self.isOverlong = isOverlong
        }
    }

    /// Longest line the caller is prepared to buffer, `\n` excluded. At least 1.
    public let maximumLineBytes: Int

    public init(maximumLineBytes: Int = 1 << 20) {
        self.maximumLineBytes = max(1, maximumLineBytes)
    }

    /// Calls `body` with the range of each complete line in `buffer[from...]`, `\n` excluded,
    /// in order, and returns the partial tail.
    @discardableResult
    public func forEachLine(
        in buffer: UnsafeRawBufferPointer,
        from: Int = 0,
        _ body: (Range<Int>) throws -> Void
    ) rethrows -> Tail {
        var start = max(0, min(from, buffer.count))
        while let newline = ByteScan.firstIndex(ofDistant: UInt8(ascii: "\n"), in: buffer, from: start, to: buffer.count) {
            try body(start..<newline)
            start = newline + 1
        }
        return Tail(start: start, isOverlong: buffer.count - start >= maximumLineBytes)
    }

    /// The range of the first complete line in `buffer[from...]` (`\n` excluded), or `nil`
    /// when there is none yet.
    public func nextLine(in buffer: UnsafeRawBufferPointer, from: Int = 0) -> Range<Int>? {
        let start = max(0, min(from, buffer.count))
        guard let newline = ByteScan.firstIndex(of: UInt8(ascii: "\n"), in: buffer, from: start, to: buffer.count)
        else { return nil }
        return start..<newline
    }
}
