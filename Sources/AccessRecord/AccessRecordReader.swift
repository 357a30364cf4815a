/// Reads one framed access-record message in place, without copying.
///
/// `init` validates the whole message against hostile input before any field is read:
/// framing (exactly one message, one segment — multi-segment messages are rejected with
/// `CapnpError.multiSegmentUnsupported`: `AccessRecordBuilder` never writes them and `capnp`
/// only does when told `--segment-size`), then every pointer field this version knows (bounds,
/// pointer kind, element size, Text NUL), charging each object to a traversal budget and checking
/// the nesting depth. After that the accessors cannot fail: they are plain loads.
///
/// Schema evolution: sizes come from the pointers, not from our schema. A field beyond the
/// data section or pointer section the writer sent (an older writer) reads as its default;
/// extra words (a newer writer) are ignored and never validated. An enum ordinal this version
/// does not know maps to the enum's ordinal-0 case, and the raw ordinal stays readable.
///
/// Lifetime: the reader borrows `message`; it and every `UnsafeRawBufferPointer` it returns are
/// valid only while those bytes are (e.g. inside `bytes.withUnsafeBytes { ... }`). Use
/// `toRecord()` or `AccessRecord(decoding:)` for an owned value.
public struct AccessRecordReader {
    /// Bounds on the work a message can cause, against amplification by overlapping pointers.
    public struct Limits: Sendable {
        /// Words of objects that following pointers may visit (the C++ default, 64 MiB).
        public var traversalLimitWords: Int
        /// Pointer depth; an access record needs 3 (root → extras list → variable's text).
        public var nestingLimit: Int

        public init(traversalLimitWords: Int = 8 * 1024 * 1024, nestingLimit: Int = 64) {
            self.traversalLimitWords = traversalLimitWords
            self.nestingLimit = nestingLimit
        }
    }

    private let segment: SegmentReader
    private let root: StructView
    private let extrasList: CompositeList?

    /// Validates `message` — exactly one framed single-segment message — and prepares to read it.
    public init(_ message: UnsafeRawBufferPointer, limits: Limits = Limits()) throws(CapnpError) {
        segment = SegmentReader(bytes: try CapnpFraming.singleSegment(of: message))
        var budget = TraversalBudget(limits: limits)
        let root = try segment.structure(at: 0) ?? .empty(in: segment)
        try budget.enter(depth: 1, words: max(root.sizeWords, 1))
        for index in AccessRecordLayout.textPointers {
            if let word = root.pointerWord(index), let range = try segment.text(at: word) {
                try budget.enter(depth: 2, words: Self.words(range.count + 1))
            }
        }
        for index in AccessRecordLayout.dataPointers {
            if let word = root.pointerWord(index), let range = try segment.byteList(at: word) {
                try budget.enter(depth: 2, words: Self.words(range.count))
            }
        }
        var extrasList: CompositeList?
        if let word = root.pointerWord(AccessRecordLayout.extras), let list = try segment.compositeList(at: word) {
            // Zero-sized elements cost a word each, or an empty-struct list could be enormous.
            try budget.enter(depth: 2, words: max(list.listWords, list.count))
            for index in 0..<list.count {
                let element = list.element(index)
                if let word = element.pointerWord(AccessRecordLayout.variableName),
                   let range = try segment.text(at: word) {
                    try budget.enter(depth: 3, words: Self.words(range.count + 1))
                }
                if let word = element.pointerWord(AccessRecordLayout.variableValue),
                   let range = try segment.text(at: word) {
                    try budget.enter(depth: 3, words: Self.words(range.count + 1))
                }
            }
            extrasList = list
        }
        self.root = root
        self.extrasList = extrasList
    }

    /// Prepares to read a message that `init(_:limits:)` accepted before, without walking it
    /// again: the consumer validates each record on its decoding task and reads it on its loop.
    /// Memory-safe on any input all the same (every read is bounds-checked); on a message that
    /// was never validated, a malformed field reads as absent instead of failing here.
    ///
    /// - Throws: framing errors (`CapnpFraming.singleSegment(of:)`) and a malformed root.
    public init(validated message: UnsafeRawBufferPointer) throws(CapnpError) {
        segment = SegmentReader(bytes: try CapnpFraming.singleSegment(of: message))
        root = try segment.structure(at: 0) ?? .empty(in: segment)
        var extrasList: CompositeList?
        if let word = root.pointerWord(AccessRecordLayout.extras) {
            extrasList = try segment.compositeList(at: word)
        }
        self.extrasList = extrasList
    }

    // MARK: - Data-section fields

