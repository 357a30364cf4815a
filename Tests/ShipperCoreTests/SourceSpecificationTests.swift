import LogTailing
import NginxLog
import Testing

@testable import ShipperCore

@Suite struct SourceSpecificationTests {
    @Test(
        arguments: [
            ("/var/log/nginx/access.log", "/var/log/nginx/access.log", "combined", nil),
            ("/var/log/nginx/access.log:edge", "/var/log/nginx/access.log", "edge", nil),
            ("/var/log/nginx/shop.log:combined@shop.example", "/var/log/nginx/shop.log", "combined", "shop.example"),
            ("/var/log/nginx/shop.log@shop.example", "/var/log/nginx/shop.log", "combined", "shop.example"),
            ("/srv/a:b@c/logs/*.log:edge", "/srv/a:b@c/logs/*.log", "edge", nil),
            ("relative.log", "relative.log", "combined", nil),
        ] as [(String, String, String, String?)]
    )
    func parsesPathFormatAndSite(entry: String, pattern: String, format: String, site: String?) throws {
        let source = try SourceSpecification.parse(entry, defaultFormat: "combined", defaultSite: nil)
        #expect(source == LogSource(pattern: pattern, logFormat: format, siteLabel: site))
    }

    @Test func defaultsFillWhatTheEntryLeavesOut() throws {
        let custom = #"$remote_addr [$time_local] "$request" $status"#
        let source = try SourceSpecification.parse("/l/a.log", defaultFormat: custom, defaultSite: "x.example")
        #expect(source == LogSource(pattern: "/l/a.log", logFormat: custom, siteLabel: "x.example"))
        #expect(try SourceSpecification.logFormat(of: source) == LogFormat(custom))
    }

    @Test(arguments: ["", ":edge", "@site", "/l/a.log@", "/l/a.log:json"])
    func rejectsEntriesThatAreNotFiles(entry: String) {
        #expect(throws: ShipperConfigurationError.self) {
            try SourceSpecification.parse(entry, defaultFormat: "combined", defaultSite: nil)
        }
    }

    @Test func builtInNamesCompileToTheBuiltInFormats() throws {
        #expect(try SourceSpecification.logFormat(of: LogSource(pattern: "a", logFormat: "edge")) == .edge)
        #expect(try SourceSpecification.logFormat(of: LogSource(pattern: "a")) == .combined)
        #expect(throws: ShipperConfigurationError.self) {
            try SourceSpecification.logFormat(of: LogSource(pattern: "a", logFormat: "'$unclosed"))
        }
    }

    /// `main` is the format nginx.org's nginx.conf defines: as the `format` setting it used to
    /// compile to the literal text "main", and every line shipped unparsed without a word.
    @Test(arguments: ["main", "json", "'main'", "log_format main 'no variables';"])
    func aFormatNameFromNginxConfIsRefused(format: String) {
        #expect(throws: ShipperConfigurationError(.formatWithoutVariables(format))) {
            try SourceSpecification.logFormat(of: LogSource(pattern: "a", logFormat: format))
        }
    }

    @Test func aPastedDirectiveIsTheFormat() throws {
        let pasted = """
            log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                              '$status $body_bytes_sent "$http_referer" '
                              '"$http_user_agent" "$http_x_forwarded_for"';
            """
        let format = try SourceSpecification.logFormat(of: LogSource(pattern: "a", logFormat: pasted))
        #expect(format.name == "main")
        #expect(format.variables.last == .httpXForwardedFor)
    }
}
