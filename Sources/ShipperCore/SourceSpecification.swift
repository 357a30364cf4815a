import LogTailing
import NginxLog

/// One `files` entry as an operator writes it, `path[:format-name][@site]`, turned into a
/// `LogSource`.
///
/// - `path` is a file or a `glob(3)` pattern (`/var/log/nginx/*.access.log`).
/// - `:format-name` names a built-in format (`combined`, `edge`); without it the file uses the
///   `format` setting (a name or a whole `log_format` text, default `combined`).
/// - `@site` labels every line of the file with a site, for formats without `$host`; without it
///   the `site-label` setting applies (empty: none).
///
/// The suffixes are recognised only after the last `/`, so directories may contain `:` and `@`;
/// a file name that itself contains `:` or `@` cannot be given this way (use a glob).
public enum SourceSpecification {
    /// The built-in formats a `files` entry can name.
    public static let builtInFormats: [String: LogFormat] = ["combined": .combined, "edge": .edge]

    /// Parses one entry; `defaultFormat` and `defaultSite` fill what the entry leaves out.
    public static func parse(
        _ entry: String,
        defaultFormat: String,
        defaultSite: String?
    ) throws(ShipperConfigurationError) -> LogSource {
        var rest = Substring(entry)
        let nameStart = rest.lastIndex(of: "/").map { rest.index(after: $0) } ?? rest.startIndex
        var site = defaultSite
        if let at = rest[nameStart...].lastIndex(of: "@") {
            let label = rest[rest.index(after: at)...]
            guard !label.isEmpty else { throw ShipperConfigurationError(.invalidFileEntry(entry)) }
            site = String(label)
            rest = rest[..<at]
        }
        var format = defaultFormat
        if let colon = rest[nameStart...].lastIndex(of: ":") {
            let name = String(rest[rest.index(after: colon)...])
            guard builtInFormats[name] != nil else { throw ShipperConfigurationError(.unknownFormatName(name)) }
            format = name
            rest = rest[..<colon]
        }
        guard !rest.isEmpty else { throw ShipperConfigurationError(.invalidFileEntry(entry)) }
        return LogSource(pattern: String(rest), logFormat: format, siteLabel: site)
    }

    /// The compiled format of a source: a built-in by name, else the `log_format` text. A text
    /// without any variable is refused: it is a format's name from `nginx.conf` (`main`), which
    /// would compile to a literal that no line matches.
    public static func logFormat(of source: LogSource) throws(ShipperConfigurationError) -> LogFormat {
        if let builtIn = builtInFormats[source.logFormat] { return builtIn }
        let format: LogFormat
        do {
            format = try LogFormat(source.logFormat)
        } catch {
            throw ShipperConfigurationError(.invalidLogFormat("\(error)"))
        }
        guard !format.variables.isEmpty else {
            throw ShipperConfigurationError(.formatWithoutVariables(source.logFormat))
        }
        return format
    }
}
