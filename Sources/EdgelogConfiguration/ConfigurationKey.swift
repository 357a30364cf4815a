import Foundation

/// One setting a program accepts, declared once and read from every configuration source.
///
/// Every edgelog executable declares its settings as a list of keys. The same key is then
/// accepted as a command-line flag (`--metrics-port`), an environment variable
/// (`EDGELOG_METRICS_PORT`), a key in the JSON configuration file (`"metrics-port"`) and falls
/// back to ``defaultValue``; ``ConfigurationResolver`` applies that precedence.
///
/// Invariant: ``name`` is non-empty and made of lowercase ASCII letters, digits and `-`, not
/// starting with `-`, so that the flag, environment and file spellings are all derivable from it.
/// Keys are compared by name only: two keys with the same name are the same setting.
public struct ConfigurationKey: Sendable, Hashable, CustomStringConvertible {
    /// The setting's name, e.g. `metrics-port`; also the flag (`--metrics-port`) and the file key.
    public let name: String
    /// How the value text is checked when the configuration is resolved.
    public let kind: ConfigurationValueKind
    /// The value used when no flag, environment variable or file sets the key, in the same
    /// textual form a user would write (`"9100"`, `"5s"`, `"64KiB"`, `""` for an empty value).
    public let defaultValue: String
    /// One-line help shown in `--help` discussions and generated documentation.
    public let help: String
    /// When true, `--print-config` shows `<redacted>` instead of the value (passwords, DSNs).
    public let isSecret: Bool

    /// Declares a setting.
    /// - Precondition: `name` matches `[a-z0-9][a-z0-9-]*` (a programmer error otherwise: names
    ///   are compile-time constants, never data from outside).
    public init(
        _ name: String,
        kind: ConfigurationValueKind,
        default defaultValue: String,
        help: String,
        isSecret: Bool = false
    ) {
        precondition(Self.isValidName(name), "configuration key name '\(name)' must match [a-z0-9][a-z0-9-]*")
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.help = help
        self.isSecret = isSecret
    }

    /// The same setting with another default, so a program can give a shared key (for example
    /// ``metricsPort``) its own default port.
    public func withDefault(_ defaultValue: String) -> ConfigurationKey {
        ConfigurationKey(name, kind: kind, default: defaultValue, help: help, isSecret: isSecret)
    }

    /// The environment variable that sets this key: `EDGELOG_` + name uppercased, `-` → `_`.
    public var environmentName: String {
        ConfigurationResolver.environmentPrefix + name.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// The command-line flag that sets this key, e.g. `--metrics-port`.
    public var flagName: String { "--" + name }

    public var description: String { name }

    public static func == (lhs: ConfigurationKey, rhs: ConfigurationKey) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    private static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first != UInt8(ascii: "-") else { return false }
        return name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-")
        }
    }

    /// A reference text for a list of keys, one paragraph per key, for `--help` discussions and
    /// docs: `name (kind, default "x", env EDGELOG_NAME)` then the help text.
    public static func documentation(for keys: [ConfigurationKey]) -> String {
        keys.sorted { $0.name < $1.name }.map { key in
            let shownDefault = key.isSecret ? "<redacted>" : "\"\(key.defaultValue)\""
            return "\(key.name) (\(key.kind), default \(shownDefault), env \(key.environmentName))\n  \(key.help)"
        }.joined(separator: "\n")
    }
}

// MARK: - Keys every executable shares

extension ConfigurationKey {
    /// `log-level`: the lowest swift-log level written (trace … critical). Default `info`.
    public static let logLevel = ConfigurationKey(
        "log-level",
        kind: .choice(["trace", "debug", "info", "notice", "warning", "error", "critical"]),
        default: "info",
        help: "Lowest log level written to stderr."
    )
    /// `log-format`: `text` (swift-log's `key=value` lines) or `json` (one JSON object per line).
    public static let logFormat = ConfigurationKey(
        "log-format",
        kind: .choice(["text", "json"]),
        default: "text",
        help: "Log line format on stderr: text or json."
    )
    /// `metrics-host`: the address `/metrics` and `/health` listen on. Default loopback, so an
    /// unconfigured process does not expose itself; set `0.0.0.0` for a remote Prometheus.
    public static let metricsHost = ConfigurationKey(
        "metrics-host",
        kind: .string,
        default: "127.0.0.1",
        help: "Address the /metrics and /health endpoint listens on."
    )
    /// `metrics-port`: the TCP port of `/metrics` and `/health`; `0` picks an ephemeral port
    /// (tests). Programs override the default with ``withDefault(_:)``.
    public static let metricsPort = ConfigurationKey(
        "metrics-port",
        kind: .port,
        default: "9100",
        help: "TCP port of the /metrics and /health endpoint (0 = any free port)."
    )
    /// `shutdown-timeout`: how long services may flush after SIGTERM/SIGINT before they are
    /// cancelled. Keep it below systemd's `TimeoutStopSec`.
    public static let shutdownTimeout = ConfigurationKey(
        "shutdown-timeout",
        kind: .duration,
        default: "30s",
        help: "Time services get to flush after SIGTERM/SIGINT before they are cancelled."
    )

    /// The keys ``RuntimeOptions`` handles for every executable.
    public static let runtimeKeys: [ConfigurationKey] = [.logLevel, .logFormat, .metricsHost, .metricsPort, .shutdownTimeout]
}
