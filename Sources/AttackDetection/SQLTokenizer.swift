/// Splits one decoded, lower-cased value into SQL tokens, as a database would read it if the
/// value were pasted into a query in the given `context`.
///
/// In the spirit of libinjection (Nick Galbreath): an injection only works if the value,
/// placed where the application puts it, reads as valid SQL; so instead of looking for
/// keywords we read the value three ways — as-is (a number context, `id=1 or 1=1`), after a
/// `'` and after a `"` (the value closes the application's string, `1' or '1'='1`) — and let
/// `SQLInjectionRules` judge the token sequences. Our token kinds, word lists and rules are
/// our own.
///
/// Invariants: at most `maximumTokens` tokens (the rules only look at the start of an
/// injection; a longer value is cut); inline comments `/* ... */` are whitespace (MySQL
/// reads `union/**/select` as `union select`), `/*!` version comments are code; a comment
/// token is only produced for a comment that runs to the end of the value.
struct SQLTokenizer {
    enum Context: CaseIterable {
        case asIs, singleQuote, doubleQuote

        var quote: UInt8? {
            switch self {
            case .asIs: return nil
            case .singleQuote: return UInt8(ascii: "'")
            case .doubleQuote: return UInt8(ascii: "\"")
            }
        }
    }

    static let maximumTokens = 24

