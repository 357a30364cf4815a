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
        var index = 0
        var words = 0
        let count = packed.count
        while index < count {
            let tag = packed[index]
            index += 1 + tag.nonzeroBitCount
            words += 1
            guard index <= count else { throw .badPacking(offset: count, reason: "a tag's bytes are cut off") }
            if tag == 0x00 || tag == 0xFF {
                guard index < count else { throw .badPacking(offset: index, reason: "the run count is missing") }
                let run = Int(packed[index])
                index += 1
                words += run
                if tag == 0xFF {
                    index += run * 8
                    guard index <= count else {
                        throw .badPacking(offset: count, reason: "a verbatim run of \(run) words is cut off")
                    }
                }
            }
            guard words * 8 <= maximumBytes else { throw .unpackedTooLarge(limit: maximumBytes) }
        }
        return words * 8
    }

    /// Expands `packed` into `output`, which must hold exactly `unpackedByteCount(of: packed)`
    /// bytes (call that first: it validates what this loop then trusts).
    public static func unpack(_ packed: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        var index = 0
        var out = 0
        let count = packed.count
        while index < count {
            let tag = packed[index]
            index += 1
            var word: UInt64 = 0
            if tag == 0xFF {
                word = packed.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                index += 8
            } else if tag != 0 {
                var bits = tag
                while bits != 0 {
                    let byte = UInt64(bits.trailingZeroBitCount)
                    word |= UInt64(packed[index]) << (byte * 8)
                    index += 1
                    bits &= bits &- 1
                }
                word = UInt64(littleEndian: word)
            }
            output.storeBytes(of: word, toByteOffset: out, as: UInt64.self)
            out += 8
            if tag == 0x00 {
                let run = Int(packed[index]) * 8
                index += 1
                UnsafeMutableRawBufferPointer(rebasing: output[out..<(out + run)]).initializeMemory(as: UInt8.self, repeating: 0)
                out += run
            } else if tag == 0xFF {
                let run = Int(packed[index]) * 8
                index += 1
                UnsafeMutableRawBufferPointer(rebasing: output[out..<(out + run)])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: packed[index..<(index + run)]))
                index += run
                out += run
            }
        }
    }

    /// Packs one piece (the segment table or one segment, a whole number of words) at `start`.
    private static func packPiece(
        _ piece: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer,
        at start: Int
    ) -> Int {
        var out = start
        var index = 0
        let wordCount = piece.count / 8
        var word = 0
        while word < wordCount {
            let value = UInt64(littleEndian: piece.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            let tag = tagByte(value)
            output[out] = tag
            out += 1
            if tag == 0xFF {
                output.storeBytes(of: value.littleEndian, toByteOffset: out, as: UInt64.self)
                out += 8
            } else if tag != 0 {
                var bits = value
                while bits != 0 {
                    let byte = UInt8(truncatingIfNeeded: bits)
                    if byte != 0 {
                        output[out] = byte
                        out += 1
                    }
                    bits >>= 8
                }
            }
            index += 8
            word += 1
            if tag == 0x00 {
                var run = 0
                while run < 255, word < wordCount, piece.loadUnaligned(fromByteOffset: index, as: UInt64.self) == 0 {
                    run += 1
                    word += 1
                    index += 8
                }
                output[out] = UInt8(run)
                out += 1
            } else if tag == 0xFF {
                let runStart = index
                var run = 0
                while run < 255, word < wordCount,
                    zeroByteCount(piece.loadUnaligned(fromByteOffset: index, as: UInt64.self)) < 2
                {
                    run += 1
                    word += 1
                    index += 8
                }
                output[out] = UInt8(run)
                out += 1
                UnsafeMutableRawBufferPointer(rebasing: output[out..<(out + run * 8)])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: piece[runStart..<index]))
                out += run * 8
            }
        }
        return out
    }

    /// Bit `i` set ⇔ byte `i` (little-endian) of `word` is non-zero.
    @inline(__always)
    private static func tagByte(_ word: UInt64) -> UInt8 {
        // Per byte: OR its bits down into the byte's low bit, then gather the eight low bits.
        var folded = word | (word >> 4)
        folded |= folded >> 2
        folded |= folded >> 1
        folded &= 0x0101_0101_0101_0101
        return UInt8(truncatingIfNeeded: (folded &* 0x0102_0408_1020_4080) >> 56)
    }

    @inline(__always)
    private static func zeroByteCount(_ word: UInt64) -> Int {
        8 - tagByte(word).nonzeroBitCount
    }
}