    public var timeUs: Int64 { root.load(Int64.self, atByte: AccessRecordLayout.timeUs.byteOffset) }
    public var method: AccessRecord.Method { .init(ordinal: methodOrdinal) }
    /// The method's wire ordinal, possibly one this version does not know.
    public var methodOrdinal: UInt16 { root.load(UInt16.self, atByte: AccessRecordLayout.method.byteOffset) }
    /// The method as nginx logged it: the known method's name (static bytes, no copy), or the
    /// record's `methodText` for `other` and ordinals this version does not know.
    public var loggedMethod: UnsafeRawBufferPointer {
        let name: StaticString
        switch methodOrdinal {
        case AccessRecord.Method.get.rawValue: name = "GET"
        case AccessRecord.Method.head.rawValue: name = "HEAD"
        case AccessRecord.Method.post.rawValue: name = "POST"
        case AccessRecord.Method.put.rawValue: name = "PUT"
        case AccessRecord.Method.delete.rawValue: name = "DELETE"
        case AccessRecord.Method.options.rawValue: name = "OPTIONS"
        case AccessRecord.Method.patch.rawValue: name = "PATCH"
        case AccessRecord.Method.connect.rawValue: name = "CONNECT"
        case AccessRecord.Method.trace.rawValue: name = "TRACE"
        default: return text(.methodText)
        }
        return UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
    }
    /// Schema field `protocol`.
    public var httpProtocol: AccessRecord.HTTPProtocol { .init(ordinal: protocolOrdinal) }
    public var protocolOrdinal: UInt16 {
        root.load(UInt16.self, atByte: AccessRecordLayout.httpProtocol.byteOffset)
    }
    public var status: UInt16 { root.load(UInt16.self, atByte: AccessRecordLayout.status.byteOffset) }
    public var bodyBytesSent: UInt64 { root.load(UInt64.self, atByte: AccessRecordLayout.bodyBytesSent.byteOffset) }
    public var bytesSent: UInt64 { root.load(UInt64.self, atByte: AccessRecordLayout.bytesSent.byteOffset) }
    public var requestLength: UInt64 { root.load(UInt64.self, atByte: AccessRecordLayout.requestLength.byteOffset) }
    public var requestTimeUs: UInt64 { root.load(UInt64.self, atByte: AccessRecordLayout.requestTimeUs.byteOffset) }
    public var upstreamResponseTimeUs: UInt64 {
        root.load(UInt64.self, atByte: AccessRecordLayout.upstreamResponseTimeUs.byteOffset)
    }
    public var cacheStatus: AccessRecord.CacheStatus { .init(ordinal: cacheStatusOrdinal) }
    public var cacheStatusOrdinal: UInt16 {
        root.load(UInt16.self, atByte: AccessRecordLayout.cacheStatus.byteOffset)
    }
    public var parseError: Bool { root.bit(AccessRecordLayout.parseError.bitOffset) }
    public var truncated: Bool { root.bit(AccessRecordLayout.truncated.bitOffset) }
    public var requestTimeAbsent: Bool { root.bit(AccessRecordLayout.requestTimeAbsent.bitOffset) }
    public var fileOffset: UInt64 { root.load(UInt64.self, atByte: AccessRecordLayout.fileOffset.byteOffset) }
    public var utcOffsetMin: Int16 { root.load(Int16.self, atByte: AccessRecordLayout.utcOffsetMin.byteOffset) }
    public var kind: AccessRecord.RecordKind { .init(ordinal: kindOrdinal) }
    /// The kind's wire ordinal, possibly one this version does not know.
    public var kindOrdinal: UInt16 { root.load(UInt16.self, atByte: AccessRecordLayout.kind.byteOffset) }
    public var shippedLines: UInt64 { root.load(UInt64.self, atByte: AccessRecordLayout.shippedLines.byteOffset) }
    public var lostLines: UInt64 { root.load(UInt64.self, atByte: AccessRecordLayout.lostLines.byteOffset) }
    public var lostBytes: UInt64 { root.load(UInt64.self, atByte: AccessRecordLayout.lostBytes.byteOffset) }
    public var endOffset: UInt64 { root.load(UInt64.self, atByte: AccessRecordLayout.endOffset.byteOffset) }
    /// 0 in records from writers that predate the field (their data section ends before it).
    public var lostBytesReplaced: UInt64 {
        root.load(UInt64.self, atByte: AccessRecordLayout.lostBytesReplaced.byteOffset)
    }
    /// 0 in records from writers that predate the field (their data section ends before it).
    public var lostBytesUnfinished: UInt64 {
        root.load(UInt64.self, atByte: AccessRecordLayout.lostBytesUnfinished.byteOffset)
    }

    // MARK: - Pointer fields

    /// The field's UTF-8 bytes (without the NUL), in place; empty when absent.
    @inline(__always)
    public func text(_ field: AccessRecord.TextField) -> UnsafeRawBufferPointer {
        textBytes(in: root, pointerIndex: field.pointerIndex)
    }

    /// The field decoded as a `String`; invalid UTF-8 becomes U+FFFD.
    public func string(_ field: AccessRecord.TextField) -> String {
        String(decoding: text(field), as: UTF8.self)
    }

    /// The field's bytes, in place; empty when absent.
    public func data(_ field: AccessRecord.DataField) -> UnsafeRawBufferPointer {
        guard let word = root.pointerWord(field.pointerIndex),
              let range = try? segment.byteList(at: word) ?? nil
        else { return Self.empty }
        return UnsafeRawBufferPointer(rebasing: segment.bytes[range])
    }

