/// A compiled nginx `log_format`: the literal bytes and variables a line is made of, in order.
///
/// `LogFormat(_:)` accepts what an operator copies from `nginx.conf`, in any of these shapes:
/// - the whole directive: `log_format edge escape=json '$remote_addr - ' '$status';`
/// - only the arguments: `escape=none '$remote_addr - ' "$status"`
/// - the format text itself: `$remote_addr - $remote_user [$time_local] "$request" $status`
///
/// The source is read as configuration syntax when it starts (after white space and `#`
/// comment lines) with `log_format`, `escape=` or `'`, or with `"` when every piece is quoted
/// and the pieces compile; otherwise it is the format text, taken verbatim (as
/// `init(pattern:)` does). Many format texts start with a quoted variable
/// (`"$time_local" client=$remote_addr`, `"$request" "$status"`), which as pieces would be
/// concatenated into another format (`$time_localclient=...`) or none. In configuration syntax, like nginx, the pieces
/// (quoted with `'` or `"`, or bare words) are concatenated with nothing in between, `\"`,
/// `\'`, `\\`, `\t`, `\r`, `\n` are unescaped inside quotes, and a `#` where a piece would
/// start comments out the rest of its line. A variable name is `[A-Za-z0-9_]+` after `$`, or
/// anything up to `}` after `${` (either case: nginx lower-cases variable names).
///
/// Invariants of `segments`: never two literals in a row (they are merged), no empty literal,
/// and two variables in a row only when the first is self-delimiting (or in `$uri$is_args$args`).
public struct LogFormat: Sendable, Equatable {
    /// How nginx escaped variable values in this format (`escape=` parameter, nginx ≥ 1.11.8).
    public enum Escaping: Sendable, Equatable {
        /// `"`, `\`, bytes < 0x20 and ≥ 0x7F written as `\xHH`.
        case `default`
        /// JSON string escapes: `\"`, `\\`, `\n`, `\u00XX`...; bytes ≥ 0x80 written raw.
        case json
        /// Nothing escaped: a value may contain raw `"` and any byte but `\n`.
        case none
    }

    public enum Segment: Sendable, Equatable {
        case literal([UInt8])
        case variable(LogVariable)
    }

    /// The name given in a full `log_format NAME ...` directive, if the source had one.
    public let name: String?
    public let escaping: Escaping
    public let segments: [Segment]

    /// Compiles a `log_format` source (see the type comment for accepted shapes).
    public init(_ source: String) throws(LogFormatError) {
        let bytes = Array(source.utf8)
        let rest = bytes[FormatTokenizer.firstTokenStart(bytes)...]
        let isConfigSyntax =
            rest.starts(with: "log_format".utf8) || rest.starts(with: "escape=".utf8)
            || rest.first == UInt8(ascii: "'")
        if isConfigSyntax {
            self = try LogFormat(configSyntax: bytes)
        } else if rest.first == UInt8(ascii: "\""), Self.everyPieceIsQuoted(bytes) {
            do {
                self = try LogFormat(configSyntax: bytes)
            } catch {
                // `"$request" "$status"`: as pieces `$request$status`, which nothing can
                // split; as text a format. The pieces' error is the one to report when the
                // text does not compile either.
                guard let verbatim = try? LogFormat(pattern: source) else { throw error }
                self = verbatim
            }
        } else {
            self = try LogFormat(pattern: source)
        }
    }

    /// Whether every configuration piece of `bytes` is quoted (`;` and `#` comments aside):
    /// false when one is a bare word or the quotes do not tokenize.
    private static func everyPieceIsQuoted(_ bytes: [UInt8]) -> Bool {
        var tokenizer = FormatTokenizer(bytes)
        do {
            while let token = try tokenizer.next() {
                if !token.wasQuoted { return false }
            }
            return true
        } catch {
            return false
        }
    }

