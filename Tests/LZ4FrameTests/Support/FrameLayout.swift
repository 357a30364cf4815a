/// An independent reading of an LZ4 frame's structure, written from the LZ4 frame format spec
/// (v1.6.x; summarised in shared/reference/kafka/RECORD_BATCH.md §5), not from liblz4.
/// It walks header, block headers, end mark and content checksum; it does not decompress.
struct FrameLayout {
    struct Malformed: Error { var reason: String }

    /// A block as stored: its size word's payload length and whether the high bit marks it stored
    /// uncompressed.
    struct Block { var size: Int; var stored: Bool }

    var flg: UInt8
    var bd: UInt8
    var contentSize: UInt64?
    var blocks: [Block]
    /// The frame's total length in bytes, from the magic to the end of the content checksum.
    var byteCount: Int

    var version: UInt8 { flg >> 6 }
    var independentBlocks: Bool { flg & 0x20 != 0 }
    var blockChecksums: Bool { flg & 0x10 != 0 }
    var hasContentSize: Bool { flg & 0x08 != 0 }
    var contentChecksum: Bool { flg & 0x04 != 0 }
    /// BD bits 6-4: 4 = 64 KiB ... 7 = 4 MiB.
    var blockSizeID: UInt8 { (bd >> 4) & 0x07 }

    init(parsing bytes: [UInt8], from start: Int = 0) throws {
        var offset = start
        func take(_ count: Int) throws -> ArraySlice<UInt8> {
            guard count >= 0, bytes.count - offset >= count else { throw Malformed(reason: "ends at \(offset)") }
            defer { offset += count }
            return bytes[offset ..< offset + count]
        }
        func littleEndian(_ slice: ArraySlice<UInt8>) -> UInt64 {
            slice.reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }

        guard littleEndian(try take(4)) == 0x184D_2204 else { throw Malformed(reason: "magic") }
        let descriptor = try take(2)
        flg = descriptor[descriptor.startIndex]
        bd = descriptor[descriptor.startIndex + 1]
        contentSize = flg & 0x08 != 0 ? littleEndian(try take(8)) : nil
        _ = try take(1)  // HC
        blocks = []
        while true {
            let word = littleEndian(try take(4))
            if word == 0 { break }
            let size = Int(word & 0x7FFF_FFFF)
            blocks.append(Block(size: size, stored: word & 0x8000_0000 != 0))
            _ = try take(size)
            if flg & 0x10 != 0 { _ = try take(4) }
        }
        if flg & 0x04 != 0 { _ = try take(4) }
        byteCount = offset - start
    }
}