    /// Whether the writer set the field (non-null pointer), even to an empty value.
    public func isSet(_ field: AccessRecord.TextField) -> Bool { isSet(pointerIndex: field.pointerIndex) }

    /// Whether the writer set the field (non-null pointer), even to an empty value.
    public func isSet(_ field: AccessRecord.DataField) -> Bool { isSet(pointerIndex: field.pointerIndex) }

    /// Number of `extras` variables (0 when absent).
    public var extrasCount: Int { extrasList?.count ?? 0 }

    /// Extras variable `index`, in place. `index` must be in `0..<extrasCount`.
    public func extra(at index: Int) -> (name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        guard let list = extrasList else { preconditionFailure("extras index \(index) out of 0..<0") }
        precondition(index >= 0 && index < list.count, "extras index \(index) out of 0..<\(list.count)")
        let element = list.element(index)
        return (textBytes(in: element, pointerIndex: AccessRecordLayout.variableName),
                textBytes(in: element, pointerIndex: AccessRecordLayout.variableValue))
    }

    // MARK: - Owned copy

    /// Copies every field into an owned record (Text decoded as in `string(_:)`).
    public func toRecord() -> AccessRecord {
        var record = AccessRecord()
        record.timeUs = timeUs
        record.method = method
        record.protocol = httpProtocol
        record.status = status
        record.bodyBytesSent = bodyBytesSent
        record.bytesSent = bytesSent
        record.requestLength = requestLength
        record.requestTimeUs = requestTimeUs
        record.upstreamResponseTimeUs = upstreamResponseTimeUs
        record.cacheStatus = cacheStatus
        record.parseError = parseError
        record.truncated = truncated
        record.requestTimeAbsent = requestTimeAbsent
        record.fileOffset = fileOffset
        record.utcOffsetMin = utcOffsetMin
        record.kind = kind
        record.shippedLines = shippedLines
        record.lostLines = lostLines
        record.lostBytes = lostBytes
        record.endOffset = endOffset
        record.lostBytesReplaced = lostBytesReplaced
        record.lostBytesUnfinished = lostBytesUnfinished
        for field in AccessRecord.TextField.allCases {
            record[keyPath: field.keyPath] = string(field)
        }
        for field in AccessRecord.DataField.allCases {
            record[keyPath: field.keyPath] = Array(data(field))
        }
        record.extras.reserveCapacity(extrasCount)
        for index in 0..<extrasCount {
            let (name, value) = extra(at: index)
            record.extras.append(.init(name: String(decoding: name, as: UTF8.self),
                                       value: String(decoding: value, as: UTF8.self)))
        }
        return record
    }

    // MARK: - Private

    private static var empty: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }

    private static func words(_ bytes: Int) -> Int { (bytes + 7) >> 3 }

    /// Text bytes of a pointer already validated by `init`, so the `try?` never fails.
    /// Inlined: the consumer reads several texts of every record, and each call's checks are
    /// a few instructions once the pointer index is a constant.
    @inline(__always)
    private func textBytes(in view: StructView, pointerIndex: Int) -> UnsafeRawBufferPointer {
        guard let word = view.pointerWord(pointerIndex), let range = try? segment.text(at: word) ?? nil else {
            return Self.empty
        }
        return UnsafeRawBufferPointer(rebasing: segment.bytes[range])
    }

    private func isSet(pointerIndex: Int) -> Bool {
        guard let word = root.pointerWord(pointerIndex) else { return false }
        return segment.word(at: word) != 0
    }
}

extension AccessRecord {
    /// Decodes one record value — a framed single-segment message, packed or not
    /// (`RecordValueDecoder`) — into an owned record.
    public init(decoding message: UnsafeRawBufferPointer,
                limits: AccessRecordReader.Limits = .init()) throws(CapnpError) {
        var decoder = RecordValueDecoder()
        self = try decoder.withReader(message, limits: limits) { $0.toRecord() }
    }

    /// `init(decoding:limits:)` for an array.
    public init(decoding message: [UInt8], limits: AccessRecordReader.Limits = .init()) throws(CapnpError) {
        self = try withRawBytes(message) { (raw) throws(CapnpError) -> AccessRecord in
            try AccessRecord(decoding: raw, limits: limits)
        }
    }
}

/// The per-message work budget: words visited and pointer depth.
struct TraversalBudget {
    private var remainingWords: Int
    private let limitWords: Int
    private let nestingLimit: Int

    init(limits: AccessRecordReader.Limits) {
        remainingWords = limits.traversalLimitWords
        limitWords = limits.traversalLimitWords
        nestingLimit = limits.nestingLimit
    }

    /// Charges an object of `words` words reached at pointer depth `depth` (root = 1).
    mutating func enter(depth: Int, words: Int) throws(CapnpError) {
        guard depth <= nestingLimit else { throw .nestingLimitExceeded(limit: nestingLimit) }
        remainingWords -= words
        guard remainingWords >= 0 else { throw .traversalLimitExceeded(limitWords: limitWords) }
    }
}
