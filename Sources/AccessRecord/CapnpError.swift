/// Why a Cap'n Proto message was rejected, or could not be written.
///
/// Every malformed input maps to one of these cases; the reader never traps on hostile bytes.
/// Positions are given in words (8 bytes) from the start of the segment, the unit the wire
/// format itself uses, so a case can be matched against a hex dump (`xxd -c 8`): segment word
/// `w` sits at byte `8 + 8 * w` of a single-segment framed message.
public enum CapnpError: Error, Equatable, Sendable {
    /// Fewer bytes than the framing announces: `needed` bytes for the header or for the whole
    /// message, only `available` given.
    case truncated(needed: Int, available: Int)
    /// The segment table announces more segments than any sane message has
    /// (`CapnpFraming.maximumSegmentCount`), or no segment can hold the root pointer.
    case badSegmentTable(segmentCount: Int, reason: String)
    /// More than one segment. Our writer never produces them (it grows one segment), and
    /// `capnp encode` only does when told `--segment-size`; supporting far pointers is not
    /// worth the code for a flat log record.
    case multiSegmentUnsupported(segmentCount: Int)
    /// The bytes hold more than one framed message; walk a stream with
    /// `CapnpFraming.nextMessageLength(in:)` instead.
    case trailingBytes(messageBytes: Int, available: Int)
    /// A pointer (at segment word `pointerWord`) leads outside the segment.
    case pointerOutOfBounds(pointerWord: Int, targetWord: Int, sizeBytes: Int, segmentWords: Int)
    /// A pointer of the wrong kind for the field: e.g. a list where a struct is expected,
    /// a far pointer in a single-segment message, or a capability pointer.
    case wrongPointerKind(pointerWord: Int, expected: PointerKind, found: PointerKind)
    /// A list pointer whose element size does not match the field (Text/Data need bytes,
    /// `List(Variable)` needs a composite list).
    case wrongElementSize(pointerWord: Int, expected: UInt8, found: UInt8)
    /// A composite list whose tag word announces more element words than the list holds.
    case compositeListOverrun(pointerWord: Int, elements: Int, wordsPerElement: Int, listWords: Int)
    /// A Text whose last byte is not NUL (or that is empty, missing even the NUL).
    case textNotTerminated(pointerWord: Int)
    /// Following pointers visited more words than the budget allows: overlapping or looping
    /// pointers amplify a small message into a huge read.
    case traversalLimitExceeded(limitWords: Int)
    /// Pointers nest deeper than the limit.
    case nestingLimitExceeded(limit: Int)
    /// The builder was asked to write a blob or message beyond what 30-bit word offsets and
    /// 29-bit list counts can address (512 MiB per blob, 4 GiB per segment).
    case valueTooLarge(bytes: Int, limit: Int)

    /// A packed message (`CapnpPacking`) that ends inside a word's bytes, a run count or a
    /// verbatim run; `offset` is the byte of the packed value where it broke off.
    case badPacking(offset: Int, reason: String)
    /// A packed message that would expand beyond `limit` bytes.
    case unpackedTooLarge(limit: Int)

    /// The two low bits of a pointer word, named.
    public enum PointerKind: UInt8, Sendable {
        case structure = 0
        case list = 1
        case far = 2
        case other = 3
    }
}

extension CapnpError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .truncated(let needed, let available):
            return "capnp: truncated message: need \(needed) bytes, have \(available)"
        case .badSegmentTable(let count, let reason):
            return "capnp: bad segment table (\(count) segments): \(reason)"
        case .multiSegmentUnsupported(let count):
            return "capnp: \(count)-segment message; only single-segment messages are supported"
        case .trailingBytes(let messageBytes, let available):
            return "capnp: \(available - messageBytes) bytes after a \(messageBytes)-byte message"
        case .pointerOutOfBounds(let pointerWord, let targetWord, let sizeBytes, let segmentWords):
            return "capnp: pointer at word \(pointerWord) targets word \(targetWord) (+\(sizeBytes) bytes)"
                + " outside a \(segmentWords)-word segment"
        case .wrongPointerKind(let pointerWord, let expected, let found):
            return "capnp: pointer at word \(pointerWord) is \(found), expected \(expected)"
        case .wrongElementSize(let pointerWord, let expected, let found):
            return "capnp: list at word \(pointerWord) has element size code \(found), expected \(expected)"
        case .compositeListOverrun(let pointerWord, let elements, let wordsPerElement, let listWords):
            return "capnp: struct list at word \(pointerWord): \(elements) elements of \(wordsPerElement) words"
                + " exceed its \(listWords) words"
        case .textNotTerminated(let pointerWord):
            return "capnp: text at word \(pointerWord) is not NUL-terminated"
        case .traversalLimitExceeded(let limitWords):
            return "capnp: traversal limit of \(limitWords) words exceeded"
        case .nestingLimitExceeded(let limit):
            return "capnp: nesting limit of \(limit) exceeded"
        case .badPacking(let offset, let reason):
            return "capnp: bad packed message at byte \(offset): \(reason)"
        case .unpackedTooLarge(let limit):
            return "capnp: packed message expands beyond \(limit) bytes"
        case .valueTooLarge(let bytes, let limit):
            return "capnp: \(bytes) bytes exceed the encodable limit of \(limit)"
        }
    }
}
