/// Splits a SQL script into statements.
///
/// Why: `PGConnection.execute` uses libpq's extended protocol (`PQexecParams`), which runs exactly
/// one statement per call, while a migration file is a script of many. Running the statements one
/// by one inside our own transaction also lets an error name the statement that failed.
///
/// The split is on `;` outside of everything that can contain one: single-quoted strings (with
/// `''` inside), double-quoted identifiers, dollar-quoted bodies (`$$...$$`, `$tag$...$tag$`),
/// `--` line comments and nested `/* */` block comments. Not handled, and not used in our
/// migrations: `E'...'` strings with backslash-escaped quotes (`E'\''`) and psql meta-commands.
/// Statements are returned trimmed of surrounding whitespace; pieces holding only comments and
/// whitespace are dropped.
public enum SQLScript {
    public static func statements(in script: String) -> [String] {
        let bytes = Array(script.utf8)
        var statements: [String] = []
        var start = 0
        var index = 0
        var hasCode = false  // whether the current piece has anything but comments and blanks
        var pieces: [ArraySlice<UInt8>] = []

        func flush(upTo end: Int) {
            if hasCode { pieces.append(bytes[start..<end]) }
            hasCode = false
        }

        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "-") where next(bytes, index) == UInt8(ascii: "-"):
                index = lineCommentEnd(bytes, from: index)
                continue
            case UInt8(ascii: "/") where next(bytes, index) == UInt8(ascii: "*"):
                index = blockCommentEnd(bytes, from: index)
                continue
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                hasCode = true
                index = quotedEnd(bytes, from: index, quote: byte)
                continue
            case UInt8(ascii: "$"):
                hasCode = true
                if let tagEnd = dollarTagEnd(bytes, from: index) {
                    index = dollarQuotedEnd(bytes, tag: bytes[index...tagEnd], from: tagEnd + 1)
                    continue
                }
            case UInt8(ascii: ";"):
                flush(upTo: index)
                start = index + 1
            default:
                if !isSpace(byte) { hasCode = true }
            }
            index += 1
        }
        flush(upTo: bytes.count)
        for piece in pieces {
            let text = String(decoding: piece, as: UTF8.self)
            statements.append(trimmedWhitespace(text))
        }
        return statements.filter { !$0.isEmpty }
    }

    // MARK: - Lexing helpers (byte offsets into the script's UTF-8)

    private static func next(_ bytes: [UInt8], _ index: Int) -> UInt8? {
        index + 1 < bytes.count ? bytes[index + 1] : nil
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C
    }

    /// Index just after the newline ending the `--` comment at `from` (or the end).
    private static func lineCommentEnd(_ bytes: [UInt8], from: Int) -> Int {
        var index = from + 2
        while index < bytes.count && bytes[index] != 0x0A { index += 1 }
        return min(bytes.count, index + 1)
    }

    /// Index just after the `*/` closing the (possibly nested) comment at `from`, or the end.
    private static func blockCommentEnd(_ bytes: [UInt8], from: Int) -> Int {
        var depth = 0
        var index = from
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "/") && next(bytes, index) == UInt8(ascii: "*") {
                depth += 1
                index += 2
            } else if bytes[index] == UInt8(ascii: "*") && next(bytes, index) == UInt8(ascii: "/") {
                depth -= 1
                index += 2
                if depth == 0 { return index }
            } else {
                index += 1
            }
        }
        return bytes.count
    }

    /// Index just after the quote closing the string or identifier at `from`; a doubled quote
    /// inside is an escaped quote, not the end.
    private static func quotedEnd(_ bytes: [UInt8], from: Int, quote: UInt8) -> Int {
        var index = from + 1
        while index < bytes.count {
            if bytes[index] == quote {
                if next(bytes, index) == quote {
                    index += 2
                    continue
                }
                return index + 1
            }
            index += 1
        }
        return bytes.count
    }

    /// If a dollar-quote tag (`$`, optional identifier not starting with a digit, `$`) starts at
    /// `from`, the index of its closing `$`. `$1` (a parameter) is not a tag.
    private static func dollarTagEnd(_ bytes: [UInt8], from: Int) -> Int? {
        var index = from + 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "$") { return index }
            let isLetter = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte >= 0x80
            let isDigit = byte >= 0x30 && byte <= 0x39
            guard isLetter || (isDigit && index > from + 1) else { return nil }
            index += 1
        }
        return nil
    }

    /// Index just after the next occurrence of `tag` at or after `from`, or the end.
    private static func dollarQuotedEnd(_ bytes: [UInt8], tag: ArraySlice<UInt8>, from: Int) -> Int {
        var index = from
        while index + tag.count <= bytes.count {
            if bytes[index..<(index + tag.count)].elementsEqual(tag) { return index + tag.count }
            index += 1
        }
        return bytes.count
    }

    private static func trimmedWhitespace(_ text: String) -> String {
        var text = Substring(text)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
