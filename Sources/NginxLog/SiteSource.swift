/// Where a record's site (virtual host) came from; see `LogParser` for the order of preference.
public enum SiteSource: UInt8, Sendable {
    /// No `$host` value, no configured label, no `$http_host` or `$server_name` value.
    case none = 0
    /// `ParsedLine.host`.
    case host = 1
    /// `LogParser.siteLabel`, configured for the file because its format has no (usable) `$host`.
    case configuredLabel = 2
    /// `ParsedLine.serverName`, the last resort.
    case serverName = 3
    /// `ParsedLine.httpHost` without its port (`LogParser.siteRange`), for formats with
    /// `$http_host` but no `$host`: the `Host` header as sent, so a record writer lower-cases it
    /// as nginx does for `$host`.
    case httpHost = 4
}
