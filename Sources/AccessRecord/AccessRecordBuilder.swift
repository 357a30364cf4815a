/// Writes access records as standard single-segment framed Cap'n Proto messages, back to back,
/// into one reusable byte buffer.
///
/// Layout of each message this builder appends (byte offsets from the message start):
///
///     0    00 00 00 00            segment count − 1 = 0
///     4    u32 LE                 segment size in words (patched by `endRecord()`)
///     8    root pointer           struct at offset 0, 15 data words, 13 pointer words
///     16   data section           120 bytes, field offsets from `AccessRecordLayout`
///     136  pointer section        13 words
///     240  blobs and the extras list, in the order they were set, each padded to a word
///
/// (That is `beginRecord()`; `beginRequestRecord` writes a shorter root struct, see there.)
///
/// Objects are only ever appended after the root struct, so every pointer is a forward,
/// intra-segment pointer and far pointers never occur. All schema defaults are zero, so no
/// value needs XORing. Apart from the buffer's own growth nothing is allocated per record.
///
/// Usage — a parser writing straight from the line bytes:
///
///     builder.beginRecord()
///     builder.setTimeUs(t)
///     builder.setText(.path, UnsafeRawBufferPointer(rebasing: line[pathStart..<pathEnd]))
///     try builder.endRecord()      // the message is now the last bytes of builder.buffer
///
/// Setting a pointer field twice is allowed: the earlier bytes stay behind unreferenced (valid,
/// only wasted space). Calling a setter without an open record is a programming error and traps.
public struct AccessRecordBuilder: ~Copyable, @unchecked Sendable {
    /// Storage owned by this builder alone, of which the first `byteCount` bytes are the
    /// messages. Noncopyable, so a write needs no uniqueness check and no reference counting:
    /// with a copy-on-write array those checks (one per field) were a large part of the
    /// builder's cost per record. Bytes past `byteCount` are garbage from earlier records and
    /// are never read: every write zeroes what it does not fill. Sendable because only its one
    /// owner can reach the storage.
    private var base: UnsafeMutableRawPointer
    /// Bytes the builder holds allocated.
    public private(set) var capacity: Int
    /// Bytes of storage in use: every finished message, and the open record if any.
    public private(set) var byteCount = 0

    /// Every message finished so far, framed and concatenated; during a record, also the
    /// record under construction. A copy: the hot path reads through `withUnsafeBytes`.
    public var buffer: [UInt8] { Array(UnsafeRawBufferPointer(start: base, count: byteCount)) }

