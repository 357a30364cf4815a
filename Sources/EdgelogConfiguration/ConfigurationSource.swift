/// Where a resolved setting's value came from, highest precedence first. Shown by
/// `--print-config` and in every ``ConfigurationError`` so a user knows which place to fix.
public enum ConfigurationSource: Sendable, Hashable, CustomStringConvertible {
    /// A command-line flag the user actually passed, e.g. `--metrics-port`.
    case flag(String)
    /// An environment variable, e.g. `EDGELOG_METRICS_PORT`.
    case environment(String)
    /// The JSON configuration file at this path.
    case file(String)
    /// The key's declared default.
    case `default`

    public var description: String {
        switch self {
        case .flag(let flag): "flag \(flag)"
        case .environment(let variable): "env \(variable)"
        case .file(let path): "file \(path)"
        case .default: "default"
        }
    }
}
