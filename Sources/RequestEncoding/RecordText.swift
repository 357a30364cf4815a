import NginxLog

/// The text rule: how one logged value becomes the bytes of a Cap'n Proto Text field.
///
/// Cap'n Proto Text must be valid UTF-8 for third-party readers (C++, Go, Python and Rust
/// libraries check it or misbehave on it), while nginx values are arbitrary bytes that nginx
/// escaped, or did not (`escape=none`). So, per value:
///
/// 1. When the value has no escapes and is already record text (`UTF8Validation`: well-formed
///    UTF-8, no NUL), the span is written straight from the line buffer. This is the fast path:
///    with `escape=default` every unescaped value is printable ASCII.
/// 2. Otherwise the escapes are decoded (nginx `\xHH`, or JSON escapes for `escape=json`), and
///    when the decoded bytes are record text they are written: `caf\xC3\xA9` becomes `café`.
/// 3. Otherwise the value is written as nginx escaped it (`\xFF` stays the four ASCII bytes
///    `\xFF`), with every byte that does not start a well-formed UTF-8 sequence (or is NUL)
///    written as `\xHH` (uppercase hex, as nginx writes it). That last part only changes values
///    nginx did not escape: raw non-UTF-8 bytes from `escape=none` (or `escape=json`, which
///    writes bytes from 0x80 up raw) logs.
///
/// The result is always record text. Step 3 loses the distinction between a literal `\xFF`
/// sent by a client and the byte 0xFF only for `escape=none` (where nginx's own output is
/// already ambiguous); with `escape=default` nginx wrote a literal backslash as `\x5C`, which
/// decodes, so rule 2 applies.
///
/// Holds the two scratch buffers the slow paths need; they keep their capacity, so a steady
/// stream of lines allocates nothing.
struct RecordText: Sendable {
    let escaping: LogFormat.Escaping
    private var decoded: [UInt8] = []
    private var escaped: [UInt8] = []

    init(escaping: LogFormat.Escaping) {
        self.escaping = escaping
        decoded.reserveCapacity(4096)
        escaped.reserveCapacity(4096)
    }

    /// Calls `body` with the record text for `span` of `buffer` (see the type comment). The
    /// bytes given to `body` are valid only during the call.
    ///
    /// - Precondition: `span.range` lies within `buffer` (true for spans `LogParser` produced
    ///   for this buffer).
    @inline(__always)
    mutating func withText<Result>(
        of span: FieldSpan,
        in buffer: UnsafeRawBufferPointer,
        _ body: (UnsafeRawBufferPointer) throws -> Result
    ) rethrows -> Result {
        let raw = UnsafeRawBufferPointer(rebasing: buffer[span.range])
        if !span.hasEscapes, UTF8Validation.isPlainASCII(raw) {
            return try body(raw)
        }
        return try withSlowText(of: span, raw: raw, in: buffer, body)
    }

    /// Rules 1 (non-ASCII UTF-8 without escapes), 2 and 3.
    private mutating func withSlowText<Result>(
        of span: FieldSpan,
        raw: UnsafeRawBufferPointer,
        in buffer: UnsafeRawBufferPointer,
        _ body: (UnsafeRawBufferPointer) throws -> Result
    ) rethrows -> Result {
        if span.hasEscapes, escaping == .default, raw.count <= Self.stackDecodeBytes {
            // The common case: nginx `\xHH` escapes in a short value, decoded on the stack.
            let result: Result? = try withUnsafeTemporaryAllocation(byteCount: raw.count, alignment: 8) { stage in
                let decoded = UnsafeRawBufferPointer(rebasing: stage[..<Unescape.decodeNginx(raw, into: stage)])
                guard UTF8Validation.isRecordText(decoded) else { return nil }
                return try body(decoded)
            }
            if let result { return result }
        } else if span.hasEscapes {
            Unescape.decode(span, in: buffer, escaping: escaping, into: &decoded)
            let isText = decoded.withUnsafeBytes { UTF8Validation.isRecordText($0) }
            if isText {
                return try decoded.withUnsafeBytes(body)
            }
        } else if UTF8Validation.isRecordText(raw) {
            return try body(raw)
        }
        Self.appendEscapingNonText(raw, into: &escaped)
        return try escaped.withUnsafeBytes(body)
    }

    /// Values up to this long are decoded into a stack buffer rather than `decoded`.
    private static let stackDecodeBytes = 2048

    /// Replaces `output` with `bytes`, every byte that does not start a well-formed non-NUL UTF-8
    /// sequence written as `\xHH`.
    static func appendEscapingNonText(_ bytes: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        output.removeAll(keepingCapacity: true)
        var index = 0
        while index < bytes.count {
            let length = UTF8Validation.sequenceLength(bytes, at: index)
            if length > 0 {
                output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<(index + length)]))
                index += length
            } else {
                let byte = bytes[index]
                output.append(UInt8(ascii: "\\"))
                output.append(UInt8(ascii: "x"))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
                index += 1
            }
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)
}