    /// Calls `body` with the bytes of `buffer`, without copying them.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(start: base, count: byteCount))
    }

    /// Byte offset in `buffer` of the open record's framing header, `nil` between records.
    private var recordStart: Int?
    /// Segment word of the first element of the open record's extras list.
    private var extrasFirstElementWord: Int?
    private var extrasCount = 0
    /// The first value that could not be encoded; reported by `endRecord()`.
    private var oversize: CapnpError?

    /// Largest list count a list pointer holds (29 bits), i.e. the largest Data, or Text + NUL.
    public static let maximumBlobBytes = (1 << 29) - 1
    /// Largest segment whose forward offsets fit the 30-bit signed offset field.
    public static let maximumSegmentWords = (1 << 29) - 1

    private static let headerBytes = 8
    /// Words before the root struct: the root pointer.
    private static let rootPointerWords = 1
    /// The root struct starts at segment word 1, right after the root pointer.
    private static let dataSectionWord = 1
    /// Sections of the open record's root struct (`beginRecord(dataWords:pointerWords:)`).
    private var openDataWords = AccessRecordLayout.dataWords
    private var openPointerWords = AccessRecordLayout.pointerWords
    private var pointerSectionWord: Int { Self.dataSectionWord + openDataWords }
    /// Eight 64-bit words, so `beginRecord()` can append header + root struct from the stack.
    private typealias EightWords = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    /// - Parameter capacity: bytes to reserve up front (a batch's expected size).
    public init(reservingCapacity capacity: Int = 0) {
        self.capacity = max(capacity, 256)
        base = Self.allocateZeroed(self.capacity)
    }

    deinit { base.deallocate() }

    private static func allocateZeroed(_ count: Int) -> UnsafeMutableRawPointer {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 8)
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: count)
        return memory
    }

    /// Drops every message, keeping the allocation by default (the usual call after a batch
    /// was handed off). Also abandons an open record.
    public mutating func removeAll(keepingCapacity: Bool = true) {
        byteCount = 0
        if !keepingCapacity {
            base.deallocate()
            capacity = 256
            base = Self.allocateZeroed(capacity)
        }
        resetRecordState()
    }

    // MARK: - Record framing

    /// Starts a new message at the end of `buffer`, with every field at its default and the
    /// schema's full root struct.
    public mutating func beginRecord() {
        beginRecord(dataWords: AccessRecordLayout.dataWords, pointerWords: AccessRecordLayout.pointerWords)
    }

    /// Starts a message whose root struct's sections may end early: that is what a writer
    /// with an older schema produces, and every Cap'n Proto reader returns the default (0,
    /// null) for the fields it leaves out (`AccessRecordLayout.requestDataWords` says why
    /// request records are written that way). Setting a field outside the chosen sections is
    /// a programming error and traps.
    private mutating func beginRecord(dataWords: Int, pointerWords: Int) {
        precondition(recordStart == nil, "beginRecord() while a record is open")
        precondition(
            (0...AccessRecordLayout.dataWords).contains(dataWords)
                && (0...AccessRecordLayout.pointerWords).contains(pointerWords),
            "root struct sections beyond the schema's"
        )
        openDataWords = dataWords
        openPointerWords = pointerWords
        recordStart = byteCount
        // Header (segment count 0, size patched by `endRecord()`), root pointer, then the
        // all-zero root struct, appended as one copy from the stack: appending a
        // `repeatElement` of zeros goes byte by byte, and a static array costs a retain.
        // The template has room for 31 words after the header; only the first
        // `headerBytes + rootWords * 8` bytes are appended, so appending schema fields keeps
        // working until the root struct outgrows it (then the precondition says so, in every
        // build configuration: a short template would silently corrupt every record).
        let zeros: EightWords = (0, 0, 0, 0, 0, 0, 0, 0)
        var words = (zeros, zeros, zeros, zeros)
        let rootWords = Self.rootPointerWords + AccessRecordLayout.dataWords + AccessRecordLayout.pointerWords
        precondition(
            Self.headerBytes + rootWords * 8 <= MemoryLayout.size(ofValue: words),
            "root struct outgrew the template: widen it"
        )
        let templateBytes = Self.headerBytes + (Self.rootPointerWords + dataWords + pointerWords) * 8
        // Root pointer: offset 0, data words at bits 32-47, pointer words at bits 48-63.
        let rootPointer = UInt64(dataWords) << 32 | UInt64(pointerWords) << 48
        words.0.1 = rootPointer.littleEndian
        Swift.withUnsafeBytes(of: &words) { append(UnsafeRawBufferPointer(rebasing: $0[..<templateBytes]), paddedTo: templateBytes) }
    }

    /// Starts a request record (`kind = request`) with its root struct cut after the last
    /// section it can use: no control-field words, and the `rawLine` and `extras` pointers only
    /// when asked for (see `AccessRecordLayout.requestDataWords`). Control records (`fileStats`)
    /// use `beginRecord()`.
    public mutating func beginRequestRecord(withRawLine: Bool, withExtras: Bool) {
        let pointers =
            withExtras
            ? AccessRecordLayout.pointerWords
            : withRawLine ? AccessRecordLayout.rawLine + 1 : AccessRecordLayout.requestPointerWords
        beginRecord(dataWords: AccessRecordLayout.requestDataWords, pointerWords: pointers)
    }

    /// Finishes the open record by writing its segment size.
    ///
    /// - Returns: the message's byte range in `buffer`.
    /// - Throws: `CapnpError.valueTooLarge` when a blob or the whole message exceeds what the
    ///   format can address; the record is then removed from `buffer` and nothing else changes.
    @discardableResult
    public mutating func endRecord() throws(CapnpError) -> Range<Int> {
        guard let start = recordStart else { preconditionFailure("endRecord() without beginRecord()") }
        let segmentWords = (byteCount - start - Self.headerBytes) >> 3
        let failure: CapnpError? = if let oversize {
            oversize
        } else if segmentWords > Self.maximumSegmentWords {
            .valueTooLarge(bytes: segmentWords << 3, limit: Self.maximumSegmentWords << 3)
        } else {
            nil
        }
        resetRecordState()
        if let failure {
            byteCount = start
            throw failure
        }
        base.storeBytes(of: UInt32(segmentWords).littleEndian, toByteOffset: start + 4, as: UInt32.self)
        return start..<byteCount
    }

    /// Abandons the open record, removing its bytes.
    public mutating func cancelRecord() {
        guard let start = recordStart else { return }
        byteCount = start
        resetRecordState()
    }

    // MARK: - Data-section fields

    public mutating func setTimeUs(_ value: Int64) { store(value, AccessRecordLayout.timeUs) }
    public mutating func setMethod(_ value: AccessRecord.Method) { store(value.rawValue, AccessRecordLayout.method) }
    public mutating func setProtocol(_ value: AccessRecord.HTTPProtocol) {
        store(value.rawValue, AccessRecordLayout.httpProtocol)
    }
    public mutating func setStatus(_ value: UInt16) { store(value, AccessRecordLayout.status) }
    public mutating func setBodyBytesSent(_ value: UInt64) { store(value, AccessRecordLayout.bodyBytesSent) }
    public mutating func setBytesSent(_ value: UInt64) { store(value, AccessRecordLayout.bytesSent) }
    public mutating func setRequestLength(_ value: UInt64) { store(value, AccessRecordLayout.requestLength) }
    public mutating func setRequestTimeUs(_ value: UInt64) { store(value, AccessRecordLayout.requestTimeUs) }
    public mutating func setUpstreamResponseTimeUs(_ value: UInt64) {
        store(value, AccessRecordLayout.upstreamResponseTimeUs)
    }
    public mutating func setCacheStatus(_ value: AccessRecord.CacheStatus) {
        store(value.rawValue, AccessRecordLayout.cacheStatus)
    }
    public mutating func setParseError(_ value: Bool) { storeBit(value, AccessRecordLayout.parseError) }
    public mutating func setTruncated(_ value: Bool) { storeBit(value, AccessRecordLayout.truncated) }
    public mutating func setRequestTimeAbsent(_ value: Bool) { storeBit(value, AccessRecordLayout.requestTimeAbsent) }
    public mutating func setFileOffset(_ value: UInt64) { store(value, AccessRecordLayout.fileOffset) }
    public mutating func setUtcOffsetMin(_ value: Int16) { store(value, AccessRecordLayout.utcOffsetMin) }
    public mutating func setKind(_ value: AccessRecord.RecordKind) { store(value.rawValue, AccessRecordLayout.kind) }
    public mutating func setShippedLines(_ value: UInt64) { store(value, AccessRecordLayout.shippedLines) }
    public mutating func setLostLines(_ value: UInt64) { store(value, AccessRecordLayout.lostLines) }
    public mutating func setLostBytes(_ value: UInt64) { store(value, AccessRecordLayout.lostBytes) }
    public mutating func setEndOffset(_ value: UInt64) { store(value, AccessRecordLayout.endOffset) }
    public mutating func setLostBytesReplaced(_ value: UInt64) { store(value, AccessRecordLayout.lostBytesReplaced) }
    public mutating func setLostBytesUnfinished(_ value: UInt64) {
        store(value, AccessRecordLayout.lostBytesUnfinished)
    }

    // MARK: - Pointer fields

    /// Sets a Text field to `bytes` (UTF-8 expected, not checked; a NUL is appended). Empty
    /// bytes write an empty, present Text; leave the field unset for "absent".
    public mutating func setText(_ field: AccessRecord.TextField, _ bytes: UnsafeRawBufferPointer) {
        appendBlob(bytes, nulTerminated: true, pointerWord: rootPointerWord(field.pointerIndex))
    }

    public mutating func setText(_ field: AccessRecord.TextField, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { setText(field, $0) }
    }

    public mutating func setText(_ field: AccessRecord.TextField, _ string: String) {
        var string = string  // `withUTF8` may need to make a bridged string contiguous
        string.withUTF8 { setText(field, UnsafeRawBufferPointer($0)) }
    }

    /// Sets a Data field to `bytes`. Empty bytes write a present, empty Data.
    public mutating func setData(_ field: AccessRecord.DataField, _ bytes: UnsafeRawBufferPointer) {
        appendBlob(bytes, nulTerminated: false, pointerWord: rootPointerWord(field.pointerIndex))
    }

    public mutating func setData(_ field: AccessRecord.DataField, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { setData(field, $0) }
    }

    /// Allocates the extras list with `count` variables, each with null name and value, to be
    /// filled with `setExtra(at:name:value:)`. Call at most once per record.
    public mutating func setExtrasCount(_ count: Int) {
        precondition(count >= 0 && extrasFirstElementWord == nil, "extras already allocated, or negative count")
        let elementWords = AccessRecordLayout.variableDataWords + AccessRecordLayout.variablePointerWords
        let listWords = count * elementWords
        guard count < 1 << 29, listWords <= Self.maximumSegmentWords else {
            oversize = oversize ?? .valueTooLarge(bytes: listWords << 3, limit: Self.maximumSegmentWords << 3)
            return
        }
        let tagWord = nextSegmentWord
        // List pointer: kind 1, element size 7 (composite), bits 35-63 = words of all elements.
        storePointer(kind: 1, targetWord: tagWord, at: rootPointerWord(AccessRecordLayout.extras),
                     upper: 7 | UInt64(listWords) << 3)
        appendZeros((1 + listWords) << 3)
        // Tag word: shaped like a struct pointer whose offset field is the element count.
        let tag = UInt64(count) << 2
            | UInt64(AccessRecordLayout.variableDataWords) << 32
            | UInt64(AccessRecordLayout.variablePointerWords) << 48
        storeWord(tag, atSegmentWord: tagWord)
        extrasFirstElementWord = tagWord + 1
        extrasCount = count
    }

    /// Sets extras element `index` (in `0..<count` of `setExtrasCount`).
    public mutating func setExtra(at index: Int, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        guard let first = extrasFirstElementWord else {
            // Oversized list (already reported) or a missing `setExtrasCount`.
            precondition(oversize != nil, "setExtra(at:) before setExtrasCount(_:)")
            return
        }
        precondition(index >= 0 && index < extrasCount, "extras index \(index) out of 0..<\(extrasCount)")
        let element = first + index * (AccessRecordLayout.variableDataWords + AccessRecordLayout.variablePointerWords)
        let pointers = element + AccessRecordLayout.variableDataWords
        appendBlob(name, nulTerminated: true, pointerWord: pointers + AccessRecordLayout.variableName)
        appendBlob(value, nulTerminated: true, pointerWord: pointers + AccessRecordLayout.variableValue)
    }

    public mutating func setExtra(at index: Int, name: String, value: String) {
        var name = name
        var value = value
        name.withUTF8 { nameBytes in
            value.withUTF8 { valueBytes in
                setExtra(at: index, name: UnsafeRawBufferPointer(nameBytes), value: UnsafeRawBufferPointer(valueBytes))
            }
        }
    }

    // MARK: - Whole records

    /// Appends `record` as one message. Empty Text/Data fields are left absent (they read the
    /// same); an empty `extras` writes no list; each extras variable gets both texts, even empty.
    ///
    /// - Returns: the message's byte range in `buffer`.
    @discardableResult
    public mutating func append(_ record: AccessRecord) throws(CapnpError) -> Range<Int> {
        beginRecord()
        setTimeUs(record.timeUs)
        setMethod(record.method)
        setProtocol(record.protocol)
        setStatus(record.status)
        setBodyBytesSent(record.bodyBytesSent)
        setBytesSent(record.bytesSent)
        setRequestLength(record.requestLength)
        setRequestTimeUs(record.requestTimeUs)
        setUpstreamResponseTimeUs(record.upstreamResponseTimeUs)
        setCacheStatus(record.cacheStatus)
        setParseError(record.parseError)
        setTruncated(record.truncated)
        setRequestTimeAbsent(record.requestTimeAbsent)
        setFileOffset(record.fileOffset)
        setUtcOffsetMin(record.utcOffsetMin)
        setKind(record.kind)
        setShippedLines(record.shippedLines)
        setLostLines(record.lostLines)
        setLostBytes(record.lostBytes)
        setEndOffset(record.endOffset)
        setLostBytesReplaced(record.lostBytesReplaced)
        setLostBytesUnfinished(record.lostBytesUnfinished)
        for field in AccessRecord.DataField.allCases where !record[keyPath: field.keyPath].isEmpty {
            setData(field, record[keyPath: field.keyPath])
        }
        for field in AccessRecord.TextField.allCases where !record[keyPath: field.keyPath].isEmpty {
            setText(field, record[keyPath: field.keyPath])
        }
        if !record.extras.isEmpty {
            setExtrasCount(record.extras.count)
            for (index, variable) in record.extras.enumerated() {
                setExtra(at: index, name: variable.name, value: variable.value)
            }
        }
        return try endRecord()
    }

    /// Appends `record` as one framed message to `buffer`, reusing its capacity.
    public static func encode(_ record: AccessRecord, into buffer: inout [UInt8]) throws(CapnpError) {
        var builder = AccessRecordBuilder()
        let range = try builder.append(record)
        builder.withUnsafeBytes { buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    // MARK: - Private

    private mutating func resetRecordState() {
        recordStart = nil
        extrasFirstElementWord = nil
        extrasCount = 0
        oversize = nil
    }

    /// Byte offset in `buffer` of the open record's segment.
    private var segmentStart: Int {
        guard let recordStart else { preconditionFailure("no record open: call beginRecord() first") }
        return recordStart + Self.headerBytes
    }

    /// The segment word the next appended object will start at.
    private var nextSegmentWord: Int { (byteCount - segmentStart) >> 3 }

    private func rootPointerWord(_ index: Int) -> Int {
        precondition(index < openPointerWords, "pointer field \(index) outside the record's \(openPointerWords) pointers")
        return pointerSectionWord + index
    }

    @inline(__always)
    private mutating func store<T: FixedWidthInteger>(_ value: T, _ slot: AccessRecordLayout.DataSlot) {
        precondition(
            slot.byteOffset + MemoryLayout<T>.size <= openDataWords << 3,
            "data field outside the record's \(openDataWords) data words"
        )
        let offset = segmentStart + (Self.dataSectionWord << 3) + slot.byteOffset
        base.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
    }

    private mutating func storeBit(_ value: Bool, _ slot: AccessRecordLayout.DataSlot) {
        precondition(slot.byteOffset < openDataWords << 3, "data field outside the record's \(openDataWords) data words")
        let offset = segmentStart + (Self.dataSectionWord << 3) + slot.byteOffset
        let mask = UInt8(1) << UInt8(slot.bitOffset & 7)
        let byte = base.load(fromByteOffset: offset, as: UInt8.self)
        base.storeBytes(of: value ? byte | mask : byte & ~mask, toByteOffset: offset, as: UInt8.self)
    }

    private mutating func storeWord(_ word: UInt64, atSegmentWord index: Int) {
        let offset = segmentStart + (index << 3)
        base.storeBytes(of: word.littleEndian, toByteOffset: offset, as: UInt64.self)
    }

    /// Writes a list pointer at `pointerWord` leading forward to `targetWord`. `upper` is bits
    /// 32-63 (element size code and count). Offsets stay below 2^29 because `endRecord()`
    /// rejects larger segments; truncation here can only produce a message that is thrown away.
    private mutating func storePointer(kind: UInt64, targetWord: Int, at pointerWord: Int, upper: UInt64) {
        let offset = targetWord - (pointerWord + 1)
        let low = UInt64(UInt32(truncatingIfNeeded: offset << 2)) | kind
        storeWord(low | upper << 32, atSegmentWord: pointerWord)
    }

    /// Appends `bytes` (+ NUL for Text), zero-padded to a word, and points `pointerWord` at it.
    private mutating func appendBlob(_ bytes: UnsafeRawBufferPointer, nulTerminated: Bool, pointerWord: Int) {
        let count = bytes.count + (nulTerminated ? 1 : 0)
        guard count <= Self.maximumBlobBytes else {
            oversize = oversize ?? .valueTooLarge(bytes: count, limit: Self.maximumBlobBytes)
            return
        }
        let target = nextSegmentWord
        // List pointer: kind 1, element size 2 (bytes), bits 35-63 = byte count.
        storePointer(kind: 1, targetWord: target, at: pointerWord, upper: 2 | UInt64(count) << 3)
        append(bytes, paddedTo: (count + 7) & ~7)
    }

    /// Makes room for `count` more bytes past `byteCount` (doubling, zero-filled).
    @inline(__always)
    private mutating func reserve(_ count: Int) {
        let needed = byteCount + count
        if needed > capacity { grow(to: max(needed, 2 * capacity)) }
    }

    /// Appends `bytes` followed by zeros up to `padded` bytes, with one uniqueness check and
    /// one copy.
    ///
    /// - Precondition: `padded` is a multiple of 8 and `bytes.count <= padded`.
    @inline(__always)
    private mutating func append(_ bytes: UnsafeRawBufferPointer, paddedTo padded: Int) {
        guard padded > 0 else { return }
        precondition(padded & 7 == 0 && bytes.count <= padded, "blobs are padded to whole words")
        reserve(padded)
        let start = byteCount
        let target = base + start
        // The last word first (it holds the padding and a Text's NUL), then the bytes.
        target.storeBytes(of: UInt64(0), toByteOffset: padded - 8, as: UInt64.self)
        if let source = bytes.baseAddress { target.copyMemory(from: source, byteCount: bytes.count) }
        byteCount = start + padded
    }

    /// Moves the bytes in use into a zeroed allocation of `newCapacity` bytes.
    private mutating func grow(to newCapacity: Int) {
        let grown = Self.allocateZeroed(newCapacity)
        grown.copyMemory(from: base, byteCount: byteCount)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    private mutating func appendZeros(_ count: Int) {
        guard count > 0 else { return }
        reserve(count)
        let start = byteCount
        (base + start).initializeMemory(as: UInt8.self, repeating: 0, count: count)
        byteCount = start + count
    }

}
