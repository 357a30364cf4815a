/// `--name value` options of a benchmark over a table of defaults: every name must be one of
/// the defaults' keys, and every flag takes a value. Shared by the benches that run the
/// release executables.
public enum BenchOptions {
    /// The defaults with the command line's values over them.
    /// - Throws: `BenchmarkFile.Failure` with the usage line for an unknown flag or a missing value.
    public static func parse(
        _ defaults: [String: String], program: String, arguments: [String] = Array(CommandLine.arguments.dropFirst())
    ) throws -> [String: String] {
        var options = defaults
        var remaining = arguments[...]
        while let flag = remaining.popFirst() {
            let name = String(flag.dropFirst(2))
            guard flag.hasPrefix("--"), let value = remaining.popFirst(), options[name] != nil else {
                throw BenchmarkFile.Failure(
                    description: "usage: \(program) [--\(options.keys.sorted().joined(separator: " X] [--")) X]")
            }
            options[name] = value
        }
        return options
    }
}
