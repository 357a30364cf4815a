import AccessRecord
import NginxLog

/// Turns one access-log line (parsed, or not parsable) into one `AccessRecord` message,
/// written with `AccessRecordBuilder` straight from the line bytes.
///
/// What goes where (schema `schemas/access_record.capnp`):
/// - a line that parsed: every field `ParsedLine` has — time, client IP (16 bytes, absent when
///   `$remote_addr` is not an address), site (a `$http_host` site without its port and
///   lower-cased), method (+ `methodText` only for `.other`), path,
///   query, protocol, status, byte counts, request and upstream times, cache status, referer,
///   user agent, remote user, forwarded-for, UTC offset, extras — plus the `LineOrigin`;
/// - a line that did not parse: `parseError`, `rawLine` (the line's exact bytes, line break
///   excluded), the `LineOrigin`, and the site only when the file has a configured site label
///   (the label names the file's virtual host whatever the line holds). No other field: what
///   the parser filled before giving up is not trustworthy.
///
/// Absent values (nginx's `-`, variables the format lacks) are left unset: they read as empty
/// or zero. Text fields follow the text rule of `RecordText` (valid UTF-8 always; unescaped
/// when that gives valid UTF-8, else as nginx escaped it). Extras keep both texts even when the
/// value is absent (an empty value).
///
/// Steady state allocates nothing: the parsed line, the unescape scratch buffers and the
/// builder's buffer are all reused.
public struct ParsedLineEncoder: Sendable {
    public let parser: LogParser
    private var parsed = ParsedLine()
    private var text: RecordText
    private var originText = OriginText()

    public init(parser: LogParser) {
        self.parser = parser
        text = RecordText(escaping: parser.format.escaping)
    }

    /// Parses `buffer[line]` (a trailing `\n` / `\r\n` is ignored) and appends its record to
    /// `builder`.
    ///
    /// - Throws: `CapnpError.valueTooLarge` only for a line beyond Cap'n Proto's 512 MiB blob
    ///   limit; nothing is appended then.
    /// - Precondition: `line` lies within `buffer`; no record is open in `builder`.
    @discardableResult
    public mutating func encodeLine(
        _ buffer: UnsafeRawBufferPointer,
        line: Range<Int>,
        origin: LineOrigin,
        into builder: inout AccessRecordBuilder
    ) throws(CapnpError) -> EncodedLine {
        parser.parse(buffer, line: line, into: &parsed)
        originText.update(origin)
        return try Self.write(parsed, buffer, origin, originText, parser, &text, &builder)
    }

    /// Appends the record of a line `parser` already parsed into `parsed` (its spans index
    /// `buffer`). The parser must be this encoder's `parser`: the site label and the format's
    /// escaping come from it.
    @discardableResult
    public mutating func encode(
        _ parsed: ParsedLine,
        in buffer: UnsafeRawBufferPointer,
        origin: LineOrigin,
        into builder: inout AccessRecordBuilder
    ) throws(CapnpError) -> EncodedLine {
        originText.update(origin)
        return try Self.write(parsed, buffer, origin, originText, parser, &text, &builder)
    }

    // MARK: - Writing

