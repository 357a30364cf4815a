/// A `LogFormat` compiled into a byte-level matcher: raw line bytes in, `ParsedLine` out, with
/// no `String` and no allocation per line.
///
/// How a variable's value is delimited, decided once at compile time:
/// - quoted (`"$var"`, the literal before ends with `"` and the one after starts with `"`):
///   the value ends at the next `"` (`escape=default` writes `"` inside values as `\x22`),
///   at the next `"` not after a backslash (`escape=json`), or where the literal after it is
///   found (`escape=none`, where a raw `"` in the value can mislead the first try: see below);
/// - followed by a literal: the value ends where that literal's bytes are next found, except
///   the format's last literal, which must end the line; for a list-valued variable
///   (`$upstream_response_time`, `$upstream_addr`, `$http_x_forwarded_for`...) a literal found
///   at a `, ` or ` : ` separator inside the value does not end it;
/// - followed by another variable: the value ends at its first byte that cannot belong to it
///   (`LogVariable.isSelfDelimiting`, e.g. `$host$request_uri`), leaving a last `-` to a
///   following `$request_uri` / `$uri` (its empty value) unless a `/` comes after it;
/// - `$uri$is_args$args`: `$uri` ends at its first `?`, else before the `-` of an absent
///   `$args`; `$is_args` is that `?` or nothing;
/// - an address or host name followed by a literal starting with `:` (`$remote_addr:$remote_port`,
///   `$host:$server_port`): the value ends at the last `:` among the bytes of its class, so
///   that `::1:51234` and `[::1]:8080` split before the port;
/// - last in the format: the value runs to the end of the line.
///
/// The site is the first of: `$host` (when the format has it and the value is not `-`), the
/// configured `siteLabel`, `$http_host` without its port (formats that log the header but not
/// `$host`), `$server_name`. `$server_name` comes last because it names the
/// `server` block (often `_` or the first name of many), not the virtual host a client asked for.
///
/// Body bytes are `$body_bytes_sent`, or for a format that logs only `$bytes_sent` those
/// (headers included), so that such a format's bandwidth is not 0.
///
/// When that linear match fails, `matchBacktracking` tries the later occurrences of each
/// literal that ends a value (a bounded search), since nothing escapes a literal's bytes inside
/// a value: `$remote_user` `x [y` before ` [`, raw quotes under `escape=none`.
///
/// A line that does not match is never dropped: `parse` returns `false`, sets `parseError`,
/// and `line` still covers the raw bytes.
public struct LogParser: Sendable {
    public let format: LogFormat
    /// Site for lines whose format has no `$host` (or whose `$host` is `-`), as UTF-8 bytes.
    public let siteLabel: [UInt8]?

    /// The literal bytes the line starts with (may be empty).
    private let prefix: Range<Int>
    private let fields: [CompiledField]
    /// Every literal of the format, back to back; `CompiledField` ranges index into it.
    private let literals: [UInt8]
    /// Names of `.other` variables, indexed by `Slot.extra`.
    private let extraNames: [String]
    /// Whether a field's value ends where its following literal is found (`.literal`), so that
    /// a line the linear match refused may match with a later occurrence (`matchBacktracking`).
    private let canBacktrack: Bool
    /// The format logs `$bytes_sent` but not `$body_bytes_sent` (CDN formats often do): the
    /// body bytes are then the bytes sent, headers included, rather than 0, so a site's
    /// bandwidth is not lost.
    private let bodyBytesFromBytesSent: Bool

    public init(format: LogFormat, siteLabel: String? = nil) {
        self.format = format
        self.siteLabel = siteLabel.map { Array($0.utf8) }
        var literals: [UInt8] = []
        var extraNames: [String] = []
        var fields: [CompiledField] = []
        var prefix = 0..<0
        let segments = format.segments
        var index = 0
        if case .literal(let bytes)? = segments.first {
            literals.append(contentsOf: bytes)
            prefix = 0..<bytes.count
            index = 1
        }
        var previousLiteralEndsWithQuote = prefix.isEmpty ? false : literals.last == UInt8(ascii: "\"")
        while index < segments.count {
            guard case .variable(let variable) = segments[index] else {
                // LogFormat never holds two literals in a row, so a literal here follows a variable
                // and was consumed with it.
                index += 1
                continue
            }
            let slot = Slot(variable)
            var extraIndex = 0
            if case .other(let name) = variable {
                extraIndex = extraNames.count
                extraNames.append(name)
            }
            var following = literals.count..<literals.count
            var terminator = Terminator.endOfLine
            var valueClass = ValueClass.token
            var nextEndsWithQuote = false
            var beforeUriIsArgs = false
            if index + 1 < segments.count {
                switch segments[index + 1] {
                case .literal(let bytes):
                    literals.append(contentsOf: bytes)
                    following = (literals.count - bytes.count)..<literals.count
                    let isLast = index + 2 == segments.count
                    let quoted = previousLiteralEndsWithQuote && bytes.first == UInt8(ascii: "\"")
                    switch (quoted, format.escaping) {
                    case (true, .default): terminator = .quote
                    case (true, .json): terminator = .jsonQuote
                    default: terminator = isLast ? .suffix : .literal
                    }
                    if terminator == .literal, bytes.first == UInt8(ascii: ":"), let ownClass = variable.valueClass,
                        ownClass.continues(UInt8(ascii: ":"))
                    {
                        // `$remote_addr:$remote_port`, `$host:$server_port`: the address may
                        // hold colons itself (`::1`, `[::1]`).
                        terminator = .lastColon
                        valueClass = ownClass
                    }
                    nextEndsWithQuote = bytes.last == UInt8(ascii: "\"")
                case .variable(let next):
                    // LogFormat refuses a variable after a non-self-delimiting one, but for
                    // `$uri$is_args$args`.
                    terminator = next == .requestURI || next == .uri ? .selfDelimitedBeforePath : .selfDelimited
                    valueClass = variable.valueClass ?? .token
                    if variable == .isArgs {
                        terminator = .isArgs
                    } else if next == .uri, index + 2 < segments.count, segments[index + 2] == .variable(.isArgs) {
                        beforeUriIsArgs = true
                    } else if variable == .uri, next == .isArgs {
                        terminator = .beforeIsArgs
                        // The value ends at the first `?`, else before the `-` of an absent
                        // `$args`: both before the literal after `$args`, copied here.
                        if index + 3 < segments.count, segments[index + 2] == .variable(.args),
                            case .literal(let after) = segments[index + 3]
                        {
                            literals.append(contentsOf: after)
                            following = (literals.count - after.count)..<literals.count
                        }
                    }
                }
            }
            fields.append(
                CompiledField(
                    slot: slot,
                    extraIndex: extraIndex,
                    terminator: terminator,
                    scanEscapes: format.escaping != .none && slot.keepsText,
                    skipsListSeparators: terminator == .literal && variable.isListValued
                        && Self.listSeparatorCanHide(literals[following]),
                    beforeUriIsArgs: beforeUriIsArgs,
                    valueClass: valueClass,
                    following: following,
                    literal: literals[following]
                ))
            previousLiteralEndsWithQuote = nextEndsWithQuote
            index += 1
        }
        self.prefix = prefix
        self.fields = fields
        self.literals = literals
        self.extraNames = extraNames
        self.canBacktrack = fields.contains { $0.terminator == .literal }
        // A loop, not `segments.contains(.variable(...))`: with that, Swift 6.3.1's optimizer
        // crashed on this initializer in release builds (CopyPropagation ownership error).
        var logsBytesSent = false
        var logsBodyBytes = false
        for case .variable(let variable) in format.segments {
            if variable == .bytesSent { logsBytesSent = true }
            if variable == .bodyBytesSent { logsBodyBytes = true }
        }
        self.bodyBytesFromBytesSent = logsBytesSent && !logsBodyBytes
    }

