/// Bounds-checked pointer resolution inside one Cap'n Proto segment.
///
/// Schema-agnostic: it knows pointers, structs, byte lists and struct lists, nothing about
/// access records (so tests can also run it over the reference `sample.capnp` vectors).
///
/// Pointer word layout (bit 0 = least significant bit of the little-endian word):
///
///     bits 0-1    kind: 0 struct, 1 list, 2 far, 3 other (capability)
///     bits 2-31   signed word offset from the END of the pointer word to the target
///     struct:     bits 32-47 data-section words, bits 48-63 pointer-section words
///     list:       bits 32-34 element-size code, bits 35-63 element count
///                 (code 7, composite: count = words of all elements; the target is a tag word
///                 shaped like a struct pointer whose offset field holds the element count)
///
/// All arithmetic is on `Int` built from fields of at most 30 bits, so it cannot overflow, and
/// every target is compared with the segment size before a byte is read. Far pointers are
/// rejected: this reader serves single-segment messages only.
struct SegmentReader {
    /// The segment's bytes; `count` is a multiple of 8.
    let bytes: UnsafeRawBufferPointer

    var wordCount: Int { bytes.count >> 3 }

    /// Element-size code of byte lists (Text, Data).
    static let byteElements: UInt8 = 2
    /// Element-size code of composite lists (List(struct)).
    static let compositeElements: UInt8 = 7

    /// The word at `index`, which the caller has checked lies inside the segment.
    @inline(__always)
    func word(at index: Int) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index << 3, as: UInt64.self))
    }

    /// Reads the pointer stored at `pointerWord`, or `nil` for a null pointer.
    @inline(__always)
    func pointer(at pointerWord: Int) throws(CapnpError) -> UInt64? {
        guard pointerWord >= 0, pointerWord < wordCount else {
            throw .pointerOutOfBounds(pointerWord: pointerWord, targetWord: pointerWord, sizeBytes: 8,
                                      segmentWords: wordCount)
        }
        let raw = word(at: pointerWord)
        return raw == 0 ? nil : raw
    }

    /// The struct a struct pointer at `pointerWord` leads to, or `nil` when the pointer is null.
    func structure(at pointerWord: Int) throws(CapnpError) -> StructView? {
        guard let raw = try pointer(at: pointerWord) else { return nil }
        try expect(.structure, raw, at: pointerWord)
        let target = pointerWord + 1 + Self.signedOffset(raw)
        let dataWords = Int((raw >> 32) & 0xFFFF)
        let pointerWords = Int(raw >> 48)
        try checkBounds(pointerWord: pointerWord, targetWord: target, sizeBytes: (dataWords + pointerWords) << 3)
        return StructView(segment: self, startWord: target, dataWords: dataWords, pointerWords: pointerWords)
    }

    /// The byte range (within the segment) of a byte list — Data, or Text including its NUL —
    /// reached from `pointerWord`, or `nil` when the pointer is null. An empty list may point at
    /// the very end of the segment.
    @inline(__always)
    func byteList(at pointerWord: Int) throws(CapnpError) -> Range<Int>? {
        guard let raw = try pointer(at: pointerWord) else { return nil }
        try expect(.list, raw, at: pointerWord)
        let elementSize = UInt8((raw >> 32) & 7)
        guard elementSize == Self.byteElements else {
            throw .wrongElementSize(pointerWord: pointerWord, expected: Self.byteElements, found: elementSize)
        }
        let target = pointerWord + 1 + Self.signedOffset(raw)
        let count = Int(raw >> 35)
        try checkBounds(pointerWord: pointerWord, targetWord: target, sizeBytes: count)
        let start = target << 3
        return start..<(start + count)
    }

    /// The bytes of a Text reached from `pointerWord`, without its NUL, or `nil` when null.
    @inline(__always)
    func text(at pointerWord: Int) throws(CapnpError) -> Range<Int>? {
        guard let range = try byteList(at: pointerWord) else { return nil }
        guard let last = range.last, bytes[last] == 0 else { throw .textNotTerminated(pointerWord: pointerWord) }
        return range.lowerBound..<last
    }

    /// The struct list reached from `pointerWord`, or `nil` when null. Element sizes come from
    /// the tag word, never from a compiled schema, so lists written by newer or older schema
    /// versions read correctly.
    func compositeList(at pointerWord: Int) throws(CapnpError) -> CompositeList? {
        guard let raw = try pointer(at: pointerWord) else { return nil }
        try expect(.list, raw, at: pointerWord)
        let elementSize = UInt8((raw >> 32) & 7)
        guard elementSize == Self.compositeElements else {
            throw .wrongElementSize(pointerWord: pointerWord, expected: Self.compositeElements, found: elementSize)
        }
        let tagWord = pointerWord + 1 + Self.signedOffset(raw)
        let listWords = Int(raw >> 35)
        try checkBounds(pointerWord: pointerWord, targetWord: tagWord, sizeBytes: (1 + listWords) << 3)
        let tag = word(at: tagWord)
        try expect(.structure, tag, at: tagWord)
        // The tag's offset field is an unsigned element count here; a negative one is hostile.
        let count = Self.signedOffset(tag)
        let dataWords = Int((tag >> 32) & 0xFFFF)
        let pointerWords = Int(tag >> 48)
        guard count >= 0, count * (dataWords + pointerWords) <= listWords else {
            throw .compositeListOverrun(pointerWord: pointerWord, elements: count,
                                        wordsPerElement: dataWords + pointerWords, listWords: listWords)
        }
        return CompositeList(segment: self, firstElementWord: tagWord + 1, count: count, listWords: listWords,
                             dataWords: dataWords, pointerWords: pointerWords)
    }

    /// Bits 2-31 as a signed 30-bit word offset.
    @inline(__always)
    static func signedOffset(_ raw: UInt64) -> Int {
        Int(Int32(truncatingIfNeeded: raw) >> 2)
    }

    /// Compares the kind bits directly; the error (and the found kind's enum value) is built
    /// only on the cold path.
    @inline(__always)
    private func expect(_ kind: CapnpError.PointerKind, _ raw: UInt64, at pointerWord: Int) throws(CapnpError) {
        guard UInt8(truncatingIfNeeded: raw & 3) == kind.rawValue else {
            throw Self.wrongKind(kind, raw, at: pointerWord)
        }
    }

    @inline(never)
    private static func wrongKind(_ kind: CapnpError.PointerKind, _ raw: UInt64, at pointerWord: Int) -> CapnpError {
        .wrongPointerKind(
            pointerWord: pointerWord, expected: kind,
            found: CapnpError.PointerKind(rawValue: UInt8(truncatingIfNeeded: raw & 3)) ?? .other)
    }

    @inline(__always)
    private func checkBounds(pointerWord: Int, targetWord: Int, sizeBytes: Int) throws(CapnpError) {
        guard targetWord >= 0, (targetWord << 3) + sizeBytes <= bytes.count else {
            throw .pointerOutOfBounds(pointerWord: pointerWord, targetWord: targetWord, sizeBytes: sizeBytes,
                                      segmentWords: wordCount)
        }
    }
}

