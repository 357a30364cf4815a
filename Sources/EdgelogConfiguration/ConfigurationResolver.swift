/// Resolves a program's settings from its four sources, highest precedence first:
///
/// 1. command-line flags the user actually passed (`--metrics-port 9100`),
/// 2. environment variables (`EDGELOG_METRICS_PORT=9100`),
/// 3. the JSON configuration file named by `--config` or, failing that, `EDGELOG_CONFIG`
///    (see ``ConfigurationFile`` for the format),
/// 4. each key's declared default.
///
/// Every value is validated against its key's kind here, so a bad value fails at start-up with an
/// error naming key, value and source, and never later in the middle of a run.
///
/// Unknown `EDGELOG_*` environment variables are ignored, because the environment is shared by all
/// edgelog programs; unknown keys in the configuration file are errors, because a file belongs to
/// one program and a misspelled key would otherwise silently do nothing.
public enum ConfigurationResolver {
    /// Prefix of every environment variable that sets a key.
    public static let environmentPrefix = "EDGELOG_"
    /// Environment variable naming the configuration file when `--config` is not given.
    public static let configFileVariable = "EDGELOG_CONFIG"

    /// Resolves `keys`.
    /// - Parameters:
    ///   - keys: every setting the program declares (names must be unique).
    ///   - flags: key name → value text, only for flags the user passed on the command line.
    ///   - environment: the process environment (injected so tests need not mutate the real one).
    ///   - configFile: the path given with `--config`, if any; otherwise `EDGELOG_CONFIG` is used.
    public static func resolve(
        keys: [ConfigurationKey],
        flags: [String: String] = [:],
        environment: [String: String],
        configFile: String? = nil
    ) throws(ConfigurationError) -> ResolvedConfiguration {
        var declared: [String: ConfigurationKey] = [:]
        for key in keys {
            guard declared.updateValue(key, forKey: key.name) == nil else { throw .duplicateKey(key.name) }
        }
        for name in flags.keys where declared[name] == nil {
            throw .undeclaredKey(name)
        }

        let filePath = configFile ?? environment[configFileVariable]
        let file = try filePath.map { path throws(ConfigurationError) in try ConfigurationFile.load(path: path) }
        if let file, let unknown = file.values.keys.sorted().first(where: { declared[$0] == nil }) {
            throw .unknownKeyInFile(key: unknown, path: file.path)
        }

        var entries: [String: ResolvedConfiguration.Entry] = [:]
        for key in keys {
            let text: String
            let source: ConfigurationSource
            if let value = flags[key.name] {
                (text, source) = (value, .flag(key.flagName))
            } else if let value = environment[key.environmentName] {
                (text, source) = (value, .environment(key.environmentName))
            } else if let file, let value = file.values[key.name] {
                (text, source) = (value, .file(file.path))
            } else {
                (text, source) = (key.defaultValue, .default)
            }
            if let reason = key.kind.problem(with: text) {
                throw .invalidValue(key: key.name, value: text, source: source, reason: reason)
            }
            entries[key.name] = ResolvedConfiguration.Entry(key: key, text: text, source: source)
        }
        return ResolvedConfiguration(entries: entries, configFile: file?.path)
    }
}