    /// Parses the line that is all of `line` (a trailing `\n` and/or `\r` is ignored).
    @discardableResult
    public func parse(line: UnsafeRawBufferPointer, into parsed: inout ParsedLine) -> Bool {
        parse(line, line: 0..<line.count, into: &parsed)
    }

    /// Parses `buffer[line]` into `parsed`; every range in `parsed` indexes `buffer`, so a
    /// tailer can parse lines in place inside its read buffer. A trailing `\n` and then `\r`
    /// inside `line` are ignored.
    ///
    /// - Returns: `true` when the line matched the format; `false` when `parsed.parseError`
    ///   says why not (`parsed.line` still holds the raw line).
    /// - Precondition: `line` lies within `buffer`.
    @discardableResult
    public func parse(_ buffer: UnsafeRawBufferPointer, line: Range<Int>, into parsed: inout ParsedLine) -> Bool {
        precondition(line.lowerBound >= 0 && line.upperBound <= buffer.count, "line range outside the buffer")
        parsed.reset()
        var end = line.upperBound
        if end > line.lowerBound, buffer[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        if end > line.lowerBound, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        parsed.line = line.lowerBound..<end
        guard end > line.lowerBound else {
            parsed.parseError = .emptyLine
            return false
        }
        let error = literals.withUnsafeBytes { literalBytes in
            fields.withUnsafeBufferPointer { fields in
                match(buffer, start: line.lowerBound, end: end, literalBytes, fields, &parsed)
            }
        }
        if let error {
            let matched =
                canBacktrack
                && literals.withUnsafeBytes { literalBytes in
                    fields.withUnsafeBufferPointer { fields in
                        matchBacktracking(buffer, start: line.lowerBound, end: end, literalBytes, fields, &parsed)
                    }
                }
            guard matched else {
                parsed.parseError = error
                return false
            }
        }
        finish(buffer, &parsed)
        return true
    }

    /// Calls `body` with the site's bytes: part of `buffer` for `$host` / `$server_name` /
    /// `$http_host` (without its port, case as sent), the configured label, or empty for
    /// `.none`. Escapes in `$host` are left as written.
    public func withSiteBytes<Result>(
        of parsed: ParsedLine,
        in buffer: UnsafeRawBufferPointer,
        _ body: (UnsafeRawBufferPointer) throws -> Result
    ) rethrows -> Result {
        switch parsed.siteSource {
        case .host:
            return try body(UnsafeRawBufferPointer(rebasing: buffer[parsed.host.range]))
        case .serverName:
            return try body(UnsafeRawBufferPointer(rebasing: buffer[parsed.serverName.range]))
        case .httpHost:
            return try body(UnsafeRawBufferPointer(rebasing: buffer[Self.siteRange(ofHTTPHost: parsed.httpHost, in: buffer)]))
        case .configuredLabel:
            return try (siteLabel ?? []).withUnsafeBytes(body)
        case .none:
            return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }

    /// The part of a `$http_host` value that names the site: without a `:port` (digits after
    /// the last `:`, or after the `]` of an IPv6 literal).
    public static func siteRange(ofHTTPHost host: FieldSpan, in buffer: UnsafeRawBufferPointer) -> Range<Int> {
        let range = host.range
        var index = range.upperBound
        while index > range.lowerBound, buffer[index - 1].isASCIIDigit {
            index -= 1
        }
        guard index > range.lowerBound + 1, buffer[index - 1] == UInt8(ascii: ":") else { return range }
        let hostEnd = index - 1
        if buffer[range.lowerBound] == UInt8(ascii: "[") {
            // `[::1]:8080` is cut after the `]`; `[::1` is left alone.
            return buffer[hostEnd - 1] == UInt8(ascii: "]") ? range.lowerBound..<hostEnd : range
        }
        return range.lowerBound..<hostEnd
    }

    // MARK: - Matching

    private func match(
        _ bytes: UnsafeRawBufferPointer,
        start: Int,
        end: Int,
        _ literals: UnsafeRawBufferPointer,
        _ fields: UnsafeBufferPointer<CompiledField>,
        _ parsed: inout ParsedLine
    ) -> LineParseError? {
        var position = start
        if !prefix.isEmpty {
            if let error = expect(UnsafeRawBufferPointer(rebasing: literals[prefix]), bytes, at: position, end: end) {
                return error
            }
            position += prefix.count
        }
        for field in fields {
            let valueStart = position
            let valueEnd: Int
            var hasEscapes = false
            // Only the slow paths (literals over eight bytes, the last bytes of the buffer)
            // read the literal's bytes; `count` is not `following.count`, which the optimizer
            // leaves as a call in a function this large.
            let count = field.following.count
            let following = UnsafeRawBufferPointer(
                start: literals.baseAddress.map { $0 + field.following.lowerBound }, count: count)
            switch field.terminator {
            case .literal:
                guard
                    let found = findLiteral(
                        field, following, in: bytes, from: valueStart, end: end, hasEscapes: &hasEscapes)
                else { return .truncated(at: end) }
                valueEnd = found
                position = found &+ count
            case .quote:
                guard var found = ByteScan.firstIndex(
                    of: UInt8(ascii: "\""), or: UInt8(ascii: "\\"), in: bytes, from: valueStart, to: end)
                else { return .truncated(at: end) }
                if bytes[found] == UInt8(ascii: "\\") {
                    hasEscapes = true
                    guard let quote = ByteScan.firstIndex(of: UInt8(ascii: "\""), in: bytes, from: found, to: end)
                    else { return .truncated(at: end) }
                    found = quote
                }
                valueEnd = found
                if let error = expect(field, following, bytes, at: found, end: end) { return error }
                position = found &+ count
            case .selfDelimited:
                var index = valueStart
                while index < end, field.valueClass.continues(bytes[index]) {
                    index += 1
                }
                valueEnd = index
                position = index
            case .endOfLine:
                valueEnd = end
                hasEscapes = field.scanEscapes && ByteScan.contains(UInt8(ascii: "\\"), in: bytes, valueStart..<valueEnd)
                position = end
            case .suffix:
                guard end - valueStart >= count,
                    isLiteral(field, following, in: bytes, at: end - count)
                else { return .truncated(at: end) }
                valueEnd = end - count
                hasEscapes = field.scanEscapes && ByteScan.contains(UInt8(ascii: "\\"), in: bytes, valueStart..<valueEnd)
                position = end
            case .jsonQuote, .selfDelimitedBeforePath, .isArgs, .beforeIsArgs, .lastColon:
                switch lessCommonValue(field, following, bytes, from: valueStart, end: end) {
                case .value(let found, let next, let escapes):
                    valueEnd = found
                    position = next
                    hasEscapes = escapes
                case .failed(let error):
                    return error
                }
            }
            if let error = store(field, bytes, valueStart..<valueEnd, hasEscapes, &parsed) {
                return error
            }
        }
        if position != end {
            return .trailingBytes(at: position)
        }
        return nil
    }

    // MARK: - Backtracking (slow path)

    /// Candidate values tried per line by `matchBacktracking` before it gives up.
    static let backtrackingBudget = 256

    /// The slow path after `match` refused a line: a value may hold its own following literal
    /// where nothing escapes it (`$remote_user` `x [y` before ` [`, a raw `"` under
    /// `escape=none`, a user agent with spaces in an unquoted field), and taking the first
    /// occurrence derails the rest of the line. Depth first, each `.literal` field tries its
    /// literal's later occurrences, every other field its one possible end; the first
    /// assignment under which every value stores (and holds no space where nginx never writes
    /// one: `Slot.neverHoldsSpaces`) and the line ends where the format does wins.
    /// The fields are then stored again, in order, into a reset `parsed`, so nothing of an
    /// abandoned attempt stays. At most `backtrackingBudget` values are tried, so a line built
    /// to be ambiguous costs bounded work.
    ///
    /// - Returns: whether the line matched (then `parsed` is filled but not `finish`ed).
    @inline(never)
    private func matchBacktracking(
        _ bytes: UnsafeRawBufferPointer,
        start: Int,
        end: Int,
        _ literals: UnsafeRawBufferPointer,
        _ fields: UnsafeBufferPointer<CompiledField>,
        _ parsed: inout ParsedLine
    ) -> Bool {
        if !prefix.isEmpty,
            expect(UnsafeRawBufferPointer(rebasing: literals[prefix]), bytes, at: start, end: end) != nil
        {
            return false
        }
        let base = start + prefix.count
        let count = fields.count
        var values = [Range<Int>](repeating: base..<base, count: count)
        var escapes = [Bool](repeating: false, count: count)
        // Where field i's value starts, and where its next candidate end is looked for
        // (`Int.max` once a field with a single possible end has given it).
        var starts = [Int](repeating: base, count: count + 1)
        var searchFrom = [Int](repeating: base, count: count)
        // Whether a list-valued field (`skipsListSeparators`) now tries the occurrences of its
        // literal inside a separator, once every other occurrence failed: a client's
        // `X-Forwarded-For: 203.0.113.7,` makes the format's space follow a comma.
        var inSeparators = [Bool](repeating: false, count: count)
        var budget = Self.backtrackingBudget
        var index = 0
        while index >= 0 {
            if index == count {
                if starts[count] == end { break }
                index -= 1
                continue
            }
            let field = fields[index]
            let following = UnsafeRawBufferPointer(
                start: literals.baseAddress.map { $0 + field.following.lowerBound }, count: field.following.count)
            var found = false
            while budget > 0 {
                guard
                    let value = nextValue(
                        field, following, bytes, valueStart: starts[index], from: searchFrom[index], end: end,
                        inSeparators: inSeparators[index])
                else {
                    guard field.skipsListSeparators, !inSeparators[index] else { break }
                    inSeparators[index] = true
                    searchFrom[index] = starts[index]
                    continue
                }
                budget -= 1
                searchFrom[index] = value.resume
                let range = starts[index]..<value.end
                if field.slot.neverHoldsSpaces, ByteScan.contains(UInt8(ascii: " "), in: bytes, range) { continue }
                // `$args` after an empty `$is_args` is absent: nginx writes `-` (or nothing).
                if index > 0, fields[index - 1].terminator == .isArgs, values[index - 1].isEmpty,
                    !(range.isEmpty || (range.count == 1 && bytes[range.lowerBound] == UInt8(ascii: "-")))
                {
                    continue
                }
                if store(field, bytes, range, value.hasEscapes, &parsed) == nil {
                    values[index] = starts[index]..<value.end
                    escapes[index] = value.hasEscapes
                    starts[index + 1] = value.next
                    found = true
                    break
                }
            }
            guard found else {
                if budget == 0 { return false }
                index -= 1
                continue
            }
            index += 1
            if index < count {
                searchFrom[index] = starts[index]
                inSeparators[index] = false
            }
        }
        guard index == count else { return false }
        let line = parsed.line
        parsed.reset()
        parsed.line = line
        for field in 0..<count {
            _ = store(fields[field], bytes, values[field], escapes[field], &parsed)
        }
        return true
    }

    /// The next possible end of `field`'s value starting at `valueStart`: for `.literal` the
    /// first occurrence of the literal at or after `from` (for a list-valued field: outside the
    /// list separators as in `findLiteral`, or with `inSeparators` only those inside one); for
    /// `.beforeIsArgs` the `$uri` end that the next occurrence of the literal after `$args` at
    /// or after `from` gives (a decoded `$uri` may hold that literal: `/my file.pdf` before a
    /// space); for every other terminator the one end `match` finds, unless `from` is
    /// `Int.max` (already given). `next` is where the following field starts, `resume` the
    /// `from` of the next call (`Int.max` when there is no other end).
    private func nextValue(
        _ field: CompiledField,
        _ following: UnsafeRawBufferPointer,
        _ bytes: UnsafeRawBufferPointer,
        valueStart: Int,
        from: Int,
        end: Int,
        inSeparators: Bool
    ) -> (end: Int, next: Int, hasEscapes: Bool, resume: Int)? {
        guard from != Int.max else { return nil }
        let count = following.count
        let backslash = UInt8(ascii: "\\")
        func escaped(_ valueEnd: Int) -> Bool { Self.scannedEscapes(field, bytes, valueStart..<valueEnd) }
        switch field.terminator {
        case .literal:
            var index = from
            let limit = end - count + 1
            while let candidate = ByteScan.firstIndex(of: field.head, in: bytes, from: index, to: limit) {
                if isLiteral(field, following, in: bytes, at: candidate),
                    !field.skipsListSeparators
                        || Self.isListSeparator(bytes, at: candidate, valueStart: valueStart, end: end) == inSeparators
                {
                    return (candidate, candidate + count, escaped(candidate), candidate + 1)
                }
                index = candidate + 1
            }
            return nil
        case .quote:
            guard let quote = ByteScan.firstIndex(of: UInt8(ascii: "\""), in: bytes, from: valueStart, to: end),
                expect(field, following, bytes, at: quote, end: end) == nil
            else { return nil }
            return (quote, quote + count, ByteScan.contains(backslash, in: bytes, valueStart..<quote), Int.max)
        case .selfDelimited:
            var index = valueStart
            while index < end, field.valueClass.continues(bytes[index]) {
                index += 1
            }
            return (index, index, false, Int.max)
        case .beforeIsArgs:
            guard let found = uriEndBeforeIsArgs(field, following, bytes, from: valueStart, literalFrom: from, end: end)
            else { return nil }
            return (found.uriEnd, found.uriEnd, escaped(found.uriEnd), count > 0 ? found.literalAt + 1 : Int.max)
        case .endOfLine, .suffix, .jsonQuote, .selfDelimitedBeforePath, .isArgs, .lastColon:
            guard case .value(let valueEnd, let next, let hasEscapes) =
                lessCommonValue(field, following, bytes, from: valueStart, end: end)
            else { return nil }
            return (valueEnd, next, hasEscapes, Int.max)
        }
    }

    /// Whether `bytes[range]`, a value of `field`, holds a backslash, looked for only when the
    /// field's escapes matter (`CompiledField.scanEscapes`).
    private static func scannedEscapes(_ field: CompiledField, _ bytes: UnsafeRawBufferPointer, _ range: Range<Int>)
        -> Bool
    {
        field.scanEscapes && ByteScan.contains(UInt8(ascii: "\\"), in: bytes, range)
    }

    /// Where a value with one of the terminators `match` leaves out of its loop ends.
    private enum LessCommonValue {
        /// The value is `bytes[start..<end]`; the next field starts at `next`.
        case value(end: Int, next: Int, hasEscapes: Bool)
        case failed(LineParseError)
    }

    /// The end of a value whose terminator is not `.literal`, `.quote` or `.selfDelimited`:
    /// out of `match`'s loop, because every case inlined there pushed the loop past the
    /// optimizer's size limit for inlining, and the scans and byte loads of the common cases
    /// became calls (callgrind: 6 `count` and 3 `loadUnaligned` calls per `edge` line, +12 %
    /// instructions). Used by `match` and, for these terminators, by `nextValue`: the one end
    /// each of them has.
    @inline(never)
    private func lessCommonValue(
        _ field: CompiledField,
        _ following: UnsafeRawBufferPointer,
        _ bytes: UnsafeRawBufferPointer,
        from valueStart: Int,
        end: Int
    ) -> LessCommonValue {
        let count = following.count
        let backslash = UInt8(ascii: "\\")
        func escaped(_ valueEnd: Int) -> Bool { Self.scannedEscapes(field, bytes, valueStart..<valueEnd) }
        switch field.terminator {
        case .endOfLine:
            return .value(end: end, next: end, hasEscapes: escaped(end))
        case .suffix:
            guard end - valueStart >= count, isLiteral(field, following, in: bytes, at: end - count) else {
                return .failed(.truncated(at: end))
            }
            return .value(end: end - count, next: end, hasEscapes: escaped(end - count))
        case .jsonQuote:
            var index = valueStart
            var hasEscapes = false
            while true {
                guard let found = ByteScan.firstIndex(
                    of: UInt8(ascii: "\""), or: backslash, in: bytes, from: index, to: end)
                else { return .failed(.truncated(at: end)) }
                if bytes[found] == UInt8(ascii: "\"") {
                    index = found
                    break
                }
                hasEscapes = true
                index = found + 2
            }
            if let error = expect(field, following, bytes, at: index, end: end) { return .failed(error) }
            return .value(end: index, next: index + count, hasEscapes: hasEscapes)
        case .selfDelimitedBeforePath:
            let valueEnd = Self.endBeforePath(field, bytes, from: valueStart, end: end)
            return .value(end: valueEnd, next: valueEnd, hasEscapes: false)
        case .isArgs:
            let valueEnd = valueStart < end && bytes[valueStart] == UInt8(ascii: "?") ? valueStart + 1 : valueStart
            return .value(end: valueEnd, next: valueEnd, hasEscapes: false)
        case .beforeIsArgs:
            guard let found = uriEndBeforeIsArgs(field, following, bytes, from: valueStart, literalFrom: valueStart, end: end)
            else { return .failed(.truncated(at: end)) }
            return .value(end: found.uriEnd, next: found.uriEnd, hasEscapes: escaped(found.uriEnd))
        case .lastColon:
            guard let colon = Self.lastColon(field, bytes, from: valueStart, end: end) else {
                return .failed(.truncated(at: end))
            }
            if let error = expect(field, following, bytes, at: colon, end: end) { return .failed(error) }
            return .value(end: colon, next: colon + count, hasEscapes: false)
        case .literal, .quote, .selfDelimited:
            // `match` and `nextValue` handle these themselves.
            return .failed(.truncated(at: end))
        }
    }

    /// Where `field`'s following literal (its bytes: `literal`) first occurs in
    /// `bytes[from..<end]`, and whether a backslash comes before it (only looked for when
    /// `field.scanEscapes`).
    ///
    /// Until the first backslash one pass looks for both bytes at once; once a backslash is
    /// seen the value is known to be escaped and only the literal is searched for.
    /// (`@_transparent` for the reason given at `store`.) A list-valued field's search, which
    /// passes over separators, is out of line (`findListLiteral`) for `lessCommonValue`'s reason.
    @_transparent
    private func findLiteral(
        _ field: CompiledField,
        _ literal: UnsafeRawBufferPointer,
        in bytes: UnsafeRawBufferPointer,
        from start: Int,
        end: Int,
        hasEscapes: inout Bool
    ) -> Int? {
        if field.skipsListSeparators {
            return findListLiteral(field, literal, in: bytes, from: start, end: end, hasEscapes: &hasEscapes)
        }
        var index = start
        let head = field.head
        // A literal candidate must leave room for the whole literal before `end`; a backslash
        // at or past that limit cannot come before the literal.
        let limit = end &- field.following.count &+ 1
        if field.scanEscapes {
            let backslash = UInt8(ascii: "\\")
            while true {
                guard let candidate = ByteScan.firstIndex(of: head, or: backslash, in: bytes, from: index, to: limit)
                else { return nil }
                index = candidate &+ 1
                let byte = bytes[candidate]
                if byte == head, isLiteral(field, literal, in: bytes, at: candidate) { return candidate }
                if byte == backslash {
                    hasEscapes = true
                    break
                }
            }
        }
        // No (more) backslash to look for: the literal alone.
        while let candidate = ByteScan.firstIndex(of: head, in: bytes, from: index, to: limit) {
            if isLiteral(field, literal, in: bytes, at: candidate) { return candidate }
            index = candidate &+ 1
        }
        return nil
    }

    /// `findLiteral` for a list-valued field (`CompiledField.skipsListSeparators`): an
    /// occurrence of the literal that is part of a list separator inside the value
    /// (`isListSeparator`) is passed over.
    @inline(never)
    private func findListLiteral(
        _ field: CompiledField,
        _ literal: UnsafeRawBufferPointer,
        in bytes: UnsafeRawBufferPointer,
        from start: Int,
        end: Int,
        hasEscapes: inout Bool
    ) -> Int? {
        let limit = end &- field.following.count &+ 1
        var index = start
        while let candidate = ByteScan.firstIndex(of: field.head, in: bytes, from: index, to: limit) {
            if isLiteral(field, literal, in: bytes, at: candidate),
                !Self.isListSeparator(bytes, at: candidate, valueStart: start, end: end)
            {
                if field.scanEscapes && ByteScan.contains(UInt8(ascii: "\\"), in: bytes, start..<candidate) {
                    hasEscapes = true
                }
                return candidate
            }
            index = candidate &+ 1
        }
        return nil
    }

    /// The end of a `.selfDelimitedBeforePath` value: its value class's bytes, except a last
    /// `-` right before a byte that cannot start a path (two for `$uri$is_args$args`). That `-`
    /// is the next variable's (`$request_uri`, `$uri`) empty value: nginx writes `www.example-`
    /// for `$host$request_uri` when a bad request (400) has no URI, and a host name's own `-`
    /// is followed by the `/`.
    @inline(never)
    private static func endBeforePath(_ field: CompiledField, _ bytes: UnsafeRawBufferPointer, from start: Int, end: Int)
        -> Int
    {
        var index = start
        while index < end, field.valueClass.continues(bytes[index]) {
            index += 1
        }
        guard index == end || bytes[index] != UInt8(ascii: "/") else { return index }
        // One `-` per absent path variable: `$request_uri` or `$uri`, and `$args` after
        // `$uri$is_args` (`www.example--`).
        var dashes = field.beforeUriIsArgs ? 2 : 1
        while dashes > 0, index - start >= 2, bytes[index - 1] == UInt8(ascii: "-") {
            index -= 1
            dashes -= 1
        }
        return index
    }

    /// Where `$uri` (from `start`) ends in `$uri$is_args$args`, and where the literal after
    /// `$args` (`following`) is: the run up to that literal holds `$uri`, then `?` and `$args`,
    /// or `$uri` and the `-` nginx writes for absent `$args` (`/index.html-`). So `$uri` ends
    /// at the run's first `?`, else before its last `-`. The first occurrence of the literal at
    /// or after `literalFrom` whose run is one of those two wins: `$uri` is logged decoded, so
    /// `/my%20file.pdf` holds the space a format puts after `$args`. When no run is, the
    /// first occurrence, the whole run being `$uri` (a line nginx did not write this way).
    /// Without a literal the run ends at the line's end. `nil` when there is no occurrence
    /// (or, without a literal, when `literalFrom` is past `start`: that end was given).
    @inline(never)
    private func uriEndBeforeIsArgs(
        _ field: CompiledField,
        _ following: UnsafeRawBufferPointer,
        _ bytes: UnsafeRawBufferPointer,
        from start: Int,
        literalFrom: Int,
        end: Int
    ) -> (uriEnd: Int, literalAt: Int)? {
        func uriEnd(inRunTo runEnd: Int) -> Int? {
            if let mark = ByteScan.firstIndex(of: UInt8(ascii: "?"), in: bytes, from: start, to: runEnd) { return mark }
            if runEnd > start, bytes[runEnd - 1] == UInt8(ascii: "-") { return runEnd - 1 }
            return nil
        }
        guard following.count > 0 else {
            guard literalFrom <= start else { return nil }
            return (uriEnd(inRunTo: end) ?? end, end)
        }
        var index = max(start, literalFrom)
        let limit = end - following.count + 1
        var first: Int?
        while let candidate = ByteScan.firstIndex(of: field.head, in: bytes, from: index, to: limit) {
            if isLiteral(field, following, in: bytes, at: candidate) {
                if let found = uriEnd(inRunTo: candidate) { return (found, candidate) }
                if first == nil { first = candidate }
            }
            index = candidate + 1
        }
        guard let first else { return nil }
        return (first, first)
    }

    /// The last `:` among the value class's bytes from `start`, where a `.lastColon` value
    /// ends: `::1:51234` is `::1` then port `51234`, `[::1]:8080` is `[::1]` then `8080`.
    /// `nil` when the run holds no colon.
    @inline(never)
    private static func lastColon(_ field: CompiledField, _ bytes: UnsafeRawBufferPointer, from start: Int, end: Int)
        -> Int?
    {
        var index = start
        var colon: Int?
        while index < end, field.valueClass.continues(bytes[index]) {
            if bytes[index] == UInt8(ascii: ":") { colon = index }
            index += 1
        }
        return colon
    }

    /// Whether the byte at `at` (where a `skipsListSeparators` field's following literal,
    /// starting with a space or a comma, was found) belongs to a separator inside the value:
    /// nginx joins the values of several upstreams with `, ` and those of an internal redirect
    /// with ` : ` (`0.000, 0.016 : 0.002`), and clients join `X-Forwarded-For` addresses with
    /// `, `. Reads only `bytes[valueStart..<end]`.
    @inline(never)
    private static func isListSeparator(_ bytes: UnsafeRawBufferPointer, at: Int, valueStart: Int, end: Int) -> Bool {
        let space = UInt8(ascii: " ")
        let colon = UInt8(ascii: ":")
        let comma = UInt8(ascii: ",")
        let byte = bytes[at]
        if byte == comma { return at + 1 < end && bytes[at + 1] == space }
        // A space: the one after a comma, either one around a colon.
        if at > valueStart, bytes[at - 1] == comma { return true }
        if at + 2 < end, bytes[at + 1] == colon, bytes[at + 2] == space { return true }
        return at - 2 >= valueStart && bytes[at - 1] == colon && bytes[at - 2] == space
    }

    /// Whether a list value's separator can be mistaken for `literal`: it starts with a space
    /// or a comma, and is not itself a separator (`, `, ` : `), which nothing could tell apart.
    private static func listSeparatorCanHide(_ literal: ArraySlice<UInt8>) -> Bool {
        guard let first = literal.first else { return false }
        let second = literal.dropFirst().first
        switch first {
        case UInt8(ascii: " "): return second != UInt8(ascii: ":")
        case UInt8(ascii: ","): return second != UInt8(ascii: " ")
        default: return false
        }
    }

    /// Whether `field`'s following literal (its bytes: `literal`) is at `bytes[at...]`; the
    /// caller checked that it fits before the line's end.
    ///
    /// A literal of up to eight bytes is one masked word compare while the word at `at` lies
    /// inside `bytes` (it may read past the line, into bytes the mask drops).
    @_transparent
    private func isLiteral(
        _ field: CompiledField,
        _ literal: UnsafeRawBufferPointer,
        in bytes: UnsafeRawBufferPointer,
        at: Int
    ) -> Bool {
        if field.literalMask != 0, at &+ 8 <= bytes.count {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self))
            return (word ^ field.literalWord) & field.literalMask == 0
        }
        return ByteScan.equal(literal, bytes, at: at)
    }

