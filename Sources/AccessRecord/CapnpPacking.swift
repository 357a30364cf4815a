import CCapnpPacking

/// Cap'n Proto's standard packed encoding (what `capnp decode --packed` and every Cap'n Proto
/// library's "packed" reader take), for one framed message.
///
/// Why records go packed on the wire: an access record is mostly small numbers in 8-byte
/// slots, pointers and text padding, so about half of its bytes are zero. LZ4 cannot remove
/// short runs of zeros (a match costs at least 3 bytes), packing does: measured on the
/// benchmark log, 372 → 190 bytes per record, and 16 % fewer bytes after LZ4 than the unpacked
/// records (BENCHMARKS.md, "A smaller wire").
///
/// Encoding, word by word: a tag byte whose bit `i` says byte `i` of the word is non-zero,
/// then the non-zero bytes. Tag `0x00` is followed by a count of further all-zero words
/// (0–255); tag `0xFF` by a count of words copied verbatim (0–255). Like the C++ writer, the
/// segment table and each segment are packed as separate pieces and a verbatim run extends
/// while the next word has at most one zero byte, so our output is byte-for-byte what
/// `capnp convert binary:packed` writes.
///
/// How a reader tells the encodings apart (`isPacked`): a packed single-segment message starts
/// with the tag of its segment-table word, whose low four bits are clear (the segment count
/// minus one, 0, fills bytes 0–3) and which is not 0 (the segment size is not: a message holds
/// at least its root pointer), followed by a non-zero byte. An unpacked message starts with the
/// segment count minus one as a little-endian u32: a single-segment one with 00, any other with
/// a second byte of 00 (up to 256 segments; readers refuse more than 512 anyway).
public enum CapnpPacking {
    /// Most bytes `pack` writes for a message of `byteCount` bytes: at worst a word becomes its
    /// tag, 8 bytes and a run count.
    public static func maximumPackedBytes(forMessageBytes byteCount: Int) -> Int {
        (byteCount + 7) / 8 * 10
    }

    /// Whether `value` is a packed single-segment message rather than a framed unpacked one
    /// (see the type's comment). Anything else — a value too short to tell, a packed message of
    /// several segments — reads as unpacked and fails framing there.
    @inline(__always)
    public static func isPacked(_ value: UnsafeRawBufferPointer) -> Bool {
        value.count >= 2 && value[0] != 0 && value[0] & 0x0F == 0 && value[1] != 0
    }

    /// Packs the framed message `message` into `output`, returning the bytes written.
    ///
    /// - Throws: framing errors of `CapnpFraming.nextMessageLength(in:)`, `.truncated` or
    ///   `.trailingBytes` when `message` is not exactly one message.
    /// - Precondition: `output.count >= maximumPackedBytes(forMessageBytes: message.count)`.
    public static func pack(
        _ message: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) throws(CapnpError) -> Int {
        precondition(output.count >= maximumPackedBytes(forMessageBytes: message.count), "packing space too small")
        guard let length = try CapnpFraming.nextMessageLength(in: message) else {
            throw .truncated(needed: 8, available: message.count)
        }
        guard length <= message.count else { throw .truncated(needed: length, available: message.count) }
        guard length == message.count else { throw .trailingBytes(messageBytes: length, available: message.count) }
        let segmentCount = Int(message.loadUnaligned(fromByteOffset: 0, as: UInt32.self).littleEndian) + 1
        var start = CapnpFraming.headerLength(segmentCount: segmentCount)
        var written = packPiece(UnsafeRawBufferPointer(rebasing: message[0..<start]), into: output, at: 0)
        for index in 0..<segmentCount {
            let words = Int(message.loadUnaligned(fromByteOffset: 4 + 4 * index, as: UInt32.self).littleEndian)
            let end = start + words * 8
            written = packPiece(UnsafeRawBufferPointer(rebasing: message[start..<end]), into: output, at: written)
            start = end
        }
        return written
    }

