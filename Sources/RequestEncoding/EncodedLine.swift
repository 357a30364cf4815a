import NginxLog

/// What `ParsedLineEncoder` wrote for one line: where the record is, and the two values the
/// shipper needs next to it for the Kafka record (key = site, timestamp = time) without
/// reading the message back.
///
/// Ranges index the builder's `buffer`; they are valid until the builder is next changed.
public struct EncodedLine: Sendable, Equatable {
    /// The framed Cap'n Proto message.
    public var message: Range<Int>
    /// The site Text's bytes inside `message` (without the NUL), after the text rule; empty
    /// when the record has no site.
    public var site: Range<Int>
    /// The record's `timeUs`: 0 when the line had no time or did not parse.
    public var timeUs: Int64
    /// `nil` when the line matched its format; otherwise why not (the record then carries the
    /// raw line with `parseError` set).
    public var parseError: LineParseError?

    public init(message: Range<Int>, site: Range<Int>, timeUs: Int64, parseError: LineParseError?) {
        self.message = message
        self.site = site
        self.timeUs = timeUs
        self.parseError = parseError
    }
}