    /// `nil` when `field`'s following literal (its bytes: `literal`) is at `bytes[at...]`
    /// before `end`; otherwise where and how it differs (from the byte-by-byte `expect`).
    @_transparent
    private func expect(
        _ field: CompiledField,
        _ literal: UnsafeRawBufferPointer,
        _ bytes: UnsafeRawBufferPointer,
        at start: Int,
        end: Int
    ) -> LineParseError? {
        // The fast check only for a word-sized literal that fits; any other case, and any
        // mismatch, goes byte by byte so that the error says where.
        if field.literalMask != 0, start &+ field.following.count <= end, isLiteral(field, literal, in: bytes, at: start) {
            return nil
        }
        return expect(literal, bytes, at: start, end: end)
    }

    /// `nil` when `literal` is at `bytes[at...]`; otherwise where and how it differs.
    private func expect(
        _ literal: UnsafeRawBufferPointer,
        _ bytes: UnsafeRawBufferPointer,
        at start: Int,
        end: Int
    ) -> LineParseError? {
        var offset = 0
        while offset < literal.count {
            let index = start + offset
            guard index < end else { return .truncated(at: end) }
            if bytes[index] != literal[offset] { return .literalMismatch(at: index) }
            offset += 1
        }
        return nil
    }

    // MARK: - Values

