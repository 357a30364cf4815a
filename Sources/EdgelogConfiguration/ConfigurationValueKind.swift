import Foundation

/// What text a setting accepts. Values are checked once, when the configuration is resolved, so a
/// bad value stops the program at start-up with an error naming the key and its source.
///
/// Accepted forms (whitespace around the value is not trimmed and is an error for non-strings):
/// - `string`: any text, including empty.
/// - `int`: a decimal integer that fits in `Int`, optional leading `-` or `+`.
/// - `port`: an integer in 0...65535 (0 asks the OS for a free port).
/// - `bool`: `true`/`false`, `yes`/`no`, `on`/`off`, `1`/`0` (case-insensitive).
/// - `duration`: a non-negative integer followed by `ns`, `us`, `ms`, `s`, `m`, `h` or `d` (days)
///   (`100ms`, `5s`, `24h`); a bare `0` is allowed.
/// - `bytes`: a non-negative integer optionally followed by `B`, `KiB`, `MiB`, `GiB`, `TiB`
///   (powers of 1024) or `kB`, `MB`, `GB`, `TB` (powers of 1000): `64KiB`, `1MiB`, `4096`.
/// - `list`: comma-separated items, each trimmed of spaces; empty items are dropped, so `""` is
///   the empty list.
/// - `choice`: exactly one of the listed words (case-sensitive).
public enum ConfigurationValueKind: Sendable, Hashable, CustomStringConvertible {
    case string
    case int
    case port
    case bool
    case duration
    case bytes
    case list
    case choice([String])

    public var description: String {
        switch self {
        case .string: "string"
        case .int: "int"
        case .port: "port"
        case .bool: "bool"
        case .duration: "duration"
        case .bytes: "bytes"
        case .list: "list"
        case .choice(let words): words.joined(separator: "|")
        }
    }

    /// Why `text` is not a valid value of this kind, or nil when it is.
    func problem(with text: String) -> String? {
        switch self {
        case .string, .list:
            return nil
        case .int:
            return ValueText.integer(text) == nil ? "not an integer" : nil
        case .port:
            guard let port = ValueText.integer(text), (0...65535).contains(port) else {
                return "not a port number (0...65535)"
            }
            return nil
        case .bool:
            return ValueText.bool(text) == nil ? "not a boolean (true/false, yes/no, on/off, 1/0)" : nil
        case .duration:
            return ValueText.duration(text) == nil ? "not a duration (e.g. 100ms, 5s, 1m, 24h)" : nil
        case .bytes:
            return ValueText.bytes(text) == nil ? "not a byte size (e.g. 4096, 64KiB, 1MiB)" : nil
        case .choice(let words):
            return words.contains(text) ? nil : "not one of \(words.joined(separator: ", "))"
        }
    }
}

/// Parsers for the textual value forms documented on ``ConfigurationValueKind``. Each returns nil
/// on malformed or overflowing input, never traps.
enum ValueText {
    static func integer(_ text: String) -> Int? { Int(text) }

    static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on", "1": true
        case "false", "no", "off", "0": false
        default: nil
        }
    }

    static func list(_ text: String) -> [String] {
        text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    static func duration(_ text: String) -> Duration? {
        if text == "0" { return .zero }
        guard let (amount, unit) = splitAmount(text), let amount else { return nil }
        let nanosecondsPerUnit: Int64
        switch unit {
        case "ns": nanosecondsPerUnit = 1
        case "us": nanosecondsPerUnit = 1_000
        case "ms": nanosecondsPerUnit = 1_000_000
        case "s": nanosecondsPerUnit = 1_000_000_000
        case "m": nanosecondsPerUnit = 60 * 1_000_000_000
        case "h": nanosecondsPerUnit = 3_600 * 1_000_000_000
        case "d": nanosecondsPerUnit = 86_400 * 1_000_000_000
        default: return nil
        }
        let (nanoseconds, overflow) = amount.multipliedReportingOverflow(by: nanosecondsPerUnit)
        return overflow ? nil : .nanoseconds(nanoseconds)
    }

    static func bytes(_ text: String) -> Int? {
        guard let (amount, unit) = splitAmount(text), let amount else { return nil }
        let multiplier: Int64
        switch unit {
        case "", "B": multiplier = 1
        case "KiB": multiplier = 1 << 10
        case "MiB": multiplier = 1 << 20
        case "GiB": multiplier = 1 << 30
        case "TiB": multiplier = 1 << 40
        case "kB": multiplier = 1_000
        case "MB": multiplier = 1_000_000
        case "GB": multiplier = 1_000_000_000
        case "TB": multiplier = 1_000_000_000_000
        default: return nil
        }
        let (total, overflow) = amount.multipliedReportingOverflow(by: multiplier)
        guard !overflow, let result = Int(exactly: total) else { return nil }
        return result
    }

    /// Splits `"64KiB"` into `(64, "KiB")`. The amount is nil when the digits overflow `Int64`;
    /// the whole result is nil when there are no leading digits.
    private static func splitAmount(_ text: String) -> (Int64?, Substring)? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty else { return nil }
        return (Int64(digits), text[digits.endIndex...])
    }
}
