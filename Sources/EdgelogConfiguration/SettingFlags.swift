/// Command-line setting flags read against the declared keys, so an executable declares no
/// flag of its own: every key is `--name value` or `--name=value`, with the key's kind, default
/// and help coming from its one declaration (`ConfigurationKey`).
public enum SettingFlags {
    /// The values of the flags in `arguments`, by key name.
    ///
    /// - Throws: `.unknownFlag` for a flag no key declares (a typo would otherwise do nothing),
    ///   `.missingFlagValue` for a flag at the end without its value, `.unexpectedArgument` for a
    ///   word that is not a flag.
    public static func parse(
        _ arguments: [String],
        keys: [ConfigurationKey]
    ) throws(ConfigurationError) -> [String: String] {
        let names = Set(keys.map(\.name))
        var values: [String: String] = [:]
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw .unexpectedArgument(argument)
            }
            let flag = argument.dropFirst(2)
            let name: String
            let value: String
            if let equals = flag.firstIndex(of: "=") {
                name = String(flag[..<equals])
                value = String(flag[flag.index(after: equals)...])
            } else {
                name = String(flag)
                guard let next = remaining.popFirst() else { throw .missingFlagValue("--" + name) }
                value = next
            }
            guard names.contains(name) else { throw .unknownFlag("--" + name) }
            values[name] = value
        }
        return values
    }
}
