import NginxLog

#if canImport(Glibc)
import Glibc
#endif

/// One open log file being read line by line. Owns its descriptor, so a file that was renamed
/// or unlinked can still be read to its end; closes it when released.
///
/// The file itself is the buffer: the reader remembers offsets only and keeps no bytes between
/// reads. Each read is one `pread` at `consumedOffset` into the shared `ReadBuffer`; complete
/// lines are handed out in place, and an unfinished last line is simply read again next time
/// (it is at most `maxLineBytes` long, so the waste is bounded). A line longer than
/// `maxLineBytes` is handed out once its `\n` is found, cut to its first `maxLineBytes` bytes
/// and flagged; the bytes in between are scanned, never held.
///
/// Offsets, in file order: `0 ≤ consumedOffset ≤ scannedOffset ≤` size when last read.
/// `consumedOffset` is always a line boundary (0, or just after a `\n`), so a checkpoint taken
/// there resumes at the start of a line.
///
/// Before handing out any line the reader re-reads the file's first bytes and compares them
/// with `identity`: when copytruncate replaced the content between two reads, the bytes just
/// read may belong to the new content at an old offset (mid-line garbage), so nothing is
/// handed out and the result says `contentReplaced`.
///
/// Not thread-safe: one owner (the `Tailer`, or a test) at a time.
public final class TailedFile {
    /// What one `readLines` call achieved.
    public struct ReadProgress: Sendable, Equatable {
        /// Lines handed to the closure.
        public var lines: Int
        /// Bytes `scannedOffset` advanced by.
        public var scannedBytes: Int64
        /// Whether the last `pread` came back short: everything present was examined.
        public var reachedEnd: Bool
        /// Whether the first bytes no longer match `identity` (copytruncate or rewrite); nothing
        /// from the read that noticed it was handed out.
        public var contentReplaced: Bool

        public init(lines: Int, scannedBytes: Int64, reachedEnd: Bool, contentReplaced: Bool) {
            self.lines = lines
            self.scannedBytes = scannedBytes
            self.reachedEnd = reachedEnd
            self.contentReplaced = contentReplaced
        }
    }

    /// A line longer than `maxLineBytes` whose `\n` has not been found yet.
    private struct OverlongLine {
        var start: Int64
    }

    /// The path the file was opened by (it may have another name, or none, by now).
    public let path: String
    /// Which source matched the file.
    public let sourceIndex: Int
    /// Longest line handed out whole; longer lines are cut to this and flagged.
    public let maxLineBytes: Int
    public internal(set) var id: TailedFileID
    /// Device, inode, and the first bytes as last verified.
    public private(set) var identity: FileIdentity
    /// End of the last line handed out: the next line starts here.
    public private(set) var consumedOffset: Int64 = 0
    /// End of the bytes examined so far: `consumedOffset` plus an unfinished last line.
    public private(set) var scannedOffset: Int64 = 0

    private let descriptor: Int32
    private var overlong: OverlongLine?
    /// Scratch for reading the first bytes, allocated once.
    private var firstBytes: [UInt8]