    /// Stores the value `bytes[range]` of one variable; `-` alone is the absent value. Inlined
    /// into `match`'s loop: a call per field cost more than most fields' work. `@_transparent`
    /// rather than `@inline(__always)`, which the optimizer stops honouring once a caller is as
    /// large as `match` (measured with callgrind; see `ByteScan`).
    @_transparent
    private func store(
        _ field: CompiledField,
        _ bytes: UnsafeRawBufferPointer,
        _ range: Range<Int>,
        _ hasEscapes: Bool,
        _ parsed: inout ParsedLine
    ) -> LineParseError? {
        let slot = field.slot
        let isDash = range.count == 1 && bytes[range.lowerBound] == UInt8(ascii: "-")
        let span =
            isDash
            ? FieldSpan(range: range.lowerBound..<range.lowerBound)
            : FieldSpan(range: range, hasEscapes: hasEscapes)
        switch slot {
        case .remoteAddr:
            parsed.remoteAddr = span
            if !isDash && !hasEscapes { parsed.clientAddress = IPAddress.parse(bytes, range) }
        case .remoteUser: parsed.remoteUser = span
        case .httpXForwardedFor: parsed.forwardedFor = span
        case .httpReferer: parsed.referer = span
        case .httpUserAgent: parsed.userAgent = span
        case .host: parsed.host = span
        case .httpHost: parsed.httpHost = span
        case .serverName: parsed.serverName = span
        case .scheme: parsed.scheme = span
        case .requestURI: parsed.requestURI = span
        case .uri: parsed.uri = span
        case .args: parsed.args = span
        case .requestMethod: parsed.requestMethod = span
        case .serverProtocol: parsed.serverProtocol = span
        case .extra, .msec, .upstreamResponseTime:
            return storeLessCommon(field, bytes, range, span, isDash, &parsed)
        case .request:
            parsed.request = span
            splitRequest(bytes, span, &parsed)
        case .timeLocal, .timeISO8601:
            guard !isDash else { break }
            let instant =
                slot == .timeLocal
                ? parsed.timeLocalCache.parse(bytes, range) : NginxTime.parseISO8601(bytes, range)
            guard let instant else { return .badTimestamp(at: range.lowerBound) }
            if parsed.timePrecision <= 1 {
                parsed.timeMicros = instant.micros
                parsed.timePrecision = 1
            }
            parsed.utcOffsetMinutes = instant.utcOffsetMinutes
        case .status:
            guard !isDash else { break }
            guard (1...3).contains(range.count), let value = DecimalText.parseUInt64(bytes, range) else {
                return .badStatus(at: range.lowerBound)
            }
            parsed.status = UInt16(truncatingIfNeeded: value)  // at most 3 digits
        case .bodyBytesSent, .bytesSent, .requestLength:
            guard !isDash else { break }
            guard let value = DecimalText.parseUInt64(bytes, range) else { return .badNumber(at: range.lowerBound) }
            switch slot {
            case .bodyBytesSent: parsed.bodyBytesSent = value
            case .bytesSent: parsed.bytesSent = value
            default: parsed.requestLength = value
            }
        case .requestTime:
            guard !isDash else { break }
            guard let micros = DecimalText.parseMicros(bytes, range) else { return .badNumber(at: range.lowerBound) }
            parsed.requestTimeMicros = micros
        case .upstreamCacheStatus:
            parsed.upstreamCacheStatus = isDash ? .none : UpstreamCacheStatus.classify(bytes, range)
        }
        return nil
    }