    /// `pack` into an array, replacing its contents.
    public static func pack(_ message: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(CapnpError) {
        let bound = maximumPackedBytes(forMessageBytes: message.count)
        if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
        let written: Result<Int, CapnpError> = output.withUnsafeMutableBytes { space in
            do throws(CapnpError) { return .success(try pack(message, into: space)) } catch { return .failure(error) }
        }
        output.removeSubrange(try written.get()...)
    }

    /// The bytes `packed` expands to, validating it on the way.
    ///
    /// - Throws: `.badPacking` when a tag's bytes, a run count or a verbatim run are cut off,
    ///   `.unpackedTooLarge` when the expansion would exceed `maximumBytes` (a packed zero run
    ///   expands 1000-fold, so a small hostile value must not allocate gigabytes).
    public static func unpackedByteCount(
        of packed: UnsafeRawBufferPointer,
        maximumBytes: Int
    ) throws(CapnpError) -> Int {
        guard let input = packed.baseAddress else { return 0 }
        var words = 0
        var offset = 0
        var run = 0
        let status = edgelog_capnp_unpacked_words(
            input.assumingMemoryBound(to: UInt8.self), packed.count, maximumBytes / 8, &words, &offset, &run)
        if status == Int32(EDGELOG_CAPNP_UNPACK_OK.rawValue) { return words * 8 }
        try throwError(status: status, offset: offset, run: run, maximumBytes: maximumBytes)
        return 0
    }

    private static func throwError(status: Int32, offset: Int, run: Int, maximumBytes: Int) throws(CapnpError) {
        switch status {
        case Int32(EDGELOG_CAPNP_UNPACK_TAG_CUT.rawValue): throw .badPacking(offset: offset, reason: "a tag's bytes are cut off")
        case Int32(EDGELOG_CAPNP_UNPACK_COUNT_MISSING.rawValue):
            throw .badPacking(offset: offset, reason: "the run count is missing")
        case Int32(EDGELOG_CAPNP_UNPACK_VERBATIM_CUT.rawValue):
            throw .badPacking(offset: offset, reason: "a verbatim run of \(run) words is cut off")
        default: throw .unpackedTooLarge(limit: maximumBytes)
        }
    }

    /// Validates and expands `packed` into `storage` in one pass, returning the message's byte
    /// count; the first bytes of `storage` hold the message. The reader's hot path: storage
    /// reused across records is mostly large enough already; when it is not, the message is
    /// measured, `storage` grown, and the pass run again.
    ///
    /// - Throws: as `unpackedByteCount(of:maximumBytes:)`.
    public static func unpack(
        _ packed: UnsafeRawBufferPointer,
        into storage: inout [UInt8],
        maximumBytes: Int
    ) throws(CapnpError) -> Int {
        try unpack(packed, into: &storage, at: 0, maximumBytes: maximumBytes)
    }

    /// Like `unpack(_:into:maximumBytes:)`, writing the message at `storage[start...]` and
    /// keeping the bytes before `start`: many messages expanded back to back into one buffer.
    /// When `storage` lacks room it grows (at least doubling), its first `start` bytes kept.
    ///
    /// - Precondition: `0 <= start <= storage.count`.
    public static func unpack(
        _ packed: UnsafeRawBufferPointer,
        into storage: inout [UInt8],
        at start: Int,
        maximumBytes: Int
    ) throws(CapnpError) -> Int {
        precondition(start >= 0 && start <= storage.count, "start \(start) outside 0...\(storage.count)")
        if let count = try expand(packed, into: &storage, at: start, maximumBytes: maximumBytes) { return count }
        let count = try unpackedByteCount(of: packed, maximumBytes: maximumBytes)
        let grown = max(start + count, min(2 * storage.count, start + min(maximumBytes, Int.max / 2)))
        if start == 0 {
            storage = [UInt8](repeating: 0, count: grown)
        } else {
            storage.append(contentsOf: repeatElement(0, count: grown - storage.count))
        }
        // `storage` now has `count` bytes of room at `start`, so the pass has room.
        return try expand(packed, into: &storage, at: start, maximumBytes: maximumBytes) ?? count
    }

    /// One validate-and-expand pass (C) into `storage[start...]`; `nil` when that is too small
    /// for the message.
    private static func expand(
        _ packed: UnsafeRawBufferPointer,
        into storage: inout [UInt8],
        at start: Int,
        maximumBytes: Int
    ) throws(CapnpError) -> Int? {
        guard let input = packed.baseAddress else { return 0 }
        var words = 0
        var offset = 0
        var run = 0
        let status = storage.withUnsafeMutableBufferPointer { output in
            edgelog_capnp_unpack_checked(
                input.assumingMemoryBound(to: UInt8.self), packed.count, output.baseAddress.map { $0 + start },
                (output.count - start) / 8, maximumBytes / 8, &words, &offset, &run)
        }
        switch status {
        case Int32(EDGELOG_CAPNP_UNPACK_OK.rawValue): return words * 8
        case Int32(EDGELOG_CAPNP_UNPACK_NO_ROOM.rawValue): return nil
        default:
            try throwError(status: status, offset: offset, run: run, maximumBytes: maximumBytes)
            return nil
        }
    }

    /// Packs one piece (the segment table or one segment, a whole number of words) at `start`;
    /// the per-word work is in C (`CCapnpPacking`: one byte shuffle per word where the CPU has
    /// one).
    private static func packPiece(
        _ piece: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer,
        at start: Int
    ) -> Int {
        guard let input = piece.baseAddress, let target = output.baseAddress, piece.count >= 8 else { return start }
        return start
            + edgelog_capnp_pack_piece(
                input.assumingMemoryBound(to: UInt8.self),
                piece.count / 8,
                (target + start).assumingMemoryBound(to: UInt8.self)
            )
    }
}