    /// Opens `path` read-only and takes its identity from the open descriptor (not from an
    /// earlier `stat` of the path, which a rename may have made stale).
    public init(path: String, id: TailedFileID, sourceIndex: Int, maxLineBytes: Int) throws(SystemCallError) {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SystemCallError.current("open", path: path) }
        self.descriptor = descriptor
        self.path = path
        self.id = id
        self.sourceIndex = sourceIndex
        self.maxLineBytes = max(1, maxLineBytes)
        self.firstBytes = [UInt8](repeating: 0, count: FileIdentity.fingerprintCapacity)
        self.identity = FileIdentity(device: 0, inode: 0, fingerprint: [])
        let status = try FileStatus.of(descriptor: descriptor, path: path)
        let first = try readFirstBytes()
        self.identity = FileIdentity(device: status.device, inode: status.inode, fingerprint: first)
    }

    deinit {
        Glibc.close(descriptor)
    }

    /// `fstat` of the open descriptor: size and link count of the file itself, whatever its name.
    public func status() throws(SystemCallError) -> FileStatus {
        try FileStatus.of(descriptor: descriptor, path: path)
    }

    /// The first `min(size, FileIdentity.fingerprintCapacity)` bytes as they are now.
    public func readFirstBytes() throws(SystemCallError) -> ArraySlice<UInt8> {
        var outcome: Result<Int, SystemCallError> = .success(0)
        firstBytes.withUnsafeMutableBytes { buffer in
            outcome = Result { () throws(SystemCallError) in try preadFully(into: buffer, at: 0) }
        }
        return firstBytes[0..<(try outcome.get())]
    }

    /// Re-reads the first bytes: grows the fingerprint while the file is shorter than its
    /// capacity, and answers `false` when they contradict it or the file got shorter than it
    /// (the content was replaced; `identity` is left as it was).
    public func verifyIdentity() throws(SystemCallError) -> Bool {
        let first = try readFirstBytes()
        guard first.count >= identity.fingerprint.count, let grown = identity.extended(with: first) else {
            return false
        }
        identity = grown
        return true
    }

    /// Positions the reader at `start` before the first read of this file.
    public func position(at start: StartOffset, using buffer: ReadBuffer) throws(SystemCallError) {
        let offset: Int64
        switch start {
        case .offset(let value):
            offset = max(0, value)
        case .lastLineBoundary(let size):
            offset = try offsetAfterLastNewline(atOrBefore: size, using: buffer)
        }
        consumedOffset = offset
        scannedOffset = offset
        overlong = nil
    }

    /// Starts over at offset 0 as a new generation (copytruncate): the identity takes the
    /// current first bytes, offsets and the unfinished-line state are reset.
    public func restart(as newID: TailedFileID) throws(SystemCallError) {
        let first = try readFirstBytes()
        identity = FileIdentity(device: identity.device, inode: identity.inode, fingerprint: first)
        id = newID
        consumedOffset = 0
        scannedOffset = 0
        overlong = nil
    }

    /// Reads from `consumedOffset` and hands each complete line to `body`, in file order,
    /// until about `maxBytes` were scanned or the end of the file was reached.
    ///
    /// Each `pread` asks for the rest of the budget clamped to `maxLineBytes + 1 ...
    /// buffer.capacity`, so a line that fits is always found whole, every call makes progress,
    /// and at most `maxBytes + maxLineBytes + 1` bytes are scanned. A line without its
    /// `\n` yet is never handed out. If `body` throws, the line it threw on counts as not
    /// consumed and is read again by the next call.
    @discardableResult
    public func readLines(
        using buffer: ReadBuffer,
        maxBytes: Int,
        _ body: (TailedLine) throws -> Void
    ) throws -> ReadProgress {
        precondition(buffer.capacity > maxLineBytes, "ReadBuffer must hold a line of maxLineBytes plus its newline")
        let budget = Int64(max(1, maxBytes))
        var progress = ReadProgress(lines: 0, scannedBytes: 0, reachedEnd: false, contentReplaced: false)
        while progress.scannedBytes < budget, !progress.reachedEnd, !progress.contentReplaced {
            let remaining = Int(budget - progress.scannedBytes)
            let request = min(buffer.capacity, max(remaining, maxLineBytes + 1))
            let before = scannedOffset
            if overlong != nil {
                try skipOverlong(using: buffer, request: request, progress: &progress, body)
            } else {
                try readStep(using: buffer, request: request, progress: &progress, body)
            }
            progress.scannedBytes += scannedOffset - before
        }
        return progress
    }

    // MARK: - Reading steps

    /// One `pread` at `consumedOffset`: hands out the complete lines, then notes an unfinished
    /// or over-long tail.
    private func readStep(
        using buffer: ReadBuffer,
        request: Int,
        progress: inout ReadProgress,
        _ body: (TailedLine) throws -> Void
    ) throws {
        let window = UnsafeMutableRawBufferPointer(rebasing: buffer.storage[0..<request])
        let count = try preadFully(into: window, at: consumedOffset)
        progress.reachedEnd = count < request
        guard count > 0 else {
            scannedOffset = consumedOffset
            return
        }
        guard try verifyIdentity() else {
            progress.contentReplaced = true
            return
        }
        let bytes = UnsafeRawBufferPointer(rebasing: buffer.storage[0..<count])
        let base = consumedOffset
        let splitter = LineSplitter(maximumLineBytes: maxLineBytes + 1)
        // The loop works on locals, stored back once (also when `body` throws): per line, a
        // stored property of this class would cost a dynamic exclusivity check per access.
        let (id, sourceIndex, maxLineBytes) = (id, sourceIndex, maxLineBytes)
        var consumed = base
        var lines = 0
        defer {
            consumedOffset = consumed
            scannedOffset = max(scannedOffset, consumed)
            progress.lines += lines
        }
        let tail = try splitter.forEachLine(in: bytes) { line in
            let end = base + Int64(line.upperBound) + 1
            let kept = line.lowerBound..<min(line.upperBound, line.lowerBound + maxLineBytes)
            try body(
                TailedLine(
                    file: id, sourceIndex: sourceIndex,
                    bytes: UnsafeRawBufferPointer(rebasing: bytes[kept]),
                    range: consumed..<end,
                    isTruncated: kept.count < line.count))
            consumed = end
            lines += 1
        }
        scannedOffset = base + Int64(count)
        if tail.isOverlong {
            overlong = OverlongLine(start: consumed)
        }
    }

    /// One `pread` past the start of an over-long line, looking for its `\n`; once found, the
    /// line's first `maxLineBytes` are read again and handed out flagged as truncated.
    private func skipOverlong(
        using buffer: ReadBuffer,
        request: Int,
        progress: inout ReadProgress,
        _ body: (TailedLine) throws -> Void
    ) throws {
        guard let line = overlong else { return }
        let window = UnsafeMutableRawBufferPointer(rebasing: buffer.storage[0..<request])
        let count = try preadFully(into: window, at: scannedOffset)
        progress.reachedEnd = count < request
        let bytes = UnsafeRawBufferPointer(rebasing: buffer.storage[0..<count])
        guard let newline = LineSplitter(maximumLineBytes: maxLineBytes + 1).nextLine(in: bytes) else {
            scannedOffset += Int64(count)
            return
        }
        let end = scannedOffset + Int64(newline.upperBound) + 1
        let prefix = UnsafeMutableRawBufferPointer(rebasing: buffer.storage[0..<maxLineBytes])
        let kept = try preadFully(into: prefix, at: line.start)
        guard try verifyIdentity() else {
            progress.contentReplaced = true
            return
        }
        try body(
            TailedLine(
                file: id, sourceIndex: sourceIndex,
                bytes: UnsafeRawBufferPointer(rebasing: buffer.storage[0..<kept]),
                range: line.start..<end,
                isTruncated: true))
        progress.lines += 1
        overlong = nil
        consumedOffset = end
        scannedOffset = end
        // Lines after the `\n` may already be in the file: read on from the new line start.
        progress.reachedEnd = false
    }

    // MARK: - System calls

    /// `pread` until `buffer` is full or the end of the file; retries `EINTR`. Returns the
    /// bytes read.
    private func preadFully(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(SystemCallError) -> Int {
        var total = 0
        while total < buffer.count {
            guard let base = buffer.baseAddress else { return 0 }
            let count = pread(descriptor, base + total, buffer.count - total, off_t(offset + Int64(total)))
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemCallError.current("pread", path: path)
            }
            if count == 0 { break }
            total += count
        }
        return total
    }

    /// Scans backwards from `size` for the last `\n`, one buffer at a time.
    private func offsetAfterLastNewline(atOrBefore size: Int64, using buffer: ReadBuffer) throws(SystemCallError) -> Int64 {
        var end = max(0, size)
        while end > 0 {
            let start = max(0, end - Int64(buffer.capacity))
            let window = UnsafeMutableRawBufferPointer(rebasing: buffer.storage[0..<Int(end - start)])
            let count = try preadFully(into: window, at: start)
            if let index = window[0..<count].lastIndex(of: UInt8(ascii: "\n")) {
                return start + Int64(index) + 1
            }
            end = start
        }
        return 0
    }
}

@available(*, unavailable)
extension TailedFile: Sendable {}
