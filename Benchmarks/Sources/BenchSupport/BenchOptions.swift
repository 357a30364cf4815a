import Foundation

/// `--name value` options of a benchmark over a table of defaults: every name must be one of
/// the defaults' keys, and every flag takes a value. Shared by the benches that run the
/// release executables.
public enum BenchOptions {
    /// The defaults with the command line's values over them.
    /// An unknown flag or a missing value prints the usage and exits 2; `--help` prints it and
    /// exits 0. (`throws` is kept for the callers.)
    public static func parse(
        _ defaults: [String: String], program: String, arguments: [String] = Array(CommandLine.arguments.dropFirst())
    ) throws -> [String: String] {
        var options = defaults
        var remaining = arguments[...]
        let usage = "usage: \(program) [--\(options.keys.sorted().joined(separator: " X] [--")) X]\n"
        while let flag = remaining.popFirst() {
            // --help, and anything not understood, prints the usage and exits (0 and 2), rather
            // than trapping on an error thrown out of main.
            if flag == "--help" || flag == "-h" {
                FileHandle.standardOutput.write(Data(usage.utf8))
                exit(0)
            }
            let name = String(flag.dropFirst(2))
            guard flag.hasPrefix("--"), let value = remaining.popFirst(), options[name] != nil else {
                FileHandle.standardError.write(Data(("\(program): cannot read \(flag)\n" + usage).utf8))
                exit(2)
            }
            options[name] = value
        }
        return options
    }
}