    /// The slots `store` leaves out of the matching loop: rarer in formats, and larger in code
    /// (an array append, a list of durations), which would push the loop past the optimizer's
    /// size limit for inlining the scans.
    @inline(never)
    private func storeLessCommon(
        _ field: CompiledField,
        _ bytes: UnsafeRawBufferPointer,
        _ range: Range<Int>,
        _ span: FieldSpan,
        _ isDash: Bool,
        _ parsed: inout ParsedLine
    ) -> LineParseError? {
        switch field.slot {
        case .extra:
            parsed.extras.append(ExtraField(name: extraNames[field.extraIndex], value: span))
        case .msec:
            guard !isDash else { break }
            guard let instant = NginxTime.parseMsec(bytes, range) else { return .badTimestamp(at: range.lowerBound) }
            parsed.timeMicros = instant.micros
            parsed.timePrecision = 2
        case .upstreamResponseTime:
            guard !isDash else { break }
            guard let sum = sumDurations(bytes, range) else { return .badNumber(at: range.lowerBound) }
            parsed.upstreamResponseTimeMicros = sum.count > 0 ? sum.micros : nil
        default:
            assertionFailure("store handles \(field.slot) itself")
        }
        return nil
    }

    /// `0.000, 0.016 : 0.002` → total µs and how many values were numbers (`-` values skipped).
    private func sumDurations(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> (micros: UInt64, count: Int)? {
        var total: UInt64 = 0
        var count = 0
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index]
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: ",") || byte == UInt8(ascii: ":") {
                index += 1
                continue
            }
            var tokenEnd = index
            while tokenEnd < range.upperBound, bytes[tokenEnd] != UInt8(ascii: " "),
                bytes[tokenEnd] != UInt8(ascii: ","), bytes[tokenEnd] != UInt8(ascii: ":")
            {
                tokenEnd += 1
            }
            if !(tokenEnd - index == 1 && byte == UInt8(ascii: "-")) {
                guard let micros = DecimalText.parseMicros(bytes, index..<tokenEnd) else { return nil }
                let (sum, overflow) = total.addingReportingOverflow(micros)
                guard !overflow else { return nil }
                total = sum
                count += 1
            }
            index = tokenEnd
        }
        return (total, count)
    }

    /// Method up to the first space, protocol after the last space when it reads `HTTP/…`,
    /// target in between (inner spaces kept, the extra spaces nginx accepts around it dropped);
    /// then path and query split at the first `?`.
    private func splitRequest(_ bytes: UnsafeRawBufferPointer, _ request: FieldSpan, _ parsed: inout ParsedLine) {
        let range = request.range
        guard !range.isEmpty else { return }
        let escaped = request.hasEscapes
        @inline(__always) func span(_ sub: Range<Int>) -> FieldSpan {
            FieldSpan(range: sub, hasEscapes: escaped && ByteScan.contains(UInt8(ascii: "\\"), in: bytes, sub))
        }
        guard
            let firstSpace = ByteScan.firstIndex(
                of: UInt8(ascii: " "), in: bytes, from: range.lowerBound, to: range.upperBound)
        else {
            parsed.methodText = request
            parsed.method = escaped ? .other : HTTPMethod.classify(bytes, range)
            return
        }
        let methodRange = range.lowerBound..<firstSpace
        parsed.methodText = span(methodRange)
        parsed.method = HTTPMethod.classify(bytes, methodRange)
        // nginx accepts several spaces after the method, before the version and after it
        // (`GET  /a  HTTP/1.1  `) and logs the line as sent: none of them is part of the target.
        var requestEnd = range.upperBound
        while requestEnd > firstSpace + 1, bytes[requestEnd - 1] == UInt8(ascii: " ") {
            requestEnd -= 1
        }
        let lastSpace =
            ByteScan.lastIndex(of: UInt8(ascii: " "), in: bytes, from: firstSpace + 1, to: requestEnd)
            ?? firstSpace
        var targetEnd = requestEnd
        var version: HTTPProtocolVersion?
        if lastSpace > firstSpace {
            version = HTTPProtocolVersion.classify(bytes, (lastSpace + 1)..<requestEnd)
            if version != nil { targetEnd = lastSpace }
        }
        var targetStart = firstSpace + 1
        while targetStart < targetEnd, bytes[targetStart] == UInt8(ascii: " ") {
            targetStart += 1
        }
        while targetEnd > targetStart, bytes[targetEnd - 1] == UInt8(ascii: " ") {
            targetEnd -= 1
        }
        let targetRange = targetStart..<targetEnd
        if let version {
            parsed.protocolVersion = version
        } else if parsed.method != .other && !targetRange.isEmpty {
            parsed.protocolVersion = .http09
        }
        parsed.target = span(targetRange)
        splitTarget(bytes, parsed.target, &parsed)
    }

    /// Path up to the first `?`, query after it. For an absolute-form target
    /// (`http://b.example/x?y`, which nginx accepts and which overrides `Host`) the path starts
    /// at the first `/` after the authority, and is empty when there is none.
    private func splitTarget(_ bytes: UnsafeRawBufferPointer, _ target: FieldSpan, _ parsed: inout ParsedLine) {
        var range = target.range
        if let authorityStart = absoluteFormAuthority(bytes, range) {
            let pathStart =
                ByteScan.firstIndex(
                    of: UInt8(ascii: "/"), or: UInt8(ascii: "?"), in: bytes, from: authorityStart, to: range.upperBound
                ) ?? range.upperBound
            range = pathStart..<range.upperBound
        }
        guard
            let mark = ByteScan.firstIndex(
                of: UInt8(ascii: "?"), in: bytes, from: range.lowerBound, to: range.upperBound)
        else {
            // No query: the path is the whole target, or for an absolute URL only what follows
            // its authority (not the `http://host` part).
            parsed.path =
                range == target.range
                ? target
                : FieldSpan(
                    range: range,
                    hasEscapes: target.hasEscapes && ByteScan.contains(UInt8(ascii: "\\"), in: bytes, range))
            parsed.query = FieldSpan(range: range.upperBound..<range.upperBound)
            return
        }
        let escaped = target.hasEscapes
        let pathRange = range.lowerBound..<mark
        let queryRange = (mark + 1)..<range.upperBound
        let backslash = UInt8(ascii: "\\")
        parsed.path = FieldSpan(range: pathRange, hasEscapes: escaped && ByteScan.contains(backslash, in: bytes, pathRange))
        parsed.query = FieldSpan(
            range: queryRange, hasEscapes: escaped && ByteScan.contains(backslash, in: bytes, queryRange))
    }

    /// Offset just after `http://` or `https://` (any case) when `range` starts with one.
    private func absoluteFormAuthority(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        let start = range.lowerBound
        guard range.count >= 7,
            bytes[start] | 0x20 == UInt8(ascii: "h"), bytes[start + 1] | 0x20 == UInt8(ascii: "t"),
            bytes[start + 2] | 0x20 == UInt8(ascii: "t"), bytes[start + 3] | 0x20 == UInt8(ascii: "p")
        else { return nil }
        var index = start + 4
        if bytes[index] | 0x20 == UInt8(ascii: "s") { index += 1 }
        guard index + 3 <= range.upperBound, bytes[index] == UInt8(ascii: ":"),
            bytes[index + 1] == UInt8(ascii: "/"), bytes[index + 2] == UInt8(ascii: "/")
        else { return nil }
        return index + 3
    }

    /// Fills fields derived from several variables, once the whole line matched.
    @inline(__always)
    private func finish(_ bytes: UnsafeRawBufferPointer, _ parsed: inout ParsedLine) {
        if parsed.request.isEmpty, !parsed.requestMethod.isEmpty {
            parsed.methodText = parsed.requestMethod
            parsed.method = HTTPMethod.classify(bytes, parsed.requestMethod.range)
        }
        if parsed.protocolVersion == .unknown, !parsed.serverProtocol.isEmpty {
            parsed.protocolVersion = HTTPProtocolVersion.classify(bytes, parsed.serverProtocol.range) ?? .unknown
        }
        if parsed.target.isEmpty {
            if !parsed.requestURI.isEmpty {
                parsed.target = parsed.requestURI
                splitTarget(bytes, parsed.requestURI, &parsed)
            } else {
                parsed.path = parsed.uri
                parsed.query = parsed.args
            }
        }
        if bodyBytesFromBytesSent { parsed.bodyBytesSent = parsed.bytesSent }
        if !parsed.host.isEmpty {
            parsed.siteSource = .host
        } else if siteLabel != nil {
            parsed.siteSource = .configuredLabel
        } else if !parsed.httpHost.isEmpty {
            parsed.siteSource = .httpHost
        } else if !parsed.serverName.isEmpty {
            parsed.siteSource = .serverName
        }
    }
}

