/// A key's default as a typed value, so a configuration struct's memberwise defaults read the
/// key instead of writing the same default a second time; and typed values rendered as setting
/// text, so a key can take its default from the library that owns the setting
/// (`TailerConfiguration.defaultPollInterval`).
///
/// Defaults are constants in the source, never data from outside: one that does not parse as
/// its kind is a programmer error (each program's key list has a test that resolves every
/// default, and `ConfigurationResolver` refuses a bad default at start-up).
extension ConfigurationKey {
    public var defaultDuration: Duration { typedDefault(ValueText.duration) }
    public var defaultBytes: Int { typedDefault(ValueText.bytes) }
    public var defaultInt: Int { typedDefault(ValueText.integer) }
    public var defaultBool: Bool { typedDefault(ValueText.bool) }
    /// A duration default in whole milliseconds, for settings kept as `Int64` milliseconds.
    public var defaultMilliseconds: Int64 {
        let (seconds, attoseconds) = defaultDuration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    private func typedDefault<Value>(_ parse: (String) -> Value?) -> Value {
        guard let value = parse(defaultValue) else {
            preconditionFailure("the default \"\(defaultValue)\" of \(name) is not a \(kind)")
        }
        return value
    }
}

/// Typed values written the way a user writes them in a flag or config file.
public enum SettingText {
    /// The largest exact unit: `250ms`, `2s`, `24h`; `0` for zero.
    public static func duration(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        if nanoseconds == 0 { return "0" }
        let units: [(String, Int64)] = [
            ("d", 86_400_000_000_000), ("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000),
            ("ms", 1_000_000), ("us", 1_000),
        ]
        for (suffix, size) in units where nanoseconds % size == 0 {
            return "\(nanoseconds / size)\(suffix)"
        }
        return "\(nanoseconds)ns"
    }

    /// The largest exact binary unit: `64KiB`, `1MiB`; plain bytes otherwise.
    public static func bytes(_ count: Int) -> String {
        if count == 0 { return "0" }
        for (suffix, shift) in [("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)] where count % (1 << shift) == 0 {
            return "\(count >> shift)\(suffix)"
        }
        return "\(count)"
    }
}
