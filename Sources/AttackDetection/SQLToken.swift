/// One token of the SQL tokenizer. Kinds are deliberately coarse (what an injection needs to
/// be valid SQL, not what a parser needs to run it); `symbol` is the one-letter form used in
/// fingerprints, test names and debugging (`s&s=s` is `' or 'a'='a`).
struct SQLToken: Equatable {
    enum Kind: UInt8 {
        /// A quoted string; `closed` says whether its closing quote was seen.
        case string
        case number
        /// An identifier or a word that is not SQL vocabulary (`reilly`, `users.password`).
        case bareword
        /// SQL vocabulary; `word` says which.
        case keyword
        /// `union`.
        case union
        /// `select`.
        case select
        /// A statement that changes data or runs code: `drop`, `insert`, `exec`, `shutdown`...
        case statement
        /// `and`, `or`, `xor`, `&&`, `||`.
        case logic
        /// `=`, `<`, `>`, `<>`, `!=`, `<=>`, `like`, `rlike`, `regexp`, `is`, `in`, `between`.
        case comparison
        /// Arithmetic, bitwise and other operators, `not` and `!`.
        case `operator`
        /// A known function name followed by `(`.
        case function
        /// `@name` or `@@name`; `system` marks `@@`.
        case variable
        case openParen
        case closeParen
        case comma
        case semicolon
        /// A comment that runs to the end of the value (`--`, `#`, an unclosed `/*`).
        case comment
    }

    var kind: Kind
    /// For keywords, statements and functions: which word (`.none` otherwise).
    var word: SQLWord = .none
    /// Strings: the closing quote was present. Variables: `@@`. Comparisons and logic
    /// operators: written as a symbol (`=`, `||`), not a word. Comments: no words inside.
    var flag: Bool = false

    var symbol: Character {
        switch kind {
        case .string: return "s"
        case .number: return "1"
        case .bareword: return "n"
        case .keyword: return "k"
        case .union: return "U"
        case .select: return "E"
        case .statement: return "T"
        case .logic: return "&"
        case .comparison: return "="
        case .operator: return "o"
        case .function: return "f"
        case .variable: return "v"
        case .openParen: return "("
        case .closeParen: return ")"
        case .comma: return ","
        case .semicolon: return ";"
        case .comment: return "c"
        }
    }

    /// A literal operand: string, number, variable, or `true`/`false`/`null`.
    var isLiteral: Bool {
        switch kind {
        case .string, .number, .variable: return true
        case .keyword: return word == .true || word == .false || word == .null
        default: return false
        }
    }
}
