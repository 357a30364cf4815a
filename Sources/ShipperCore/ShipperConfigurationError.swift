/// A shipper setting that cannot work, found at start-up before anything is read or sent.
public struct ShipperConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// No `files` were given: there is nothing to ship.
        case noFiles
        /// A `files` entry is not `path[:format-name][@site]` with a non-empty path.
        case invalidFileEntry(String)
        /// A format name in a `files` entry is not a built-in format (`combined`, `edge`).
        case unknownFormatName(String)
        /// The `format` setting (or a built-in) does not compile as an nginx `log_format`.
        case invalidLogFormat(String)
        /// The `format` setting holds no variable: it is the name of a format of `nginx.conf`
        /// (`main`), which the shipper cannot read, not the format's text.
        case formatWithoutVariables(String)
        /// A number that must be positive (or within a range) is not.
        case outOfRange(key: String, value: String, expected: String)
    }

    public var code: Code

    public init(_ code: Code) {
        self.code = code
    }

    public var description: String {
        switch code {
        case .noFiles:
            "no files to ship: give --files (or \"files\" in the config file)"
        case .invalidFileEntry(let entry):
            "files entry \"\(entry)\" is not path[:format-name][@site]"
        case .unknownFormatName(let name):
            "unknown log format name \"\(name)\" (built-in: combined, edge; put a log_format text in --format)"
        case .invalidLogFormat(let reason):
            "log format does not compile: \(reason)"
        case .formatWithoutVariables(let format):
            "log format \"\(format)\" has no nginx variable: give a built-in name (combined, edge) or the "
                + "log_format directive copied from nginx.conf (log_format main '$remote_addr ...';)"
        case .outOfRange(let key, let value, let expected):
            "\(key) = \(value): expected \(expected)"
        }
    }
}
