/// A program's settings after ``ConfigurationResolver`` applied precedence and validation: one
/// value text and its source per declared key.
///
/// The typed accessors parse the text according to the forms documented on
/// ``ConfigurationValueKind``; because every value was validated against its own key's kind at
/// resolution, they only fail when a program reads a key with an accessor of another kind or asks
/// for a key it did not declare. Errors still name the key, value and source.
public struct ResolvedConfiguration: Sendable, Equatable {
    /// One resolved setting.
    public struct Entry: Sendable, Equatable {
        /// The declared key.
        public let key: ConfigurationKey
        /// The value as text, exactly as given by its source.
        public let text: String
        /// Where ``text`` came from.
        public let source: ConfigurationSource
    }

    /// Key name → resolved entry, for every declared key.
    public let entries: [String: Entry]
    /// The configuration file that was read, if any.
    public let configFile: String?

    /// The resolved entry for `key`.
    public func entry(_ key: ConfigurationKey) throws(ConfigurationError) -> Entry {
        guard let entry = entries[key.name] else { throw .undeclaredKey(key.name) }
        return entry
    }

    /// Where `key`'s value came from.
    public func source(of key: ConfigurationKey) throws(ConfigurationError) -> ConfigurationSource {
        try entry(key).source
    }

    public func string(_ key: ConfigurationKey) throws(ConfigurationError) -> String {
        try entry(key).text
    }

    /// Integer value; works for `int` and `port` keys.
    public func int(_ key: ConfigurationKey) throws(ConfigurationError) -> Int {
        try parse(key, as: "not an integer", ValueText.integer)
    }

    public func bool(_ key: ConfigurationKey) throws(ConfigurationError) -> Bool {
        try parse(key, as: "not a boolean", ValueText.bool)
    }

    public func duration(_ key: ConfigurationKey) throws(ConfigurationError) -> Duration {
        try parse(key, as: "not a duration", ValueText.duration)
    }

    /// Byte count; `64KiB` is 65536, `1MB` is 1000000.
    public func bytes(_ key: ConfigurationKey) throws(ConfigurationError) -> Int {
        try parse(key, as: "not a byte size", ValueText.bytes)
    }

    /// Comma-separated items, trimmed, empty items dropped.
    public func list(_ key: ConfigurationKey) throws(ConfigurationError) -> [String] {
        ValueText.list(try entry(key).text)
    }

    private func parse<Value>(
        _ key: ConfigurationKey,
        as reason: String,
        _ parser: (String) -> Value?
    ) throws(ConfigurationError) -> Value {
        let entry = try entry(key)
        guard let value = parser(entry.text) else {
            throw .invalidValue(key: key.name, value: entry.text, source: entry.source, reason: reason)
        }
        return value
    }

    /// The `--print-config` text: one line per key, sorted by name, names padded to one column,
    /// `name = value  # source`. Empty values print as `""`, secret keys as `<redacted>`.
    /// Ends with a newline.
    public func rendered() -> String {
        let sorted = entries.values.sorted { $0.key.name < $1.key.name }
        let width = sorted.map(\.key.name.count).max() ?? 0
        var text = ""
        for entry in sorted {
            let padding = String(repeating: " ", count: width - entry.key.name.count)
            let value = entry.key.isSecret ? "<redacted>" : (entry.text.isEmpty ? "\"\"" : entry.text)
            text += "\(entry.key.name)\(padding) = \(value)  # \(entry.source)\n"
        }
        return text
    }
}
