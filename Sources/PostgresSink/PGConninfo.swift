import CLibPQ

/// A libpq connection string, parsed by libpq itself (`PQconninfoParse`), in either form:
/// `host=db1 port=5432 dbname=edgelog user=edgelog password=secret` or
/// `postgresql://edgelog:secret@db1:5432/edgelog?sslmode=require`.
///
/// Why libpq parses it and not us: the two syntaxes have quoting (`'a b'`, `\'`), percent
/// encoding, multi-host lists and query parameters; a hand-written parser would disagree with the
/// one `PGConnection` uses to connect, and the disagreement would surface as a connection to the
/// wrong place. Parsing does not connect and applies no defaults (no environment, no service
/// file): `values` holds exactly what the string says.
///
/// Passwords: `string` and `password` carry the secret and exist only to connect. Everything meant
/// for people (`redacted`, `description`, `debugDescription`, `PGConninfoError`) leaves secrets out,
/// so `"\(conninfo)"` in a log line, a metric label or `--print-config` is safe. Which options are
/// secret is libpq's own answer (the `*` display flag: `password`, `sslpassword`).
public struct PGConninfo: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The connection string as given, password included. Pass it to `PGConnection`; never log it.
    public let string: String
    /// Every option the string sets (keyword -> value), libpq's keyword names (`dbname`, not
    /// `database`), secrets included. Options the string does not mention are absent.
    public let values: [String: String]
    /// Keywords whose values libpq marks as secret (display flag `*`) and that the string sets.
    public let secretKeys: Set<String>

    /// Parses `conninfo` without connecting.
    /// - Throws: `PGConninfoError.unparseable` with libpq's message (scrubbed of anything that
    ///   could be part of a password), `.containsNul` for a NUL byte (C strings end there).
    public init(_ conninfo: String) throws {
        guard !conninfo.utf8.contains(0) else { throw PGConninfoError.containsNul }
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            let message = errorMessage.map { String(cString: $0) }
            if let errorMessage { PQfreemem(errorMessage) }
            guard let message else { throw PGConninfoError.outOfMemory }
            throw PGConninfoError.unparseable(message: Self.scrubbed(libpqMessage: message, input: conninfo))
        }
        defer { PQconninfoFree(options) }
        var values: [String: String] = [:]
        var secrets: Set<String> = []
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                let key = String(cString: keyword)
                values[key] = String(cString: value)
                if let display = option.pointee.dispchar, String(cString: display) == "*" {
                    secrets.insert(key)
                }
            }
            option += 1
        }
        self.string = conninfo
        self.values = values
        self.secretKeys = secrets
    }

    /// Host name(s), or a comma-separated list for multi-host strings; `nil` if not set.
    public var host: String? { values["host"] }
    /// Port(s) as text (libpq allows a comma-separated list); `nil` if not set.
    public var port: String? { values["port"] }
    public var dbname: String? { values["dbname"] }
    public var user: String? { values["user"] }
    /// The password, if the string carries one. Secret: never log it.
    public var password: String? { values["password"] }

    /// Every set option except host, port, dbname, user and password (e.g. `sslmode`,
    /// `connect_timeout`, `application_name`).
    public var otherValues: [String: String] {
        values.filter { !Self.namedKeys.contains($0.key) }
    }

    /// A `key=value` display string without secrets: `host=h port=5432 dbname=d user=u
    /// password=<redacted>`. Order: host, hostaddr, port, dbname, user, the other options sorted,
    /// then each secret option that is set as `<redacted>` (nothing at all when none is set).
    /// Apart from the placeholders it is itself a valid conninfo (values quoted where needed).
    public var redacted: String {
        let leading = ["host", "hostaddr", "port", "dbname", "user"]
        var parts: [String] = []
        for key in leading {
            if let value = values[key], !secretKeys.contains(key) { parts.append("\(key)=\(Self.quoted(value))") }
        }
        for key in values.keys.sorted() where !leading.contains(key) && !secretKeys.contains(key) {
            parts.append("\(key)=\(Self.quoted(values[key] ?? ""))")
        }
        for key in secretKeys.sorted() {
            parts.append("\(key)=\(Self.redactedPlaceholder)")
        }
        return parts.joined(separator: " ")
    }

    /// What stands in for a secret value in `redacted`.
    public static let redactedPlaceholder = "<redacted>"

    public var description: String { redacted }
    public var debugDescription: String { "PGConninfo(\(redacted))" }

    private static let namedKeys: Set<String> = ["host", "port", "dbname", "user", "password"]

    /// A conninfo value: bare if it holds no space, quote or backslash, else single-quoted with
    /// `\` and `'` escaped (libpq's rules).
    static func quoted(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { $0.isWhitespace || $0 == "'" || $0 == "\\" }
        guard needsQuotes else { return value }
        var text = "'"
        for character in value {
            if character == "'" || character == "\\" { text.append("\\") }
            text.append(character)
        }
        return text + "'"
    }

    // MARK: - Scrubbing libpq's parse errors

    /// libpq's message with anything that may come from a password removed.
    ///
    /// libpq quotes pieces of the input in its parse errors: the token it choked on
    /// (`missing "=" after "b"`, which for `password=a b` is part of the password) and, for URIs,
    /// the whole URI (`invalid percent-encoded token: "postgresql://u:secret@..."`). When the
    /// input could hold a secret (it mentions a password, or has URI user info), everything from
    /// the first quoted piece that is not a known option name or a single separator character
    /// up to the message's last quote is replaced by `"<redacted>"`. Replacing to the *last* quote,
    /// not the piece's own closing quote, keeps a password that itself contains `"` from
    /// splitting the quoted piece and leaking its tail. Input that cannot hold a secret keeps
    /// libpq's message verbatim, which is the most useful one.
    static func scrubbed(libpqMessage: String, input: String) -> String {
        let message = trimmed(libpqMessage)
        let lowercased = input.lowercased()
        let mayHoldSecret = lowercased.contains("password") || input.contains("@")
        guard mayHoldSecret else { return message }
        let characters = Array(message)
        let quotes = characters.indices.filter { characters[$0] == "\"" }
        guard let lastQuote = quotes.last else { return message }
        var pair = 0
        while pair + 1 < quotes.count {
            let content = String(characters[(quotes[pair] + 1)..<quotes[pair + 1]])
            if !harmlessQuotedPieces.contains(content) && !knownKeywords.contains(content) {
                let head = String(characters[..<quotes[pair]])
                let tail = String(characters[(lastQuote + 1)...])
                return head + "\"\(redactedPlaceholder)\"" + tail
            }
            pair += 2
        }
        // An odd quote out (unbalanced): it may open a piece of the input, so cut from it.
        if quotes.count % 2 == 1 {
            return String(characters[..<lastQuote]) + "\"\(redactedPlaceholder)\""
        }
        return message
    }

    /// Separators libpq quotes in its own wording (`missing "=" after`, `expected ":" or "/"`).
    private static let harmlessQuotedPieces: Set<String> = ["=", ":", "/", "]", "@", "?", "&"]

    /// Every option keyword this libpq knows (from parsing the empty string), e.g. for an
    /// `invalid connection option "sslmdoe"` message, which is then kept as libpq wrote it.
    private static let knownKeywords: Set<String> = {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse("", &errorMessage) else {
            if let errorMessage { PQfreemem(errorMessage) }
            return []
        }
        defer { PQconninfoFree(options) }
        var keywords: Set<String> = []
        var option = options
        while let keyword = option.pointee.keyword {
            keywords.insert(String(cString: keyword))
            option += 1
        }
        return keywords
    }()

    private static func trimmed(_ text: String) -> String {
        var text = Substring(text)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}

/// A connection string libpq cannot parse. Messages never contain a password (see
/// `PGConninfo.scrubbed(libpqMessage:input:)`), so they can be printed as they are.
public enum PGConninfoError: Error, Sendable, Hashable, CustomStringConvertible {
    /// libpq rejected the syntax; `message` is libpq's, scrubbed of anything secret.
    case unparseable(message: String)
    /// The string contains a NUL byte, which would silently cut it short in C.
    case containsNul
    /// libpq returned neither options nor a message (it could not allocate memory).
    case outOfMemory

    public var description: String {
        switch self {
        case .unparseable(let message): "invalid connection string: \(message)"
        case .containsNul: "invalid connection string: it contains a NUL byte"
        case .outOfMemory: "invalid connection string: libpq ran out of memory parsing it"
        }
    }
}
