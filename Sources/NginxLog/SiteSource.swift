/// Where a record's site (virtual host) came from; see `LogParser` for the order of preference.
public enum SiteSource: UInt8, Sendable {
    /// No `$host` value, no configured label, no `$server_name` value.
    case none = 0
    /// `ParsedLine.host`.
    case host = 1
    /// `LogParser.siteLabel`, configured for the file because its format has no (usable) `$host`.
    case configuredLabel = 2
    /// `ParsedLine.serverName`, the last resort.
    case serverName = 3
}