    /// Compiles nginx configuration syntax: `[log_format NAME] [escape=MODE] piece...[;]`.
    private init(configSyntax bytes: [UInt8]) throws(LogFormatError) {
        var tokenizer = FormatTokenizer(bytes)
        var tokens: [FormatTokenizer.Token] = []
        while let token = try tokenizer.next() {
            tokens.append(token)
        }
        var name: String?
        var escaping = Escaping.default
        var index = 0
        if index < tokens.count, !tokens[index].wasQuoted, tokens[index].bytes == Array("log_format".utf8) {
            index += 1
            if index < tokens.count {
                name = String(decoding: tokens[index].bytes, as: UTF8.self)
                index += 1
            }
        }
        let escapePrefix = Array("escape=".utf8)
        if index < tokens.count, !tokens[index].wasQuoted, tokens[index].bytes.starts(with: escapePrefix) {
            let value = String(decoding: tokens[index].bytes.dropFirst(escapePrefix.count), as: UTF8.self)
            switch value {
            case "default": escaping = .default
            case "json": escaping = .json
            case "none": escaping = .none
            default: throw LogFormatError(.unknownEscape(value), at: tokens[index].position)
            }
            index += 1
        }
        guard index < tokens.count else {
            throw LogFormatError(.emptyFormat, at: bytes.count)
        }
        var builder = SegmentBuilder()
        for token in tokens[index...] {
            try builder.append(token)
        }
        self.name = name
        self.escaping = escaping
        self.segments = try builder.finish()
    }

    /// Compiles the format text itself, verbatim: every byte but a variable reference is literal.
    public init(pattern: String, escaping: Escaping = .default, name: String? = nil) throws(LogFormatError) {
        let bytes = Array(pattern.utf8)
        guard !bytes.isEmpty else { throw LogFormatError(.emptyFormat, at: 0) }
        var builder = SegmentBuilder()
        try builder.append(
            FormatTokenizer.Token(bytes: bytes, positions: Array(bytes.indices), position: 0, wasQuoted: true)
        )
        self.name = name
        self.escaping = escaping
        self.segments = try builder.finish()
    }

    /// Builds a format from segments directly (merging adjacent literals, dropping empty ones).
    public init(segments: [Segment], escaping: Escaping = .default, name: String? = nil) throws(LogFormatError) {
        var merged: [Segment] = []
        for segment in segments {
            switch (segment, merged.last) {
            case (.literal(let bytes), _) where bytes.isEmpty:
                continue
            case (.literal(let bytes), .literal(let previous)?):
                merged[merged.count - 1] = .literal(previous + bytes)
            case (.variable(let second), .variable(let first)?) where !first.mayPrecede(second):
                throw LogFormatError(.ambiguousAdjacentVariables(first: first.name, second: second.name), at: 0)
            default:
                merged.append(segment)
            }
        }
        guard !merged.isEmpty else { throw LogFormatError(.emptyFormat, at: 0) }
        self.name = name
        self.escaping = escaping
        self.segments = merged
    }

    /// nginx's predefined `combined` format.
    public static let combined: LogFormat = compiledBuiltIn(
        #"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "#
            + #""$http_referer" "$http_user_agent""#,
        name: "combined"
    )

    /// `combined` plus ` $host $request_time $upstream_cache_status $request_length`.
    public static let edge: LogFormat = compiledBuiltIn(
        #"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "#
            + #""$http_referer" "$http_user_agent" $host $request_time $upstream_cache_status $request_length"#,
        name: "edge"
    )

    /// The variables in the order they appear.
    public var variables: [LogVariable] {
        segments.compactMap {
            if case .variable(let variable) = $0 { return variable }
            return nil
        }
    }

    /// Whether the format writes `variable` somewhere.
    public func contains(_ variable: LogVariable) -> Bool {
        segments.contains(.variable(variable))
    }

    private static func compiledBuiltIn(_ source: String, name: String) -> LogFormat {
        // The two built-in sources are constants tested in LogFormatTests; a failure here is a
        // programming error in this file, not bad input.
        do {
            return try LogFormat(pattern: source, name: name)
        } catch {
            preconditionFailure("built-in log_format \(name) does not compile: \(error)")
        }
    }
}

// MARK: - Tokenizer

/// Splits a `log_format` source into nginx configuration tokens (quoted or bare words).
struct FormatTokenizer {
    struct Token {
        var bytes: [UInt8]
        /// Source offset of each byte of `bytes`, for error positions inside the format.
        var positions: [Int]
        var position: Int
        var wasQuoted: Bool
    }

    private let source: [UInt8]
    private var index = 0

    init(_ source: [UInt8]) {
        self.source = source
    }

