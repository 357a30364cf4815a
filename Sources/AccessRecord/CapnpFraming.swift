/// Cap'n Proto stream framing: how messages are delimited in a byte stream.
///
/// Byte layout of one framed message (all integers little-endian u32):
///
///     [segmentCount - 1] [size of segment 0 in words] ... [size of segment N-1] [pad to 8] [segments]
///
/// A single-segment message — the only kind `AccessRecordBuilder` writes — therefore starts with
/// `00 00 00 00 <words>` and is `8 + 8 * words` bytes long. Several messages written back to
/// back (a batch) are walked with `nextMessageLength(in:)`, which needs only the segment table.
public enum CapnpFraming {
    /// Segment tables announcing more segments than this are rejected as hostile (the C++
    /// reader's limit is the same order of magnitude).
    public static let maximumSegmentCount = 512

    /// The byte length of the framed message starting at `bytes[0]`, read from its segment table
    /// alone, or `nil` when `bytes` does not yet hold the whole table (read more and retry).
    ///
    /// The result may exceed `bytes.count`: the table is complete but the segments are not.
    /// A caller splitting a finished batch treats that as truncation; a caller reading a socket
    /// waits for that many bytes.
    ///
    /// - Throws: `CapnpError.badSegmentTable` when the table announces more than
    ///   `maximumSegmentCount` segments.
    /// - Complexity: O(segment count), at most 512 reads.
    public static func nextMessageLength(in bytes: UnsafeRawBufferPointer) throws(CapnpError) -> Int? {
        guard bytes.count >= 4 else { return nil }
        let segmentCount = Int(readUInt32(bytes, at: 0)) + 1
        guard segmentCount <= maximumSegmentCount else {
            throw .badSegmentTable(segmentCount: segmentCount, reason: "more than \(maximumSegmentCount) segments")
        }
        let headerBytes = headerLength(segmentCount: segmentCount)
        guard bytes.count >= headerBytes else { return nil }
        var total = headerBytes
        for index in 0..<segmentCount {
            // At most 512 × (2^32 − 1) × 8 bytes: fits an Int comfortably, no overflow.
            total += Int(readUInt32(bytes, at: 4 + 4 * index)) * 8
        }
        return total
    }

    /// `nextMessageLength(in:)` for an array.
    public static func nextMessageLength(in bytes: [UInt8]) throws(CapnpError) -> Int? {
        try withRawBytes(bytes) { (raw) throws(CapnpError) -> Int? in try nextMessageLength(in: raw) }
    }

    /// Splits a batch of concatenated framed messages into the byte range of each message.
    ///
    /// - Throws: `CapnpError.truncated` when the last message is cut short (including a partial
    ///   segment table), `badSegmentTable` as in `nextMessageLength(in:)`.
    public static func messageRanges(in bytes: UnsafeRawBufferPointer) throws(CapnpError) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        while start < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[start...])
            guard let length = try nextMessageLength(in: rest) else {
                throw .truncated(needed: max(8, headerLength(segmentCount: 1)), available: rest.count)
            }
            guard length <= rest.count else { throw .truncated(needed: length, available: rest.count) }
            ranges.append(start..<(start + length))
            start += length
        }
        return ranges
    }

    /// `messageRanges(in:)` for an array.
    public static func messageRanges(in bytes: [UInt8]) throws(CapnpError) -> [Range<Int>] {
        try withRawBytes(bytes) { (raw) throws(CapnpError) -> [Range<Int>] in try messageRanges(in: raw) }
    }

    /// Header bytes for `segmentCount` segments: 4 + 4 × count, padded to a whole word.
    static func headerLength(segmentCount: Int) -> Int {
        (4 + 4 * segmentCount + 7) & ~7
    }

    /// Validates the framing of exactly one message and returns its only segment.
    ///
    /// Checks, in order: header present, segment count sane and equal to 1, segment fully
    /// present, no bytes after it.
    static func singleSegment(of message: UnsafeRawBufferPointer) throws(CapnpError) -> UnsafeRawBufferPointer {
        guard let length = try nextMessageLength(in: message) else {
            throw .truncated(needed: 8, available: message.count)
        }
        let segmentCount = Int(readUInt32(message, at: 0)) + 1
        guard segmentCount == 1 else { throw .multiSegmentUnsupported(segmentCount: segmentCount) }
        guard length <= message.count else { throw .truncated(needed: length, available: message.count) }
        guard length == message.count else { throw .trailingBytes(messageBytes: length, available: message.count) }
        return UnsafeRawBufferPointer(rebasing: message[8..<length])
    }

    private static func readUInt32(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}

/// Runs `body` over the array's bytes, keeping the typed error.
@inline(__always)
func withRawBytes<R>(
    _ bytes: [UInt8],
    _ body: (UnsafeRawBufferPointer) throws(CapnpError) -> R
) throws(CapnpError) -> R {
    let result: Result<R, CapnpError> = bytes.withUnsafeBytes { raw in
        do throws(CapnpError) { return .success(try body(raw)) } catch { return .failure(error) }
    }
    return try result.get()
}
