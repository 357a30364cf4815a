/// Where one text value sits in the line buffer, without copying it.
///
/// `range` indexes the buffer that was given to `LogParser.parse` (the same offsets, so a span
/// stays valid exactly as long as that buffer's bytes do). nginx's `-` for an empty value is
/// stored as an empty range at the position of the `-`; `isEmpty` means absent.
///
/// `hasEscapes` is true when the bytes still contain a backslash escape of the format's
/// `escape=` mode, so `Unescape` must run before the bytes are the original value. When it is
/// false the range already holds the original bytes and can be used as is.
public struct FieldSpan: Sendable, Hashable {
    public var range: Range<Int>
    public var hasEscapes: Bool

    public init(range: Range<Int>, hasEscapes: Bool = false) {
        self.range = range
        self.hasEscapes = hasEscapes
    }

    /// The absent value: an empty range at offset 0.
    public static let absent = FieldSpan(range: 0..<0)

    public var isEmpty: Bool { range.isEmpty }
}