    mutating func next() throws(LogFormatError) -> Token? {
        while index < source.count {
            if source[index].isConfigSpace || source[index] == UInt8(ascii: ";") {
                index += 1
            } else if source[index] == UInt8(ascii: "#") {
                index = Self.endOfComment(source, from: index)
            } else {
                break
            }
        }
        guard index < source.count else { return nil }
        let start = index
        var token = Token(bytes: [], positions: [], position: start, wasQuoted: false)
        let first = source[index]
        if first == UInt8(ascii: "'") || first == UInt8(ascii: "\"") {
            token.wasQuoted = true
            index += 1
            while true {
                guard index < source.count else { throw LogFormatError(.unterminatedQuote, at: start) }
                let byte = source[index]
                if byte == first {
                    index += 1
                    return token
                }
                if byte == UInt8(ascii: "\\") {
                    guard index + 1 < source.count else { throw LogFormatError(.danglingBackslash, at: index) }
                    let escaped = source[index + 1]
                    let replacement: UInt8? =
                        switch escaped {
                        case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "\\"): escaped
                        case UInt8(ascii: "t"): UInt8(ascii: "\t")
                        case UInt8(ascii: "r"): UInt8(ascii: "\r")
                        case UInt8(ascii: "n"): UInt8(ascii: "\n")
                        default: nil
                        }
                    if let replacement {
                        token.bytes.append(replacement)
                        token.positions.append(index)
                        index += 2
                        continue
                    }
                }
                token.bytes.append(byte)
                token.positions.append(index)
                index += 1
            }
        }
        while index < source.count, !source[index].isConfigSpace, source[index] != UInt8(ascii: ";") {
            token.bytes.append(source[index])
            token.positions.append(index)
            index += 1
        }
        return token
    }
}

extension FormatTokenizer {
    /// Where the comment starting at `source[from]` (a `#`) ends: at its line break, or at the
    /// end. Like nginx, a `#` starts a comment only where a token would start.
    static func endOfComment(_ source: [UInt8], from: Int) -> Int {
        var index = from
        while index < source.count, source[index] != UInt8(ascii: "\n") {
            index += 1
        }
        return index
    }

    /// The offset of the first byte of `source` that is neither white space nor inside a
    /// `#` comment (`source.count` when there is none).
    static func firstTokenStart(_ source: [UInt8]) -> Int {
        var index = 0
        while index < source.count {
            if source[index].isConfigSpace {
                index += 1
            } else if source[index] == UInt8(ascii: "#") {
                index = endOfComment(source, from: index)
            } else {
                break
            }
        }
        return index
    }
}

extension UInt8 {
    fileprivate var isConfigSpace: Bool {
        self == UInt8(ascii: " ") || self == UInt8(ascii: "\t") || self == UInt8(ascii: "\n")
            || self == UInt8(ascii: "\r")
    }

    fileprivate var isVariableNameByte: Bool {
        isASCIIAlphanumeric || self == UInt8(ascii: "_")
    }
}

// MARK: - Segment builder

/// Turns the concatenated tokens into literal and variable segments.
private struct SegmentBuilder {
    private var segments: [LogFormat.Segment] = []
    private var literal: [UInt8] = []
    private var lastVariablePosition = 0

    mutating func append(_ token: FormatTokenizer.Token) throws(LogFormatError) {
        let bytes = token.bytes
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "$") else {
                literal.append(byte)
                index += 1
                continue
            }
            let dollarPosition = token.positions[index]
            var nameStart = index + 1
            var nameEnd: Int
            var next: Int
            if nameStart < bytes.count, bytes[nameStart] == UInt8(ascii: "{") {
                nameStart += 1
                nameEnd = nameStart
                while nameEnd < bytes.count, bytes[nameEnd] != UInt8(ascii: "}") {
                    nameEnd += 1
                }
                guard nameEnd < bytes.count else { throw LogFormatError(.unterminatedBrace, at: dollarPosition) }
                next = nameEnd + 1
            } else {
                nameEnd = nameStart
                while nameEnd < bytes.count, bytes[nameEnd].isVariableNameByte {
                    nameEnd += 1
                }
                next = nameEnd
            }
            guard nameEnd > nameStart else { throw LogFormatError(.emptyVariableName, at: dollarPosition) }
            let variable = LogVariable(name: String(decoding: bytes[nameStart..<nameEnd], as: UTF8.self))
            try appendVariable(variable, at: dollarPosition)
            index = next
        }
    }

    private mutating func appendVariable(_ variable: LogVariable, at position: Int) throws(LogFormatError) {
        if !literal.isEmpty {
            segments.append(.literal(literal))
            literal.removeAll()
        } else if case .variable(let previous)? = segments.last, !previous.mayPrecede(variable) {
            throw LogFormatError(
                .ambiguousAdjacentVariables(first: previous.name, second: variable.name),
                at: position
            )
        }
        segments.append(.variable(variable))
    }

    mutating func finish() throws(LogFormatError) -> [LogFormat.Segment] {
        if !literal.isEmpty {
            segments.append(.literal(literal))
        }
        guard !segments.isEmpty else { throw LogFormatError(.emptyFormat, at: 0) }
        return segments
    }
}