    /// Static, so the parsed line (a stored property on the `encodeLine` path) is read while
    /// the text scratch is mutated, without copying either.
    private static func write(
        _ parsed: ParsedLine,
        _ buffer: UnsafeRawBufferPointer,
        _ origin: LineOrigin,
        _ originText: OriginText,
        _ parser: LogParser,
        _ text: inout RecordText,
        _ builder: inout AccessRecordBuilder
    ) throws(CapnpError) -> EncodedLine {
        builder.beginRequestRecord(withRawLine: parsed.parseError != nil, withExtras: !parsed.extras.isEmpty)
        writeOrigin(origin, originText, &builder)
        if let error = parsed.parseError {
            builder.setParseError(true)
            builder.setData(.rawLine, UnsafeRawBufferPointer(rebasing: buffer[parsed.line]))
            var site = builder.byteCount..<builder.byteCount
            if let label = parser.siteLabel, !label.isEmpty {
                site = label.withUnsafeBytes { setSiteText($0, &builder) }
            }
            let message = try builder.endRecord()
            return EncodedLine(message: message, site: site, timeUs: 0, parseError: error)
        }

        // The root struct starts all zero (every schema default is zero), so zero values are
        // not stored: each store costs a uniqueness check of the builder's buffer.
        let timeUs = parsed.timeMicros ?? 0
        if timeUs != 0 { builder.setTimeUs(timeUs) }
        if parsed.utcOffsetMinutes != 0 { builder.setUtcOffsetMin(parsed.utcOffsetMinutes) }
        let site = writeSite(parsed, buffer, parser, &text, &builder)
        writeText(.userAgent, parsed.userAgent, buffer, &text, &builder)
        if let address = parsed.clientAddress {
            // Network order: `high` is bytes 0-7, `low` bytes 8-15, each big-endian.
            var words = (address.high.bigEndian, address.low.bigEndian)
            withUnsafeBytes(of: &words) { builder.setData(.clientIp, $0) }
        }

        if parsed.method != .other {
            builder.setMethod(AccessRecord.Method(parsed.method))
        } else {
            writeText(.methodText, parsed.methodText, buffer, &text, &builder)
        }
        if parsed.path.isEmpty, !parsed.target.isEmpty {
            // `http://host` or `http://host?q`: nginx's `$uri` is `/` (its parser points the URI
            // at the `/` after `http:`), not the empty rest of the target.
            Self.writeRootPath(&builder)
        } else {
            writeText(.path, parsed.path, buffer, &text, &builder)
        }
        writeText(.query, parsed.query, buffer, &text, &builder)
        if parsed.protocolVersion != .unknown { builder.setProtocol(AccessRecord.HTTPProtocol(parsed.protocolVersion)) }

        if parsed.status != 0 { builder.setStatus(parsed.status) }
        if parsed.bodyBytesSent != 0 { builder.setBodyBytesSent(parsed.bodyBytesSent) }
        if parsed.bytesSent != 0 { builder.setBytesSent(parsed.bytesSent) }
        if parsed.requestLength != 0 { builder.setRequestLength(parsed.requestLength) }
        if let micros = parsed.requestTimeMicros {
            if micros != 0 { builder.setRequestTimeUs(micros) }
        } else {
            builder.setRequestTimeAbsent(true)
        }
        if let micros = parsed.upstreamResponseTimeMicros, micros != 0 { builder.setUpstreamResponseTimeUs(micros) }
        if parsed.upstreamCacheStatus != .none {
            builder.setCacheStatus(AccessRecord.CacheStatus(parsed.upstreamCacheStatus))
        }

        writeText(.referer, parsed.referer, buffer, &text, &builder)
        writeText(.remoteUser, parsed.remoteUser, buffer, &text, &builder)
        writeText(.forwardedFor, parsed.forwardedFor, buffer, &text, &builder)
        if !parsed.extras.isEmpty {
            writeExtras(parsed.extras, buffer, &text, &builder)
        }
        let message = try builder.endRecord()
        return EncodedLine(message: message, site: site, timeUs: timeUs, parseError: nil)
    }

    private static func writeOrigin(
        _ origin: LineOrigin,
        _ originText: OriginText,
        _ builder: inout AccessRecordBuilder
    ) {
        if origin.fileOffset != 0 { builder.setFileOffset(origin.fileOffset) }
        if origin.truncated { builder.setTruncated(true) }
        if !originText.edgeBytes.isEmpty { builder.setText(.edge, originText.edgeBytes) }
        if !originText.sourceFileBytes.isEmpty { builder.setText(.sourceFile, originText.sourceFileBytes) }
    }