/// One struct inside a segment: its data section, then its pointer section.
///
/// Data-section reads outside the section return 0 (the field's default: the struct was
/// written by an older schema), and pointer indexes past the section have no word (null).
struct StructView {
    let segment: SegmentReader
    let startWord: Int
    let dataWords: Int
    let pointerWords: Int

    /// An empty struct: what a null pointer reads as.
    static func empty(in segment: SegmentReader) -> StructView {
        StructView(segment: segment, startWord: 0, dataWords: 0, pointerWords: 0)
    }

    var sizeWords: Int { dataWords + pointerWords }

    /// The segment word holding pointer `index`, or `nil` when the section is too short.
    @inline(__always)
    func pointerWord(_ index: Int) -> Int? {
        index < pointerWords ? startWord + dataWords + index : nil
    }

    func load<T: FixedWidthInteger>(_: T.Type, atByte offset: Int) -> T {
        guard offset + MemoryLayout<T>.size <= dataWords << 3 else { return 0 }
        return T(littleEndian: segment.bytes.loadUnaligned(fromByteOffset: (startWord << 3) + offset, as: T.self))
    }

    func bit(_ bitOffset: Int) -> Bool {
        (load(UInt8.self, atByte: bitOffset >> 3) >> UInt8(bitOffset & 7)) & 1 == 1
    }
}

/// A composite list (List(struct)) whose bounds have been checked against its segment.
struct CompositeList {
    let segment: SegmentReader
    let firstElementWord: Int
    let count: Int
    /// The list's size in words as announced by its pointer (tag word excluded).
    let listWords: Int
    let dataWords: Int
    let pointerWords: Int

    /// Element `index`, which the caller has checked is in `0..<count`.
    func element(_ index: Int) -> StructView {
        StructView(segment: segment, startWord: firstElementWord + index * (dataWords + pointerWords),
                   dataWords: dataWords, pointerWords: pointerWords)
    }
}
