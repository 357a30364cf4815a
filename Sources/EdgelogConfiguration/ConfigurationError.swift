/// Why a configuration could not be resolved or read. Every case names what the user has to fix:
/// the key, the offending value and the source it came from (or the file path).
public enum ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A value does not parse as its key's kind.
    case invalidValue(key: String, value: String, source: ConfigurationSource, reason: String)
    /// The configuration file has a key no setting of this program declares (a typo would
    /// otherwise silently do nothing).
    case unknownKeyInFile(key: String, path: String)
    /// The configuration file could not be read.
    case unreadableFile(path: String, reason: String)
    /// The configuration file is not a JSON object of strings, numbers, booleans and arrays of those.
    case malformedFile(path: String, reason: String)
    /// The program passed or asked for a key it did not declare, or declared one twice
    /// (a programming error surfaced as an error rather than a crash).
    case undeclaredKey(String)
    case duplicateKey(String)
    /// A command-line flag that names no setting of this program.
    case unknownFlag(String)
    /// A setting flag given last, without its value.
    case missingFlagValue(String)
    /// A command-line word that is not a `--setting`.
    case unexpectedArgument(String)

    public var description: String {
        switch self {
        case .invalidValue(let key, let value, let source, let reason):
            "configuration: \(key) = \"\(value)\" from \(source) is \(reason)"
        case .unknownKeyInFile(let key, let path):
            "configuration: unknown key \"\(key)\" in \(path)"
        case .unreadableFile(let path, let reason):
            "configuration: cannot read \(path): \(reason)"
        case .malformedFile(let path, let reason):
            "configuration: \(path) is not a valid configuration file: \(reason)"
        case .undeclaredKey(let key):
            "configuration: key \"\(key)\" is not declared by this program"
        case .duplicateKey(let key):
            "configuration: key \"\(key)\" is declared twice"
        case .unknownFlag(let flag):
            "configuration: unknown setting \(flag) (see --help for every setting)"
        case .missingFlagValue(let flag):
            "configuration: \(flag) needs a value"
        case .unexpectedArgument(let word):
            "configuration: unexpected argument \"\(word)\" (settings are --name value)"
        }
    }
}
