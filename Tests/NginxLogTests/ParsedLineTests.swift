import Testing

@testable import NginxLog

@Suite struct ParsedLineTests {
    /// Every stored property by name, as text (`Mirror` sees internal ones too).
    private static func fields(_ parsed: ParsedLine) -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: Mirror(reflecting: parsed).children.map { (String($0.label ?? "?"), String(reflecting: $0.value)) })
    }

    /// `reset` sets each stored property back to the value of a fresh `ParsedLine`, except the
    /// time cache (kept on purpose) and `extras` (emptied, capacity kept). The line fills every
    /// field first, so a property `reset` forgot would keep the line's value and differ.
    @Test func resetGivesEveryPropertyItsInitialValue() throws {
        let format = try LogFormat(
            "'$remote_addr $remote_user [$time_local] \"$request\" $status $body_bytes_sent $bytes_sent $request_length "
                + "\"$http_referer\" \"$http_user_agent\" \"$http_x_forwarded_for\" $host $http_host $server_name $scheme $request_time "
                + "\"$upstream_response_time\" $upstream_cache_status $request_uri $uri $args $request_method $server_protocol "
                + "$msec $my_extra'")
        let line = Array(
            ("192.0.2.1 alice [28/Nov/2026:18:19:42 +0100] \"GET /a?b HTTP/1.1\" 200 5 300 77 \"http://r/\" \"UA\" \"10.0.0.1\" "
                + "h.example H.example:81 srv https 0.005 \"0.003\" HIT /a?b /a b GET HTTP/1.1 1764353982.123 xyz").utf8)
        let parser = LogParser(format: format)
        var parsed = ParsedLine()
        try #require(line.withUnsafeBytes { parser.parse(line: $0, into: &parsed) })
        parsed.parseError = .emptyLine
        let fresh = Self.fields(ParsedLine())
        let kept: Set = ["timeLocalCache", "extras"]
        let filled = Self.fields(parsed).filter { !kept.contains($0.key) && fresh[$0.key] != $0.value }
        #expect(filled.count == fresh.count - kept.count, "\(filled.keys.sorted())")
        #expect(!parsed.extras.isEmpty)

        parsed.reset()
        let after = Self.fields(parsed)
        #expect(Set(after.keys) == Set(fresh.keys))
        for (name, value) in fresh where !kept.contains(name) {
            #expect(after[name] == value, "\(name)")
        }
        #expect(parsed.extras.isEmpty && parsed.extras.capacity > 0)
    }
}