// MARK: - Compiled program

/// Where a variable's value goes (`.extra`: `CompiledField.extraIndex` indexes
/// `LogParser.extraNames`). A trivial type without payloads, so walking the compiled fields
/// costs no reference counting and `store` switches on one byte.
private enum Slot: UInt8 {
    case remoteAddr, remoteUser, timeLocal, timeISO8601, msec, request, requestMethod, requestURI, uri, args
    case serverProtocol, status, bodyBytesSent, bytesSent, httpReferer, httpUserAgent, httpXForwardedFor
    case host, httpHost, serverName, scheme, requestTime, upstreamResponseTime, upstreamCacheStatus, requestLength
    case extra

    init(_ variable: LogVariable) {
        switch variable {
        case .remoteAddr: self = .remoteAddr
        case .remoteUser: self = .remoteUser
        case .timeLocal: self = .timeLocal
        case .timeISO8601: self = .timeISO8601
        case .msec: self = .msec
        case .request: self = .request
        case .requestMethod: self = .requestMethod
        case .requestURI: self = .requestURI
        case .uri: self = .uri
        case .args: self = .args
        case .serverProtocol: self = .serverProtocol
        case .status: self = .status
        case .bodyBytesSent: self = .bodyBytesSent
        case .bytesSent: self = .bytesSent
        case .httpReferer: self = .httpReferer
        case .httpUserAgent: self = .httpUserAgent
        case .httpXForwardedFor: self = .httpXForwardedFor
        case .host: self = .host
        case .httpHost: self = .httpHost
        case .serverName: self = .serverName
        case .scheme: self = .scheme
        case .requestTime: self = .requestTime
        case .upstreamResponseTime: self = .upstreamResponseTime
        case .upstreamCacheStatus: self = .upstreamCacheStatus
        case .requestLength: self = .requestLength
        case .other: self = .extra
        }
    }

