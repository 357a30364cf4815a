import NginxLog
import Testing

@Suite struct LogFormatTests {
    private func literal(_ text: String) -> LogFormat.Segment { .literal(Array(text.utf8)) }

    @Test func combinedIsNginxsPredefinedFormat() {
        #expect(LogFormat.combined.name == "combined")
        #expect(LogFormat.combined.escaping == .default)
        #expect(
            LogFormat.combined.segments == [
                .variable(.remoteAddr), literal(" - "), .variable(.remoteUser), literal(" ["),
                .variable(.timeLocal), literal("] \""), .variable(.request), literal("\" "),
                .variable(.status), literal(" "), .variable(.bodyBytesSent), literal(" \""),
                .variable(.httpReferer), literal("\" \""), .variable(.httpUserAgent), literal("\""),
            ])
    }

    @Test func edgeAppendsHostTimesCacheAndLength() {
        let tail = Array(LogFormat.edge.segments.suffix(8))
        #expect(LogFormat.edge.name == "edge")
        #expect(Array(LogFormat.edge.segments.prefix(15)) == Array(LogFormat.combined.segments.prefix(15)))
        #expect(
            tail == [
                literal("\" "), .variable(.host), literal(" "), .variable(.requestTime), literal(" "),
                .variable(.upstreamCacheStatus), literal(" "), .variable(.requestLength),
            ])
    }

    @Test func configSyntaxConcatenatesPiecesLikeNginx() throws {
        let directive = try LogFormat(
            #"log_format main '$remote_addr - $remote_user [$time_local] "$request" '"#
                + "\n    '$status $body_bytes_sent \"$http_referer\" ' \"\\\"$http_user_agent\\\"\";")
        #expect(directive.name == "main")
        #expect(directive.segments == LogFormat.combined.segments)
    }

    /// nginx 1.22 accepts `#` comments between the pieces of a `log_format` (`nginx -t` passes
    /// and it logs the format without them); operators paste them with the directive.
    @Test func commentsBetweenPiecesAreSkippedLikeNginx() throws {
        let pasted = """
            # the format of /etc/nginx/nginx.conf
            log_format main '$remote_addr - $remote_user [$time_local] "$request" ' # first line
                            '$status $body_bytes_sent "$http_referer" '
                            # a whole comment line
                            '"$http_user_agent" "$http_x_forwarded_for"';
            """
        let format = try LogFormat(pasted)
        #expect(format.name == "main")
        let unquoted = try LogFormat(
            pattern: #"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "#
                + #""$http_referer" "$http_user_agent" "$http_x_forwarded_for""#)
        #expect(format.segments == unquoted.segments)
        // A `#` inside a piece is text.
        #expect(try LogFormat("'$status #1' x#y").segments == [.variable(.status), literal(" #1x#y")])
    }

    /// Format texts that start with a quoted variable are texts, not configuration pieces,
    /// unless every piece is quoted and the pieces compile.
    @Test func aFormatTextStartingWithADoubleQuoteIsTakenVerbatim() throws {
        let mixed = #""$time_local" client=$remote_addr "$request" $status"#
        #expect(try LogFormat(mixed).segments == (try LogFormat(pattern: mixed)).segments)
        let allQuoted = #""$request" "$status""#
        #expect(
            try LogFormat(allQuoted).segments == [
                literal("\""), .variable(.request), literal("\" \""), .variable(.status), literal("\""),
            ])
        // Every piece quoted and compiling: configuration syntax, as from nginx.conf.
        let pieces = #""$remote_addr - " "[$time_local] $status";"#
        #expect(
            try LogFormat(pieces).segments == [
                .variable(.remoteAddr), literal(" - ["), .variable(.timeLocal), literal("] "), .variable(.status),
            ])
        // Neither reading compiles: the pieces' error.
        #expect(throws: LogFormatError.self) { try LogFormat(#""$uri$args" $status"#) }
    }

    @Test func bareWordsAreConcatenatedWithoutSpaces() throws {
        let format = try LogFormat("escape=default $remote_addr - $status")
        #expect(format.segments == [.variable(.remoteAddr), literal("-"), .variable(.status)])
    }

    @Test func bracedNamesAndNameCharacters() throws {
        let format = try LogFormat(#"'${request_time}s $host_name ${http_x_forwarded_for}|$1'"#)
        #expect(
            format.segments == [
                .variable(.requestTime), literal("s "), .variable(.other("host_name")), literal(" "),
                .variable(.httpXForwardedFor), literal("|"), .variable(.other("1")),
            ])
    }

    /// nginx lower-cases variable names (`ngx_http_get_variable_index`): Debian's nginx 1.22
    /// logs `$Remote_Addr`, `$HTTP_REFERER` and `$Host` like their lower-case spellings.
    @Test func variableNamesAreCaseInsensitiveLikeNginx() throws {
        let format = try LogFormat(
            #"log_format upper '$Remote_Addr - $REMOTE_USER [$Time_Local] "$Request" $Status $Body_Bytes_Sent "#
                + #""$HTTP_REFERER" "$http_User_Agent" $Host ${Request_Time} $X_Custom';"#)
        #expect(
            format.segments == [
                .variable(.remoteAddr), literal(" - "), .variable(.remoteUser), literal(" ["),
                .variable(.timeLocal), literal("] \""), .variable(.request), literal("\" "),
                .variable(.status), literal(" "), .variable(.bodyBytesSent), literal(" \""),
                .variable(.httpReferer), literal("\" \""), .variable(.httpUserAgent), literal("\" "),
                .variable(.host), literal(" "), .variable(.requestTime), literal(" "), .variable(.other("x_custom")),
            ])
    }

    @Test(arguments: [
        ("escape=json '$status'", LogFormat.Escaping.json),
        ("escape=none '$status'", .none),
        ("log_format x escape=default '$status'", .default),
        ("'$status'", .default),
    ])
    func escapeParameter(source: String, escaping: LogFormat.Escaping) throws {
        #expect(try LogFormat(source).escaping == escaping)
    }

    @Test func patternIsTakenVerbatim() throws {
        let format = try LogFormat(pattern: #"$status 'x' "y""#, escaping: .json)
        #expect(format.segments == [.variable(.status), literal(#" 'x' "y""#)])
        #expect(format.escaping == .json)
    }

    @Test func selfDelimitingVariablesMayTouch() throws {
        let format = try LogFormat("$scheme://$host$request_uri")
        #expect(format.segments == [.variable(.scheme), literal("://"), .variable(.host), .variable(.requestURI)])
    }

    /// nginx's idiom `$uri$is_args$args` (`nginx -t` accepts it in a `log_format`) compiles;
    /// `$uri$args` without `$is_args` between them is still ambiguous.
    @Test func uriIsArgsArgsMayTouch() throws {
        let format = try LogFormat(#"'"$request_method $uri$is_args$args" $status'"#)
        #expect(
            format.segments == [
                literal("\""), .variable(.requestMethod), literal(" "), .variable(.uri), .variable(.other("is_args")),
                .variable(.args), literal("\" "), .variable(.status),
            ])
        #expect(throws: LogFormatError(.ambiguousAdjacentVariables(first: "uri", second: "args"), at: 5)) {
            try LogFormat("'$uri$args'")
        }
    }

    @Test(arguments: [
        (#"'$remote_addr "$request"#, LogFormatError(.unterminatedQuote, at: 0)),
        (#"'$status ${request_time'"#, LogFormatError(.unterminatedBrace, at: 9)),
        (#"'$status $ x'"#, LogFormatError(.emptyVariableName, at: 9)),
        (#"escape=xml '$status'"#, LogFormatError(.unknownEscape("xml"), at: 0)),
        (#"'$status$body_bytes_sent'"#, LogFormatError(.ambiguousAdjacentVariables(first: "status", second: "body_bytes_sent"), at: 8)),
        (#"log_format empty escape=json;"#, LogFormatError(.emptyFormat, at: 29)),
        ("", LogFormatError(.emptyFormat, at: 0)),
    ])
    func invalidSourcesGiveTypedErrorsWithPosition(source: String, error: LogFormatError) {
        #expect(throws: error) { try LogFormat(source) }
    }
}