    /// Tokenizes `value` into `tokens` and returns the count. In a quote context the first
    /// token is the remainder of the application's string (closed or not).
    static func tokenize(
        _ value: ByteView,
        context: Context,
        into tokens: UnsafeMutableBufferPointer<SQLToken>
    ) -> Int {
        precondition(tokens.count >= maximumTokens)
        var count = 0
        var index = 0
        if let quote = context.quote {
            let end = endOfString(value, from: 0, quote: quote)
            tokens[0] = SQLToken(kind: .string, flag: end.closed)
            count = 1
            index = end.next
        }
        while index < value.count, count < maximumTokens {
            let byte = value.base[index]
            if byte.isLenientWhitespace {
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "/") where value[index + 1] == UInt8(ascii: "*"):
                if value[index + 2] == UInt8(ascii: "!") {
                    // MySQL version comment: its content is code.
                    index += 3
                    while value[index].isASCIIDigit { index += 1 }
                    continue
                }
                guard let close = value.firstIndex(of: "*/", from: index + 2) else {
                    tokens[count] = SQLToken(kind: .comment, flag: true)
                    count += 1
                    index = value.count
                    continue
                }
                index = close + 2
                if restIsBlank(value, from: index) {
                    tokens[count] = SQLToken(kind: .comment, flag: true)
                    count += 1
                }
            case UInt8(ascii: "*") where value[index + 1] == UInt8(ascii: "/"):
                index += 2  // the end of a `/*!` comment
            case UInt8(ascii: "-") where value[index + 1] == UInt8(ascii: "-"),
                UInt8(ascii: "#"):
                // A line comment followed by more code on the next line is whitespace
                // (`and#\n0#\nunion`); one that runs to the end is a comment token, flagged
                // when it holds no words (`'--`, `'-- -`, `'#`: it only cuts the query).
                let end = endOfLine(value, from: index)
                if end < value.count, !restIsBlank(value, from: end) {
                    index = end
                    continue
                }
                let start = index + (byte == UInt8(ascii: "#") ? 1 : 2)
                var blank = true
                for position in start..<max(start, end) where isWordByte(value.base[position]) || value.base[position].isASCIIDigit {
                    blank = false
                    break
                }
                tokens[count] = SQLToken(kind: .comment, flag: blank)
                count += 1
                index = end
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                let end = endOfString(value, from: index + 1, quote: byte)
                tokens[count] = SQLToken(kind: .string, flag: end.closed)
                count += 1
                index = end.next
            case UInt8(ascii: "`"):
                let end = endOfString(value, from: index + 1, quote: byte)
                tokens[count] = SQLToken(kind: .bareword)
                count += 1
                index = end.next
            case UInt8(ascii: "("):
                tokens[count] = SQLToken(kind: .openParen)
                count += 1
                index += 1
            case UInt8(ascii: ")"):
                tokens[count] = SQLToken(kind: .closeParen)
                count += 1
                index += 1
            case UInt8(ascii: ","):
                tokens[count] = SQLToken(kind: .comma)
                count += 1
                index += 1
            case UInt8(ascii: ";"):
                tokens[count] = SQLToken(kind: .semicolon)
                count += 1
                index += 1
            case UInt8(ascii: "@"):
                let system = value[index + 1] == UInt8(ascii: "@")
                let start = index + (system ? 2 : 1)
                let end = endOfWord(value, from: start)
                if end == start {
                    index = start  // a lone `@`: not SQL, skip it
                    continue
                }
                tokens[count] = SQLToken(kind: .variable, flag: system)
                count += 1
                index = end
            case 0x30...0x39:
                tokens[count] = SQLToken(kind: .number)
                count += 1
                index = endOfNumber(value, from: index)
            case UInt8(ascii: ".") where value[index + 1].isASCIIDigit:
                tokens[count] = SQLToken(kind: .number)
                count += 1
                index = endOfNumber(value, from: index)
            case _ where isWordStart(byte):
                let end = endOfWord(value, from: index)
                tokens[count] = classifyWord(value, index..<end, next: nextNonBlank(value, from: end))
                count += 1
                index = end
            default:
                let (token, length) = operatorToken(value, at: index)
                if let token {
                    tokens[count] = token
                    count += 1
                }
                index += length
            }
        }
        return count
    }

    // MARK: - Lexing pieces

    @inline(__always)
    static func isWordStart(_ byte: UInt8) -> Bool {
        byte.isASCIILetter || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$") || byte >= 0x80
    }

    @inline(__always)
    static func isWordByte(_ byte: UInt8) -> Bool {
        isWordStart(byte) || byte.isASCIIDigit || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "@")
    }

    static func endOfWord(_ value: ByteView, from: Int) -> Int {
        var index = from
        while index < value.count, isWordByte(value.base[index]) { index += 1 }
        // A trailing dot belongs to the sentence, not the identifier.
        while index > from, value.base[index - 1] == UInt8(ascii: ".") { index -= 1 }
        return index
    }

    static func endOfNumber(_ value: ByteView, from: Int) -> Int {
        var index = from
        if value[index] == UInt8(ascii: "0"), value[index + 1] | 0x20 == UInt8(ascii: "x") || value[index + 1] == UInt8(ascii: "b") {
            index += 2
            while value[index].hexDigitValue != nil { index += 1 }
            return index
        }
        while value[index].isASCIIDigit || value[index] == UInt8(ascii: ".") { index += 1 }
        if value[index] == UInt8(ascii: "e"),
            value[index + 1].isASCIIDigit
                || (value[index + 1] == UInt8(ascii: "-") || value[index + 1] == UInt8(ascii: "+")) && value[index + 2].isASCIIDigit
        {
            index += 2
            while value[index].isASCIIDigit { index += 1 }
        }
        return index
    }

    /// The end of a string that started before `from`: backslash escapes and doubled quotes
    /// stay inside. `next` is the index after the closing quote (or the value's end).
    static func endOfString(_ value: ByteView, from: Int, quote: UInt8) -> (next: Int, closed: Bool) {
        var index = from
        while index < value.count {
            let byte = value.base[index]
            if byte == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if byte == quote {
                if value[index + 1] == quote {
                    index += 2
                    continue
                }
                return (index + 1, true)
            }
            index += 1
        }
        return (value.count, false)
    }

    static func endOfLine(_ value: ByteView, from: Int) -> Int {
        var index = from
        while index < value.count, value.base[index] != 0x0A { index += 1 }
        return index
    }

    static func nextNonBlank(_ value: ByteView, from: Int) -> UInt8 {
        var index = from
        while index < value.count {
            let byte = value.base[index]
            if byte.isLenientWhitespace {
                index += 1
            } else if byte == UInt8(ascii: "/"), value[index + 1] == UInt8(ascii: "*"),
                let close = value.firstIndex(of: "*/", from: index + 2)
            {
                index = close + 2
            } else {
                return byte
            }
        }
        return 0
    }

    static func restIsBlank(_ value: ByteView, from: Int) -> Bool { nextNonBlank(value, from: from) == 0 }

    static func classifyWord(_ value: ByteView, _ range: Range<Int>, next: UInt8) -> SQLToken {
        let hash = wordHash(value, range)
        if let kind = SQLWord.operatorKind(hash) {
            guard kind == .comparison else { return SQLToken(kind: kind) }
            // Word comparisons only count in their SQL shape: `is null|not|true|false`,
            // `in (`, `like '...'`; "2 in 1", "\"is\" stamp" stay words.
            let length = range.count
            let first = value.base[range.lowerBound]
            let fits: Bool
            if length == 2, first == UInt8(ascii: "i"), value.base[range.lowerBound + 1] == UInt8(ascii: "s") {
                fits = next == UInt8(ascii: "n") || next == UInt8(ascii: "t") || next == UInt8(ascii: "f")
            } else if length == 2 {
                fits = next == UInt8(ascii: "(")
            } else if first == UInt8(ascii: "b") {
                fits = true  // between
            } else {
                fits = next == UInt8(ascii: "'") || next == UInt8(ascii: "\"") || next == UInt8(ascii: "(") || next.isASCIIDigit
                    || next == UInt8(ascii: "@") || next == UInt8(ascii: "0")
            }
            return fits ? SQLToken(kind: .comparison) : SQLToken(kind: .bareword)
        }
        var word = SQLWord.lookUp(hash)
        if word == .none, let dot = value.slice(range).firstIndex(of: ".") {
            // `dbms_pipe.receive_message`, `information_schema.tables`: judge by the owner.
            let owner = SQLWord.lookUp(wordHash(value, range.lowerBound..<(range.lowerBound + dot)))
            if owner.isStrongFunction || owner == .catalog || owner == .dbmsPipe { word = owner }
        }
        if next == UInt8(ascii: "("), word.isFunctionName || word == .dbmsPipe {
            return SQLToken(kind: .function, word: word)
        }
        return SQLToken(kind: word.kind, word: word)
    }

    /// One operator at `index`, and how many bytes it took (unknown bytes are skipped).
    static func operatorToken(_ value: ByteView, at index: Int) -> (SQLToken?, Int) {
        let first = value.base[index]
        let second = value[index + 1]
        switch (first, second) {
        case (UInt8(ascii: "|"), UInt8(ascii: "|")), (UInt8(ascii: "&"), UInt8(ascii: "&")):
            return (SQLToken(kind: .logic, flag: true), 2)
        case (UInt8(ascii: "<"), UInt8(ascii: "=")) where value[index + 2] == UInt8(ascii: ">"):
            return (SQLToken(kind: .comparison, flag: true), 3)
        case (UInt8(ascii: "<"), UInt8(ascii: "=")), (UInt8(ascii: ">"), UInt8(ascii: "=")),
            (UInt8(ascii: "<"), UInt8(ascii: ">")), (UInt8(ascii: "!"), UInt8(ascii: "=")):
            return (SQLToken(kind: .comparison, flag: true), 2)
        case (UInt8(ascii: "="), _), (UInt8(ascii: "<"), _), (UInt8(ascii: ">"), _):
            return (SQLToken(kind: .comparison, flag: true), 1)
        case (UInt8(ascii: ":"), UInt8(ascii: "=")), (UInt8(ascii: ":"), UInt8(ascii: ":")):
            return (SQLToken(kind: .operator, flag: true), 2)
        case (UInt8(ascii: "+"), _), (UInt8(ascii: "-"), _), (UInt8(ascii: "*"), _), (UInt8(ascii: "/"), _),
            (UInt8(ascii: "%"), _), (UInt8(ascii: "|"), _), (UInt8(ascii: "&"), _), (UInt8(ascii: "^"), _),
            (UInt8(ascii: "~"), _), (UInt8(ascii: "!"), _):
            return (SQLToken(kind: .operator, flag: true), 1)
        default:
            return (nil, 1)
        }
    }

    /// The fingerprint of `value` in `context`: one symbol per token (`s&s=s`). For tests and
    /// debugging; the hot path never builds it.
    static func fingerprint(_ text: String, context: Context) -> String {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer in
            withUnsafeTemporaryAllocation(of: SQLToken.self, capacity: maximumTokens) { tokens in
                let count = tokenize(ByteView(UnsafeBufferPointer(buffer)), context: context, into: tokens)
                return String(tokens.prefix(count).map(\.symbol))
            }
        }
    }
}