    /// Whether nginx never writes a space in the value (an address, `$host`, which nginx
    /// refuses with a space, a method or protocol token, a cache status), so that
    /// `matchBacktracking` can refuse a candidate value that holds one.
    var neverHoldsSpaces: Bool {
        switch self {
        case .remoteAddr, .host, .serverName, .scheme, .requestMethod, .serverProtocol, .upstreamCacheStatus:
            true
        default:
            false
        }
    }

    /// Whether `store` keeps the value as a `FieldSpan` (whose `hasEscapes` then matters),
    /// rather than only parsing it into a number, time or status.
    var keepsText: Bool {
        switch self {
        case .timeLocal, .timeISO8601, .msec, .status, .bodyBytesSent, .bytesSent, .requestTime,
            .upstreamResponseTime, .upstreamCacheStatus, .requestLength:
            false
        default:
            true
        }
    }
}

/// How the end of a variable's value is found (see the `LogParser` comment).
private enum Terminator: UInt8 {
    case endOfLine
    case suffix
    case literal
    case quote
    case jsonQuote
    /// Ends at the first byte outside `CompiledField.valueClass`.
    case selfDelimited
    /// `.selfDelimited` before `$request_uri` or `$uri`, whose empty value `-` the class
    /// would swallow (see `LogParser.endBeforePath`).
    case selfDelimitedBeforePath
    /// `$is_args`: `?` when the next byte is one, else empty.
    case isArgs
    /// `$uri` before `$is_args` (see `LogParser.uriEndBeforeIsArgs`).
    case beforeIsArgs
    /// A self-delimiting value (an address or host name) before a literal starting with `:`:
    /// ends at the last `:` among its class's bytes (see `LogParser.lastColon`).
    case lastColon
}