    /// Writes the site (see `LogParser` for which value it is) and returns where its bytes
    /// landed in the builder's bytes.
    private static func writeSite(
        _ parsed: ParsedLine,
        _ buffer: UnsafeRawBufferPointer,
        _ parser: LogParser,
        _ text: inout RecordText,
        _ builder: inout AccessRecordBuilder
    ) -> Range<Int> {
        let end = builder.byteCount
        switch parsed.siteSource {
        case .host where !parsed.host.isEmpty:
            return text.withText(of: parsed.host, in: buffer) { setSiteText($0, &builder) }
        case .serverName where !parsed.serverName.isEmpty:
            return text.withText(of: parsed.serverName, in: buffer) { setSiteText($0, &builder) }
        case .httpHost where !parsed.httpHost.isEmpty:
            // The Host header as sent, without its port, lower-cased as nginx does for `$host`.
            let host = FieldSpan(
                range: LogParser.siteRange(ofHTTPHost: parsed.httpHost, in: buffer), hasEscapes: parsed.httpHost.hasEscapes)
            return text.withText(of: host, in: buffer) { bytes in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Swift.max(bytes.count, 1)) { lower in
                    for index in 0..<bytes.count {
                        let byte = bytes[index]
                        lower[index] = byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
                    }
                    return setSiteText(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(lower)[..<bytes.count]), &builder)
                }
            }
        case .configuredLabel:
            // The label came from a `String`: already valid UTF-8.
            guard let label = parser.siteLabel, !label.isEmpty else { return end..<end }
            return label.withUnsafeBytes { setSiteText($0, &builder) }
        default:
            return end..<end
        }
    }

    /// `AccessRecordBuilder` appends each blob at the end of its buffer, so the site's bytes
    /// start where the buffer ended before the call.
    @inline(__always)
    private static func setSiteText(_ bytes: UnsafeRawBufferPointer, _ builder: inout AccessRecordBuilder) -> Range<Int>
    {
        let start = builder.byteCount
        builder.setText(.site, bytes)
        return start..<(start + bytes.count)
    }

    @inline(__always)
    private static func writeText(
        _ field: AccessRecord.TextField,
        _ span: FieldSpan,
        _ buffer: UnsafeRawBufferPointer,
        _ text: inout RecordText,
        _ builder: inout AccessRecordBuilder
    ) {
        guard !span.isEmpty else { return }
        text.withText(of: span, in: buffer) { builder.setText(field, $0) }
    }

    /// The path `/`, out of line: only absolute-form targets without one need it.
    @inline(never)
    private static func writeRootPath(_ builder: inout AccessRecordBuilder) {
        let slash: StaticString = "/"
        builder.setText(.path, UnsafeRawBufferPointer(start: slash.utf8Start, count: slash.utf8CodeUnitCount))
    }

    private static func writeExtras(
        _ extras: [ExtraField],
        _ buffer: UnsafeRawBufferPointer,
        _ text: inout RecordText,
        _ builder: inout AccessRecordBuilder
    ) {
        builder.setExtrasCount(extras.count)
        for index in extras.indices {
            var name = extras[index].name
            name.withUTF8 { nameBytes in
                text.withText(of: extras[index].value, in: buffer) { value in
                    builder.setExtra(at: index, name: UnsafeRawBufferPointer(nameBytes), value: value)
                }
            }
        }
    }
}

/// The UTF-8 of the origin's two strings, converted once per file rather than per line
/// (`String ==` is a word compare while the caller keeps passing the same strings).
struct OriginText: Sendable {
    private var edge = ""
    private var sourceFile = ""
    private(set) var edgeBytes: [UInt8] = []
    private(set) var sourceFileBytes: [UInt8] = []

    mutating func update(_ origin: LineOrigin) {
        if origin.edge != edge {
            edge = origin.edge
            edgeBytes = Array(edge.utf8)
        }
        if origin.sourceFile != sourceFile {
            sourceFile = origin.sourceFile
            sourceFileBytes = Array(sourceFile.utf8)
        }
    }
}