private struct CompiledField {
    var slot: Slot
    /// Index into `LogParser.extraNames` when `slot` is `.extra`; 0 otherwise.
    var extraIndex: Int
    var terminator: Terminator
    /// Whether `.endOfLine`, `.suffix` and `.literal` values are searched for backslashes: only
    /// when the format escapes and the value is kept as text (a number or a time with a
    /// backslash fails to parse whatever `hasEscapes` says).
    var scanEscapes: Bool
    /// Whether a `.literal` search passes over the list separators inside the value
    /// (`LogVariable.isListValued`, e.g. `0.001, 0.002 : 0.003` before a ` ` literal).
    var skipsListSeparators: Bool
    /// Whether a `.selfDelimitedBeforePath` value comes before `$uri$is_args$args` (two
    /// absent values' `-` to give back, not one).
    var beforeUriIsArgs: Bool
    /// The bytes of a `.selfDelimited`, `.selfDelimitedBeforePath` or `.lastColon` value (unused
    /// by other terminators).
    var valueClass: ValueClass
    /// The literal right after the value, as a range of `LogParser.literals` (empty when a
    /// variable or the end of the line follows).
    var following: Range<Int>
    /// The first byte of `following` (0 when it is empty), searched for by `.literal`.
    var head: UInt8
    /// `following`'s bytes as a little-endian word (first byte in the lowest lane) when it is
    /// one to eight bytes long, and 0xFF in exactly those lanes of `literalMask`; both 0 for
    /// an empty or longer literal, which is compared byte by byte.
    var literalWord: UInt64
    var literalMask: UInt64

    init(
        slot: Slot, extraIndex: Int, terminator: Terminator, scanEscapes: Bool, skipsListSeparators: Bool,
        beforeUriIsArgs: Bool, valueClass: ValueClass,
        following: Range<Int>, literal: ArraySlice<UInt8>
    ) {
        self.slot = slot
        self.extraIndex = extraIndex
        self.terminator = terminator
        self.scanEscapes = scanEscapes
        self.skipsListSeparators = skipsListSeparators
        self.beforeUriIsArgs = beforeUriIsArgs
        self.valueClass = valueClass
        self.following = following
        self.head = literal.first ?? 0
        var word: UInt64 = 0
        var mask: UInt64 = 0
        if literal.count <= 8 {
            for (lane, byte) in literal.enumerated() {
                word |= UInt64(byte) << (8 * lane)
                mask |= 0xFF << (8 * lane)
            }
        }
        self.literalWord = word
        self.literalMask = mask
    }
}
