import PipelineTestSupport
import Foundation
import NginxLog
import Testing

// The table of tricky lines (issue 3 item 1). Every expected field is written by hand from
// reading the line; times are converted to UTC by Foundation, addresses by inet_pton.

/// Which format a case is parsed with.
enum FormatChoice: Sendable {
    case combined
    case edge
    case source(String)
}

struct ExpectedExtra: Sendable, Equatable, CustomStringConvertible {
    var name: String
    var value: Bytes
    var description: String { "\(name)=\(value)" }
}

enum ExpectedTime: Sendable {
    /// The wall time and offset as written in the line.
    case wall(WallTime)
    /// The wall time as written, plus the UTC civil time worked out by hand, both checked.
    case wallAndUTC(WallTime, utc: WallTime)
    case micros(Int64)
}

/// Every field the parser fills; defaults are the absent values.
struct Expected: Sendable {
    var error: LineParseError?
    var client: String?
    var remoteAddr: Bytes?
    var remoteUser: Bytes = ""
    var time: ExpectedTime?
    var utcOffsetMinutes: Int16 = 0
    var method: HTTPMethod = .other
    var methodText: Bytes = ""
    var target: Bytes = ""
    var path: Bytes = ""
    var query: Bytes = ""
    var protocolVersion: HTTPProtocolVersion = .unknown
    var status: UInt16 = 0
    var bodyBytesSent: UInt64 = 0
    var referer: Bytes = ""
    var userAgent: Bytes = ""
    var host: Bytes = ""
    var siteSource: SiteSource = .none
    var site: Bytes = ""
    var requestTimeMicros: UInt64?
    var upstreamResponseTimeMicros: UInt64?
    var upstreamCacheStatus: UpstreamCacheStatus = .none
    var requestLength: UInt64 = 0
    var scheme: Bytes = ""
    var forwardedFor: Bytes = ""
    var extras: [ExpectedExtra] = []
}

struct TrickyLine: Sendable, CustomTestStringConvertible {
    var name: String
    var format: FormatChoice = .combined
    var siteLabel: String?
    var line: Bytes
    var expected: Expected

    var testDescription: String { name }

    /// The parser the case is written for.
    func makeParser() throws -> LogParser {
        let format: LogFormat =
            switch format {
            case .combined: .combined
            case .edge: .edge
            case .source(let source): try LogFormat(source)
            }
        return LogParser(format: format, siteLabel: siteLabel)
    }
}

private let longPath = "/" + String(repeating: "a", count: 5000)
private let tlsHello: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x03, 0x03]
private let rdpProbe: [UInt8] = [0x03, 0x00, 0x00, 0x2F, 0x2A, 0xE0, 0x00, 0x00, 0x00, 0x00, 0x00]
private let combinedNone =
    #"escape=none '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "#
    + #""$http_referer" "$http_user_agent"'"#

let trickyLines: [TrickyLine] = [
    TrickyLine(
        name: "plain combined",
        line: #"203.0.113.7 - - [28/Nov/2026:18:19:42 +0000] "GET /index.html HTTP/1.1" 200 612 "https://ref.example/" "Mozilla/5.0 (X11; Linux x86_64)""#,
        expected: Expected(
            client: "203.0.113.7", time: .wall(WallTime(2026, 11, 28, 18, 19, 42, offset: 0)),
            method: .get, methodText: "GET", target: "/index.html", path: "/index.html",
            protocolVersion: .http11, status: 200, bodyBytesSent: 612,
            referer: "https://ref.example/", userAgent: "Mozilla/5.0 (X11; Linux x86_64)")),
    TrickyLine(
        name: "edge with user, query, HTTP/2 and cache MISS",
        format: .edge,
        line: #"198.51.100.23 - alice [28/Nov/2026:18:19:42 +0100] "POST /api/v1/items?id=7&x=1 HTTP/2.0" 201 34 "-" "curl/8.5.0" shop.example 0.123 MISS 512"#,
        expected: Expected(
            client: "198.51.100.23", remoteUser: "alice",
            time: .wallAndUTC(WallTime(2026, 11, 28, 18, 19, 42, offset: 60), utc: WallTime(2026, 11, 28, 17, 19, 42, offset: 0)),
            utcOffsetMinutes: 60, method: .post, methodText: "POST", target: "/api/v1/items?id=7&x=1",
            path: "/api/v1/items", query: "id=7&x=1", protocolVersion: .http2, status: 201, bodyBytesSent: 34,
            userAgent: "curl/8.5.0", host: "shop.example", siteSource: .host, site: "shop.example",
            requestTimeMicros: 123_000, upstreamCacheStatus: .miss, requestLength: 512)),
    TrickyLine(
        name: "IPv6 client",
        format: .edge,
        line: #"2001:db8::1 - - [28/Nov/2026:18:19:42 +0000] "HEAD / HTTP/1.1" 304 0 "-" "Wget/1.21" www.example 0.000 HIT 87"#,
        expected: Expected(
            client: "2001:db8::1", time: .wall(WallTime(2026, 11, 28, 18, 19, 42, offset: 0)),
            method: .head, methodText: "HEAD", target: "/", path: "/", protocolVersion: .http11, status: 304,
            userAgent: "Wget/1.21", host: "www.example", siteSource: .host, site: "www.example",
            requestTimeMicros: 0, upstreamCacheStatus: .hit, requestLength: 87)),
    TrickyLine(
        name: "IPv4-mapped IPv6 client",
        line: #"::ffff:192.0.2.128 - - [28/Nov/2026:18:19:42 +0000] "GET / HTTP/1.0" 200 1 "-" "-""#,
        expected: Expected(
            client: "::ffff:192.0.2.128", time: .wall(WallTime(2026, 11, 28, 18, 19, 42, offset: 0)),
            method: .get, methodText: "GET", target: "/", path: "/", protocolVersion: .http10, status: 200,
            bodyBytesSent: 1)),
    TrickyLine(
        name: "unix socket client is no address",
        line: #"unix: - - [28/Nov/2026:18:19:42 +0000] "GET / HTTP/1.1" 200 1 "-" "-""#,
        expected: Expected(
            client: nil, remoteAddr: "unix:", time: .wall(WallTime(2026, 11, 28, 18, 19, 42, offset: 0)),
            method: .get, methodText: "GET", target: "/", path: "/", protocolVersion: .http11, status: 200,
            bodyBytesSent: 1)),
    TrickyLine(
        name: #"\x22 quote and \x5C backslash in user agent"#,
        line: #"192.0.2.1 - - [28/Nov/2026:18:19:42 +0000] "GET / HTTP/1.1" 200 5 "-" "Mozilla \x22quoted\x22 back\x5Cslash""#,
        expected: Expected(
            client: "192.0.2.1", time: .wall(WallTime(2026, 11, 28, 18, 19, 42, offset: 0)),
            method: .get, methodText: "GET", target: "/", path: "/", protocolVersion: .http11, status: 200,
            bodyBytesSent: 5, userAgent: #"Mozilla "quoted" back\slash"#)),
    TrickyLine(
        name: #"caf\xC3\xA9 path"#,
        line: #"192.0.2.1 - - [28/Nov/2026:18:19:42 +0000] "GET /caf\xC3\xA9/menu?lang=fr HTTP/1.1" 200 5 "-" "-""#,
        expected: Expected(
            client: "192.0.2.1", time: .wall(WallTime(2026, 11, 28, 18, 19, 42, offset: 0)),
            method: .get, methodText: "GET", target: "/café/menu?lang=fr", path: "/café/menu", query: "lang=fr",
            protocolVersion: .http11, status: 200, bodyBytesSent: 5)),
    TrickyLine(
        name: "spaces in the request target",
        line: #"192.0.2.1 - - [28/Nov/2026:18:19:42 +0000] "GET /a b?c d HTTP/1.1" 400 150 "-" "-""#,
        expected: Expected(
            client: "192.0.2.1", time: .wall(WallTime(2026, 11, 28, 18, 19, 42, offset: 0)),
            method: .get, methodText: "GET", target: "/a b?c d", path: "/a b", query: "c d",
            protocolVersion: .http11, status: 400, bodyBytesSent: 150)),
    TrickyLine(
        name: "junk request GARBAGE",
        line: #"192.0.2.1 - - [28/Nov/2026:18:19:42 +0000] "GARBAGE" 400 150 "-" "-""#,
        expected: Expected(
            client: "192.0.2.1", time: .wall(WallTime(2026, 11, 28, 18, 19, 42, offset: 0)),
            methodText: "GARBAGE", status: 400, bodyBytesSent: 150)),
    TrickyLine(
        name: "junk request of three words",
        line: #"192.0.2.1 - - [28/Nov/2026:18:19:42 +0000] "HELLO THERE FRIEND" 400 150 "-" "-""#,
        expected: Expected(
            client: "192.0.2.1", time: .wall(WallTime(2026, 11, 28, 18, 19, 42, offset: 0)),
            methodText: "HELLO", target: "THERE FRIEND", path: "THERE FRIEND", status: 400, bodyBytesSent: 150)),
    TrickyLine(
        name: "lower-case method is not GET",
        line: #"192.0.2.1 - - [28/Nov/2026:18:19:42 +0000] "get / HTTP/1.1" 400 150 "-" "-""#,
        expected: Expected(
            client: "192.0.2.1", time: .wall(WallTime(2026, 11, 28, 18, 19, 42, offset: 0)),
            methodText: "get", target: "/", path: "/", protocolVersion: .http11, status: 400, bodyBytesSent: 150)),
    TrickyLine(
        name: "empty request",
        format: .edge,
        line: #"192.0.2.1 - - [28/Nov/2026:18:19:42 +0000] "" 400 0 "-" "-" _ 0.000 - 0"#,
        expected: Expected(
            client: "192.0.2.1", time: .wall(WallTime(2026, 11, 28, 18, 19, 42, offset: 0)),
            status: 400, host: "_", siteSource: .host, site: "_", requestTimeMicros: 0)),
    TrickyLine(
        name: "TLS handshake sent to the plain HTTP port",
        format: .edge,
        line: #"192.0.2.1 - - [28/Nov/2026:18:19:42 +0000] "\x16\x03\x01\x00\xA5\x01\x00\x00\xA1\x03\x03" 400 157 "-" "-" default.example 0.001 - 0"#,
        expected: Expected(
            client: "192.0.2.1", time: .wall(WallTime(2026, 11, 28, 18, 19, 42, offset: 0)),
            methodText: Bytes(tlsHello), status: 400, bodyBytesSent: 157, host: "default.example",
            siteSource: .host, site: "default.example", requestTimeMicros: 1_000)),
    TrickyLine(
        name: "RDP probe with a space inside",
        line: #"192.0.2.1 - - [28/Nov/2026:18:19:42 +0000] "\x03\x00\x00/*\xE0\x00\x00\x00\x00\x00Cookie: mstshash=Administr" 400 157 "-" "-""#,
        expected: Expected(
            client: "192.0.2.1", time: .wall(WallTime(2026, 11, 28, 18, 19, 42, offset: 0)),
            methodText: Bytes(rdpProbe) + "Cookie:", target: "mstshash=Administr", path: "mstshash=Administr",
            status: 400, bodyBytesSent: 157)),
    TrickyLine(
        name: "HTTP/0.9 request",
        line: #"192.0.2.1 - - [28/Nov/2026:18:19:42 +0000] "GET /robots.txt" 200 24 "-" "-""#,
        expected: Expected(
            client: "192.0.2.1", time: .wall(WallTime(2026, 11, 28, 18, 19, 42, offset: 0)),
            method: .get, methodText: "GET", target: "/robots.txt", path: "/robots.txt",
            protocolVersion: .http09, status: 200, bodyBytesSent: 24)),
    TrickyLine(
        name: "absolute URL target",
        format: .edge,
        line: #"192.0.2.1 - - [28/Nov/2026:18:19:42 +0000] "GET http://b.example/x?y=1 HTTP/1.1" 200 3 "-" "-" b.example 0.002 BYPASS 60"#,
        expected: Expected(
            client: "192.0.2.1", time: .wall(WallTime(2026, 11, 28, 18, 19, 42, offset: 0)),
            method: .get, methodText: "GET", target: "http://b.example/x?y=1", path: "/x", query: "y=1",
            protocolVersion: .http11, status: 200, bodyBytesSent: 3, host: "b.example", siteSource: .host,
            site: "b.example", requestTimeMicros: 2_000, upstreamCacheStatus: .bypass, requestLength: 60)),
    TrickyLine(
        name: "414 with a 5 KB request line",
        line: Bytes(
            Array(#"192.0.2.1 - - [28/Nov/2026:18:19:42 +0000] "GET "#.utf8) + Array(longPath.utf8)
                + Array(#" HTTP/1.1" 414 562 "-" "-""#.utf8)),
        expected: Expected(
            client: "192.0.2.1", time: .wall(WallTime(2026, 11, 28, 18, 19, 42, offset: 0)),
            method: .get, methodText: "GET", target: Bytes(Array(longPath.utf8)), path: Bytes(Array(longPath.utf8)),
            protocolVersion: .http11, status: 414, bodyBytesSent: 562)),
    TrickyLine(
        name: "several upstream response times and addresses",
        format: .source(
            #"log_format up '$remote_addr [$time_local] "$request" $status rt=$request_time "#
                + #"urt="$upstream_response_time" uaddr="$upstream_addr" cs=$upstream_cache_status';"#),
        line: #"192.0.2.1 [28/Nov/2026:18:19:42 +0000] "GET /a HTTP/1.1" 502 rt=0.020 urt="0.000, 0.016 : 0.002" uaddr="10.0.0.1:80, 10.0.0.2:80 : 10.0.0.3:80" cs=-"#,
        expected: Expected(
            client: "192.0.2.1", time: .wall(WallTime(2026, 11, 28, 18, 19, 42, offset: 0)),
            method: .get, methodText: "GET", target: "/a", path: "/a", protocolVersion: .http11, status: 502,
            requestTimeMicros: 20_000, upstreamResponseTimeMicros: 18_000,
            extras: [ExpectedExtra(name: "upstream_addr", value: "10.0.0.1:80, 10.0.0.2:80 : 10.0.0.3:80")])),
    TrickyLine(
        name: "upstream response time with - values only is absent",
        format: .source(#"'$status "$upstream_response_time" $request_time'"#),
        line: #"504 "-, - : -" 60.001"#,
        expected: Expected(status: 504, requestTimeMicros: 60_001_000)),
    TrickyLine(
        name: "CRLF line end",
        line: #"192.0.2.1 - - [28/Nov/2026:18:19:42 +0000] "GET / HTTP/1.1" 200 5 "-" "UA""# + "\r\n",
        expected: Expected(
            client: "192.0.2.1", time: .wall(WallTime(2026, 11, 28, 18, 19, 42, offset: 0)),
            method: .get, methodText: "GET", target: "/", path: "/", protocolVersion: .http11, status: 200,
            bodyBytesSent: 5, userAgent: "UA")),
    TrickyLine(
        name: "raw non-UTF-8 bytes and quotes with escape=none",
        format: .source(combinedNone),
        line: Bytes(
            Array(#"192.0.2.1 - - [28/Nov/2026:18:19:42 +0000] "GET /caf"#.utf8) + [0xC3, 0xA9]
                + Array(#" HTTP/1.1" 200 3 "-" "bad"#.utf8) + [0xFF] + Array(#"agent "quoted"""#.utf8)),
        expected: Expected(
            client: "192.0.2.1", time: .wall(WallTime(2026, 11, 28, 18, 19, 42, offset: 0)),
            method: .get, methodText: "GET", target: "/café", path: "/café", protocolVersion: .http11,
            status: 200, bodyBytesSent: 3,
            userAgent: Bytes(Array("bad".utf8) + [0xFF] + Array(#"agent "quoted""#.utf8)))),
    TrickyLine(
        name: "truncated line keeps the raw bytes",
        line: #"192.0.2.1 - - [28/Nov/2026:18:19:42 +0000] "GET / HTTP/1.1" 200 5 "-" "Mozil"#,
        expected: Expected(error: .truncated(at: 76))),
    TrickyLine(
        name: "+0530 crossing the year boundary backwards",
        line: #"192.0.2.1 - - [01/Jan/2027:01:00:00 +0530] "GET / HTTP/1.1" 200 5 "-" "-""#,
        expected: Expected(
            client: "192.0.2.1",
            time: .wallAndUTC(WallTime(2027, 1, 1, 1, 0, 0, offset: 330), utc: WallTime(2026, 12, 31, 19, 30, 0, offset: 0)),
            utcOffsetMinutes: 330, method: .get, methodText: "GET", target: "/", path: "/", protocolVersion: .http11,
            status: 200, bodyBytesSent: 5)),
    TrickyLine(
        name: "-0700 crossing the year boundary forwards",
        line: #"192.0.2.1 - - [31/Dec/2026:20:00:00 -0700] "GET / HTTP/1.1" 200 5 "-" "-""#,
        expected: Expected(
            client: "192.0.2.1",
            time: .wallAndUTC(WallTime(2026, 12, 31, 20, 0, 0, offset: -420), utc: WallTime(2027, 1, 1, 3, 0, 0, offset: 0)),
            utcOffsetMinutes: -420, method: .get, methodText: "GET", target: "/", path: "/", protocolVersion: .http11,
            status: 200, bodyBytesSent: 5)),
    TrickyLine(
        name: "+0000 on a leap day",
        line: #"192.0.2.1 - - [29/Feb/2028:23:59:59 +0000] "GET / HTTP/1.1" 200 5 "-" "-""#,
        expected: Expected(
            client: "192.0.2.1", time: .wall(WallTime(2028, 2, 29, 23, 59, 59, offset: 0)),
            method: .get, methodText: "GET", target: "/", path: "/", protocolVersion: .http11, status: 200,
            bodyBytesSent: 5)),
    TrickyLine(
        name: "time_iso8601 with +05:30",
        format: .source(#"'$remote_addr [$time_iso8601] "$request" $status'"#),
        line: #"192.0.2.1 [2026-03-01T02:00:00+05:30] "GET / HTTP/1.1" 200"#,
        expected: Expected(
            client: "192.0.2.1",
            time: .wallAndUTC(WallTime(2026, 3, 1, 2, 0, 0, offset: 330), utc: WallTime(2026, 2, 28, 20, 30, 0, offset: 0)),
            utcOffsetMinutes: 330, method: .get, methodText: "GET", target: "/", path: "/", protocolVersion: .http11,
            status: 200)),
    TrickyLine(
        name: "msec wins over time_local",
        format: .source(#"'$msec $remote_addr [$time_local] "$request" $status $request_time'"#),
        line: #"1764353982.123 192.0.2.1 [28/Nov/2026:23:49:42 +0530] "GET / HTTP/1.1" 200 0.005"#,
        expected: Expected(
            client: "192.0.2.1", time: .micros(1_764_353_982_123_000), utcOffsetMinutes: 330,
            method: .get, methodText: "GET", target: "/", path: "/", protocolVersion: .http11, status: 200,
            requestTimeMicros: 5_000)),
    TrickyLine(
        name: "dash values everywhere",
        format: .edge,
        line: #"192.0.2.1 - - [28/Nov/2026:18:19:42 +0000] "GET / HTTP/1.1" 200 0 "-" "-" - 0.000 - 0"#,
        expected: Expected(
            client: "192.0.2.1", time: .wall(WallTime(2026, 11, 28, 18, 19, 42, offset: 0)),
            method: .get, methodText: "GET", target: "/", path: "/", protocolVersion: .http11, status: 200,
            requestTimeMicros: 0)),
    TrickyLine(
        name: "query split at the first ?",
        line: #"192.0.2.1 - - [28/Nov/2026:18:19:42 +0000] "GET /search?q=a?b&c=%20 HTTP/1.1" 200 5 "-" "-""#,
        expected: Expected(
            client: "192.0.2.1", time: .wall(WallTime(2026, 11, 28, 18, 19, 42, offset: 0)),
            method: .get, methodText: "GET", target: "/search?q=a?b&c=%20", path: "/search", query: "q=a?b&c=%20",
            protocolVersion: .http11, status: 200, bodyBytesSent: 5)),
    TrickyLine(
        name: "custom format with other variables and ${var}",
        format: .source(
            #"log_format main '$remote_addr [${time_local}] "$request" $status '"#
                + #"'up=${upstream_addr}; tls=$ssl_protocol rt=${request_time}s';"#),
        line: #"192.0.2.44 [28/Nov/2026:18:19:42 -0700] "DELETE /x HTTP/1.1" 502 up=10.0.0.1:8080; tls=TLSv1.3 rt=1.500s"#,
        expected: Expected(
            client: "192.0.2.44",
            time: .wall(WallTime(2026, 11, 28, 18, 19, 42, offset: -420)), utcOffsetMinutes: -420,
            method: .delete, methodText: "DELETE", target: "/x", path: "/x", protocolVersion: .http11, status: 502,
            requestTimeMicros: 1_500_000,
            extras: [
                ExpectedExtra(name: "upstream_addr", value: "10.0.0.1:8080"),
                ExpectedExtra(name: "ssl_protocol", value: "TLSv1.3"),
            ])),
    TrickyLine(
        name: "format without $host takes the configured site",
        siteLabel: "blog.example",
        line: #"192.0.2.1 - bob [28/Nov/2026:18:19:42 +0000] "OPTIONS * HTTP/1.1" 204 0 "-" "-""#,
        expected: Expected(
            client: "192.0.2.1", remoteUser: "bob", time: .wall(WallTime(2026, 11, 28, 18, 19, 42, offset: 0)),
            method: .options, methodText: "OPTIONS", target: "*", path: "*", protocolVersion: .http11, status: 204,
            siteSource: .configuredLabel, site: "blog.example")),
    TrickyLine(
        name: "server_name is the site only without $host and label",
        format: .source(#"'$server_name $remote_addr "$request" $status'"#),
        line: #"api.example 192.0.2.1 "PUT /v HTTP/1.1" 200"#,
        expected: Expected(
            client: "192.0.2.1", method: .put, methodText: "PUT", target: "/v", path: "/v",
            protocolVersion: .http11, status: 200, siteSource: .serverName, site: "api.example")),
    TrickyLine(
        name: "$scheme://$host$request_uri with adjacent variables",
        format: .source(#"'$scheme://$host$request_uri $status $request_method $server_protocol'"#),
        line: #"https://shop.example/p/1?x=2 200 PATCH HTTP/1.1"#,
        expected: Expected(
            method: .patch, methodText: "PATCH", target: "/p/1?x=2", path: "/p/1", query: "x=2",
            protocolVersion: .http11, status: 200, host: "shop.example", siteSource: .host, site: "shop.example",
            scheme: "https")),
    TrickyLine(
        name: "escape=json with escaped quotes and \\u0001",
        format: .source(
            #"escape=json '{"addr":"$remote_addr","req":"$request","status":$status,"ua":"$http_user_agent"}'"#),
        line: #"{"addr":"192.0.2.5","req":"GET /q?a=\"b\" HTTP/1.1","status":200,"ua":"Mozilla \"x\" \\ \u0001 é"}"#,
        expected: Expected(
            client: "192.0.2.5", method: .get, methodText: "GET", target: #"/q?a="b""#, path: "/q",
            query: #"a="b""#, protocolVersion: .http11, status: 200,
            userAgent: Bytes(Array(#"Mozilla "x" \ "#.utf8) + [0x01] + Array(" é".utf8)))),
    TrickyLine(
        name: "line of another format does not match",
        line: "this is not an access log line",
        expected: Expected(error: .truncated(at: 30))),
    TrickyLine(
        name: "missing space after the request is a literal mismatch",
        line: #"192.0.2.1 - - [28/Nov/2026:18:19:42 +0000] "GET / HTTP/1.1"200 5 "-" "-""#,
        expected: Expected(error: .literalMismatch(at: 59))),
    TrickyLine(
        name: "edge line read with the combined format",
        line: #"192.0.2.1 - - [28/Nov/2026:18:19:42 +0000] "GET / HTTP/1.1" 200 5 "-" "-" a.example 0.001 HIT 40"#,
        expected: Expected(error: .trailingBytes(at: 73))),
    TrickyLine(
        name: "non-numeric status",
        line: #"192.0.2.1 - - [28/Nov/2026:18:19:42 +0000] "GET / HTTP/1.1" 2x0 5 "-" "-""#,
        expected: Expected(error: .badStatus(at: 60))),
    TrickyLine(
        name: "impossible date",
        line: #"192.0.2.1 - - [31/Nov/2026:18:19:42 +0000] "GET / HTTP/1.1" 200 5 "-" "-""#,
        expected: Expected(error: .badTimestamp(at: 15))),
    TrickyLine(
        name: "byte count overflowing 64 bits",
        line: #"192.0.2.1 - - [28/Nov/2026:18:19:42 +0000] "GET / HTTP/1.1" 200 18446744073709551616 "-" "-""#,
        expected: Expected(error: .badNumber(at: 64))),
    TrickyLine(
        name: "empty line",
        line: "\n",
        expected: Expected(error: .emptyLine)),
    // Lines Debian's nginx 1.22 wrote (combined, TZ=Asia/Kolkata) for proxy-style requests.
    TrickyLine(
        name: "absolute URL target without a query: the path is what follows the authority",
        line: #"127.0.0.1 - - [08/Dec/2026:04:13:37 +0530] "GET http://shop.example.test/noquery HTTP/1.1" 200 0 "-" "-""#,
        expected: Expected(
            client: "127.0.0.1", time: .wall(WallTime(2026, 12, 8, 4, 13, 37, offset: 330)), utcOffsetMinutes: 330,
            method: .get, methodText: "GET", target: "http://shop.example.test/noquery", path: "/noquery",
            protocolVersion: .http11, status: 200)),
    TrickyLine(
        name: "absolute URL target in upper case with a port, without a query",
        line: #"127.0.0.1 - - [08/Dec/2026:04:13:37 +0530] "GET HTTP://Shop.Example.Test:18080/mixed HTTP/1.1" 200 14 "-" "-""#,
        expected: Expected(
            client: "127.0.0.1", time: .wall(WallTime(2026, 12, 8, 4, 13, 37, offset: 330)), utcOffsetMinutes: 330,
            method: .get, methodText: "GET", target: "HTTP://Shop.Example.Test:18080/mixed", path: "/mixed",
            protocolVersion: .http11, status: 200, bodyBytesSent: 14)),
    TrickyLine(
        name: "extra spaces around the target (nginx accepts and logs them) are not part of it",
        line: #"127.0.0.1 - - [08/Dec/2026:04:13:34 +0530] "GET  /double  HTTP/1.1" 200 15 "-" "-""#,
        expected: Expected(
            client: "127.0.0.1", time: .wall(WallTime(2026, 12, 8, 4, 13, 34, offset: 330)), utcOffsetMinutes: 330,
            method: .get, methodText: "GET", target: "/double", path: "/double",
            protocolVersion: .http11, status: 200, bodyBytesSent: 15)),
    TrickyLine(
        name: "three spaces around a target with a query, HTTP/1.0",
        line: #"127.0.0.1 - - [08/Dec/2026:04:16:01 +0530] "GET   /lead?x=1   HTTP/1.0" 200 0 "-" "-""#,
        expected: Expected(
            client: "127.0.0.1", time: .wall(WallTime(2026, 12, 8, 4, 16, 1, offset: 330)), utcOffsetMinutes: 330,
            method: .get, methodText: "GET", target: "/lead?x=1", path: "/lead", query: "x=1",
            protocolVersion: .http10, status: 200)),
    // Lists nginx wrote for proxy_next_upstream (`, `) and an error_page redirect to a named
    // location (` : `), not quoted in the format: the space literal after them is also inside.
    TrickyLine(
        name: "unquoted $upstream_response_time of two upstreams",
        format: .source(
            #"'$remote_addr [$time_local] "$request" $status $body_bytes_sent $request_time $upstream_response_time $upstream_cache_status $host $request_length'"#),
        line: #"127.0.0.1 [08/Dec/2026:04:17:45 +0530] "GET /flaky/one HTTP/1.1" 200 18 0.000 0.000, 0.000 - 127.0.0.1 88"#,
        expected: Expected(
            client: "127.0.0.1", time: .wall(WallTime(2026, 12, 8, 4, 17, 45, offset: 330)), utcOffsetMinutes: 330,
            method: .get, methodText: "GET", target: "/flaky/one", path: "/flaky/one", protocolVersion: .http11,
            status: 200, bodyBytesSent: 18, host: "127.0.0.1", siteSource: .host, site: "127.0.0.1",
            requestTimeMicros: 0, upstreamResponseTimeMicros: 0, requestLength: 88)),
    TrickyLine(
        name: "unquoted $upstream_addr, $upstream_status, $upstream_response_time after a redirect",
        format: .source(
            #"'$remote_addr [$time_local] "$request" $status $upstream_addr $upstream_status $upstream_response_time $host'"#),
        line: #"127.0.0.1 [08/Dec/2026:04:17:45 +0530] "GET /redir/x HTTP/1.1" 200 127.0.0.1:18081 : 127.0.0.1:18081 500 : 200 0.000 : 0.000 127.0.0.1"#,
        expected: Expected(
            client: "127.0.0.1", time: .wall(WallTime(2026, 12, 8, 4, 17, 45, offset: 330)), utcOffsetMinutes: 330,
            method: .get, methodText: "GET", target: "/redir/x", path: "/redir/x", protocolVersion: .http11,
            status: 200, host: "127.0.0.1", siteSource: .host, site: "127.0.0.1", upstreamResponseTimeMicros: 0,
            extras: [
                ExpectedExtra(name: "upstream_addr", value: "127.0.0.1:18081 : 127.0.0.1:18081"),
                ExpectedExtra(name: "upstream_status", value: "500 : 200"),
            ])),
    TrickyLine(
        name: "unquoted $upstream_addr and $upstream_status of two upstreams",
        format: .source(
            #"'$remote_addr [$time_local] "$request" $status $upstream_addr $upstream_status $upstream_response_time $host'"#),
        line: #"127.0.0.1 [08/Dec/2026:04:17:45 +0530] "GET /flaky/one HTTP/1.1" 200 127.0.0.1:18099, 127.0.0.1:18081 502, 200 0.000, 0.000 127.0.0.1"#,
        expected: Expected(
            client: "127.0.0.1", time: .wall(WallTime(2026, 12, 8, 4, 17, 45, offset: 330)), utcOffsetMinutes: 330,
            method: .get, methodText: "GET", target: "/flaky/one", path: "/flaky/one", protocolVersion: .http11,
            status: 200, host: "127.0.0.1", siteSource: .host, site: "127.0.0.1", upstreamResponseTimeMicros: 0,
            extras: [
                ExpectedExtra(name: "upstream_addr", value: "127.0.0.1:18099, 127.0.0.1:18081"),
                ExpectedExtra(name: "upstream_status", value: "502, 200"),
            ])),
    // X-Forwarded-For is what the client sent: a list may end with its separator's comma
    // ("203.0.113.7," or "203.0.113.7, " from a broken proxy chain, or an attacker). Its last
    // ", " is then no separator but the comma and the format's space.
    TrickyLine(
        name: "unquoted $http_x_forwarded_for ending with a comma, before the space literal",
        format: .source(#"'$remote_addr [$time_local] "$request" $status $http_x_forwarded_for $host'"#),
        line: #"127.0.0.1 [08/Dec/2026:04:17:45 +0530] "GET /xff HTTP/1.1" 200 203.0.113.7, 198.51.100.2, www.example.test"#,
        expected: Expected(
            client: "127.0.0.1", time: .wall(WallTime(2026, 12, 8, 4, 17, 45, offset: 330)), utcOffsetMinutes: 330,
            method: .get, methodText: "GET", target: "/xff", path: "/xff", protocolVersion: .http11,
            status: 200, host: "www.example.test", siteSource: .host, site: "www.example.test",
            forwardedFor: "203.0.113.7, 198.51.100.2,")),
    TrickyLine(
        name: "unquoted $http_x_forwarded_for of one address and a comma, before the space literal",
        format: .source(#"'$remote_addr [$time_local] "$request" $status $http_x_forwarded_for $request_time'"#),
        line: #"127.0.0.1 [08/Dec/2026:04:17:45 +0530] "GET /xff HTTP/1.1" 200 203.0.113.7, 0.250"#,
        expected: Expected(
            client: "127.0.0.1", time: .wall(WallTime(2026, 12, 8, 4, 17, 45, offset: 330)), utcOffsetMinutes: 330,
            method: .get, methodText: "GET", target: "/xff", path: "/xff", protocolVersion: .http11,
            status: 200, requestTimeMicros: 250_000, forwardedFor: "203.0.113.7,")),
    TrickyLine(
        name: "key=value format with upstream lists holding '-' (nginx's line, times made non-zero)",
        format: .source(
            #"'time=$time_iso8601 client=$remote_addr status=$status rt=$request_time uct=$upstream_connect_time urt=$upstream_response_time cache=$upstream_cache_status host=$host'"#),
        line: #"time=2026-12-08T04:17:45+05:30 client=127.0.0.1 status=200 rt=0.000 uct=-, 0.012 urt=1.250, 0.016 : 0.002 cache=- host=127.0.0.1"#,
        expected: Expected(
            client: "127.0.0.1", time: .wall(WallTime(2026, 12, 8, 4, 17, 45, offset: 330)), utcOffsetMinutes: 330,
            status: 200, host: "127.0.0.1", siteSource: .host, site: "127.0.0.1", requestTimeMicros: 0,
            upstreamResponseTimeMicros: 1_268_000,
            extras: [ExpectedExtra(name: "upstream_connect_time", value: "-, 0.012")])),
    // A host name or address right before `:` or `$request_uri`, as nginx 1.22 wrote them.
    TrickyLine(
        name: "$remote_addr:$remote_port and $host:$server_port of an IPv6 client and Host",
        format: .source(
            #"'$remote_addr:$remote_port $host:$server_port "$request" $status $body_bytes_sent $server_name$request_uri'"#),
        line: #"::1:43078 [::1]:18080 "GET /v6?q=1 HTTP/1.1" 200 11 www.example.test/v6?q=1"#,
        expected: Expected(
            client: "::1", method: .get, methodText: "GET", target: "/v6?q=1", path: "/v6", query: "q=1",
            protocolVersion: .http11, status: 200, bodyBytesSent: 11, host: "[::1]", siteSource: .host, site: "[::1]",
            extras: [
                ExpectedExtra(name: "remote_port", value: "43078"), ExpectedExtra(name: "server_port", value: "18080"),
            ])),
    TrickyLine(
        name: "$host$request_uri of a 400 without a URI: the - is $request_uri's",
        format: .source(
            #"'$remote_addr [$time_local] "$request_method $scheme://$host$request_uri $server_protocol" $status $body_bytes_sent'"#),
        line: #"127.0.0.1 [08/Dec/2026:04:21:44 +0530] "- http://www.example.test- -" 400 157"#,
        expected: Expected(
            client: "127.0.0.1", time: .wall(WallTime(2026, 12, 8, 4, 21, 44, offset: 330)), utcOffsetMinutes: 330,
            status: 400, bodyBytesSent: 157, host: "www.example.test", siteSource: .host, site: "www.example.test",
            scheme: "http")),
    TrickyLine(
        name: "$host$request_uri keeps a host name's own last - before the path",
        format: .source(#"'$scheme://$host$request_uri $status'"#),
        line: #"http://a-/x 200"#,
        expected: Expected(
            target: "/x", path: "/x", status: 200, host: "a-", siteSource: .host, site: "a-", scheme: "http")),
    // A value holding its own following literal, which nothing escapes (nginx 1.22's lines).
    TrickyLine(
        name: "basic-auth user holding ' [' (an attacker hiding a request from detection)",
        line: #"127.0.0.1 - x [y] \x22z [08/Dec/2026:04:23:51 +0530] "GET /?id=1%27%20OR%201=1-- HTTP/1.1" 200 9 "-" "sqlmap/1.0""#,
        expected: Expected(
            client: "127.0.0.1", remoteUser: #"x [y] "z"#, time: .wall(WallTime(2026, 12, 8, 4, 23, 51, offset: 330)),
            utcOffsetMinutes: 330, method: .get, methodText: "GET", target: "/?id=1%27%20OR%201=1--", path: "/",
            query: "id=1%27%20OR%201=1--", protocolVersion: .http11, status: 200, bodyBytesSent: 9,
            userAgent: "sqlmap/1.0")),
    TrickyLine(
        name: "escape=none with quotes and spaces in referer and user agent, empty $remote_user",
        format: .source(
            #"escape=none '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $host $request_time $upstream_cache_status $request_length'"#),
        line: #"127.0.0.1 -  [08/Dec/2026:04:21:43 +0530] "GET /ua HTTP/1.1" 200 11 "http://ref.example/?q="a b"&c=\" "Mozilla/5.0 "quoted" \back\slash café 日本" 127.0.0.1 0.000 EXPIRED 157"#,
        expected: Expected(
            client: "127.0.0.1", time: .wall(WallTime(2026, 12, 8, 4, 21, 43, offset: 330)), utcOffsetMinutes: 330,
            method: .get, methodText: "GET", target: "/ua", path: "/ua", protocolVersion: .http11, status: 200,
            bodyBytesSent: 11, referer: #"http://ref.example/?q="a b"&c=\"#,
            userAgent: #"Mozilla/5.0 "quoted" \back\slash café 日本"#, host: "127.0.0.1", siteSource: .host,
            site: "127.0.0.1", requestTimeMicros: 0, upstreamCacheStatus: .expired, requestLength: 157)),
    TrickyLine(
        name: "main format pasted with # comments, as nginx 1.22 accepts and logs it",
        format: .source(
            "log_format main '$remote_addr - $remote_user [$time_local] \"$request\" ' # first line\n"
                + "                '$status $body_bytes_sent \"$http_referer\" '\n"
                + "                # a whole comment line\n"
                + "                '\"$http_user_agent\" \"$http_x_forwarded_for\"';\n"),
        line: #"127.0.0.1 - - [07/Dec/2026:23:03:09 +0000] "GET /c HTTP/1.1" 200 0 "-" "curl/7.88.1" "1.2.3.4""#,
        expected: Expected(
            client: "127.0.0.1", time: .wall(WallTime(2026, 12, 7, 23, 3, 9, offset: 0)), method: .get,
            methodText: "GET", target: "/c", path: "/c", protocolVersion: .http11, status: 200,
            userAgent: "curl/7.88.1", forwardedFor: "1.2.3.4")),
    // `$uri$is_args$args`, which nginx 1.22 accepts: `/noq-` is `/noq` without arguments.
    TrickyLine(
        name: "$uri$is_args$args with arguments",
        format: .source(#"'$remote_addr "$request_method $uri$is_args$args" $status'"#),
        line: #"127.0.0.1 "GET /plain?y=2" 200"#,
        expected: Expected(
            client: "127.0.0.1", method: .get, methodText: "GET", path: "/plain", query: "y=2", status: 200,
            extras: [ExpectedExtra(name: "is_args", value: "?")])),
    TrickyLine(
        name: "$uri$is_args$args without arguments: the - is $args's",
        format: .source(#"'$remote_addr "$request_method $uri$is_args$args" $status'"#),
        line: #"127.0.0.1 "GET /noq-" 200"#,
        expected: Expected(
            client: "127.0.0.1", method: .get, methodText: "GET", path: "/noq", status: 200,
            extras: [ExpectedExtra(name: "is_args", value: "")])),
    // `$uri` is decoded: `/my%20file.pdf` is logged `/my file.pdf`, so the space after `$args`
    // also occurs inside `$uri`.
    TrickyLine(
        name: "$uri$is_args$args with a decoded space in $uri, with arguments",
        format: .source(#"'$remote_addr "$request_method $uri$is_args$args $server_protocol" $status'"#),
        line: #"127.0.0.1 "GET /my file.pdf?x=1 HTTP/1.1" 200"#,
        expected: Expected(
            client: "127.0.0.1", method: .get, methodText: "GET", path: "/my file.pdf", query: "x=1",
            protocolVersion: .http11, status: 200, extras: [ExpectedExtra(name: "is_args", value: "?")])),
    TrickyLine(
        name: "$uri$is_args$args with decoded spaces in $uri, without arguments",
        format: .source(#"'$remote_addr "$request_method $uri$is_args$args $server_protocol" $status'"#),
        line: #"127.0.0.1 "GET /a b/c d.pdf- HTTP/1.1" 200"#,
        expected: Expected(
            client: "127.0.0.1", method: .get, methodText: "GET", path: "/a b/c d.pdf",
            protocolVersion: .http11, status: 200, extras: [ExpectedExtra(name: "is_args", value: "")])),
    TrickyLine(
        name: "$uri$is_args$args last in the format",
        format: .source(#"'$status $uri$is_args$args'"#),
        line: #"200 /a/b?c=1&d"#,
        expected: Expected(path: "/a/b", query: "c=1&d", status: 200, extras: [ExpectedExtra(name: "is_args", value: "?")])),
    TrickyLine(
        name: "$host$uri$is_args$args of a 400 without a URI: both - are the path's",
        format: .source(
            #"'$remote_addr [$time_local] "$request_method $scheme://$host$uri$is_args$args $server_protocol" $status $body_bytes_sent'"#),
        line: #"127.0.0.1 [07/Dec/2026:19:39:54 -0330] "- http://www.example.test-- -" 400 157"#,
        expected: Expected(
            client: "127.0.0.1", time: .wall(WallTime(2026, 12, 7, 19, 39, 54, offset: -210)), utcOffsetMinutes: -210,
            status: 400, bodyBytesSent: 157, host: "www.example.test", siteSource: .host, site: "www.example.test",
            scheme: "http", extras: [ExpectedExtra(name: "is_args", value: "")])),
    TrickyLine(
        name: "$host$uri$is_args$args without arguments",
        format: .source(
            #"'$remote_addr [$time_local] "$request_method $scheme://$host$uri$is_args$args $server_protocol" $status $body_bytes_sent'"#),
        line: #"127.0.0.1 [07/Dec/2026:19:39:54 -0330] "GET http://127.0.0.1/flaky/one- HTTP/1.1" 200 18"#,
        expected: Expected(
            client: "127.0.0.1", time: .wall(WallTime(2026, 12, 7, 19, 39, 54, offset: -210)), utcOffsetMinutes: -210,
            method: .get, methodText: "GET", path: "/flaky/one", protocolVersion: .http11, status: 200,
            bodyBytesSent: 18, host: "127.0.0.1", siteSource: .host, site: "127.0.0.1", scheme: "http",
            extras: [ExpectedExtra(name: "is_args", value: "")])),
    // A CDN-style format with `$http_host` and no `$host` (nginx 1.22, TZ=America/St_Johns).
    TrickyLine(
        name: "$http_host is the site without its port when the format has no $host",
        format: .source(
            #"'$time_iso8601\t$remote_addr\t$http_host\t$request_method\t$uri\t$args\t$status\t$bytes_sent\t$request_time\t$upstream_cache_status\t"$http_user_agent"'"#),
        line: "2026-12-07T19:39:52-03:30\t127.0.0.1\tSHOP.Example.TEST:18080\tGET\t/upper\t-\t200\t162\t0.000\tMISS\t\"curl/7.88.1\"",
        expected: Expected(
            client: "127.0.0.1", time: .wall(WallTime(2026, 12, 7, 19, 39, 52, offset: -210)), utcOffsetMinutes: -210,
            method: .get, methodText: "GET", path: "/upper", status: 200,
            bodyBytesSent: 162,  // $bytes_sent stands in: the format has no $body_bytes_sent
            userAgent: "curl/7.88.1",
            siteSource: .httpHost, site: "SHOP.Example.TEST", requestTimeMicros: 0, upstreamCacheStatus: .miss)),
    TrickyLine(
        name: "$http_host of an IPv6 literal with a port",
        format: .source(#"'$http_host $status'"#),
        line: "[::1]:18080 200",
        expected: Expected(status: 200, siteSource: .httpHost, site: "[::1]")),
    TrickyLine(
        name: "$host wins over $http_host",
        format: .source(#"'$host $http_host $status'"#),
        line: "shop.example.test SHOP.Example.TEST:18080 200",
        expected: Expected(
            status: 200, host: "shop.example.test", siteSource: .host, site: "shop.example.test")),
    TrickyLine(
        name: "variable names in upper case, as nginx accepts them",
        format: .source(
            #"log_format upper '$Remote_Addr - $REMOTE_USER [$Time_Local] "$Request" $Status $Body_Bytes_Sent "#
                + #""$HTTP_REFERER" "$http_User_Agent" $Host';"#),
        line: #"127.0.0.1 - - [08/Dec/2026:04:13:33 +0530] "GET /cart?id=5 HTTP/1.1" 200 13 "-" "curl/7.88.1" shop.example.test"#,
        expected: Expected(
            client: "127.0.0.1", time: .wall(WallTime(2026, 12, 8, 4, 13, 33, offset: 330)), utcOffsetMinutes: 330,
            method: .get, methodText: "GET", target: "/cart?id=5", path: "/cart", query: "id=5",
            protocolVersion: .http11, status: 200, bodyBytesSent: 13, userAgent: "curl/7.88.1",
            host: "shop.example.test", siteSource: .host, site: "shop.example.test")),
    TrickyLine(
        name: "spaces after the version (nginx accepts and logs them)",
        line: #"127.0.0.1 - - [08/Dec/2026:04:16:01 +0530] "GET /ts HTTP/1.1  " 200 0 "-" "-""#,
        expected: Expected(
            client: "127.0.0.1", time: .wall(WallTime(2026, 12, 8, 4, 16, 1, offset: 330)), utcOffsetMinutes: 330,
            method: .get, methodText: "GET", target: "/ts", path: "/ts",
            protocolVersion: .http11, status: 200)),
]

@Suite struct LogParserTests {
    @Test(arguments: trickyLines)
    func trickyLine(_ testCase: TrickyLine) throws {
        let parser = try testCase.makeParser()
        let bytes = testCase.line.value
        var parsed = ParsedLine()
        let matched = bytes.withUnsafeBytes { parser.parse(line: $0, into: &parsed) }
        let expected = testCase.expected

        var rawEnd = bytes.count
        if rawEnd > 0, bytes[rawEnd - 1] == 0x0A { rawEnd -= 1 }
        if rawEnd > 0, bytes[rawEnd - 1] == 0x0D { rawEnd -= 1 }
        #expect(parsed.line == 0..<rawEnd, "the raw line is always kept")
        #expect(parsed.parseError == expected.error)
        #expect(matched == (expected.error == nil))
        guard expected.error == nil else { return }

        func text(_ span: FieldSpan) -> Bytes {
            var output: [UInt8] = []
            bytes.withUnsafeBytes { Unescape.decode(span, in: $0, escaping: parser.format.escaping, into: &output) }
            return Bytes(output)
        }

        #expect(parsed.clientAddress?.bytes == expected.client.flatMap(inetPton))
        if expected.client != nil { #expect(parsed.clientAddress != nil) }
        #expect(text(parsed.remoteAddr) == expected.remoteAddr ?? Bytes(Array((expected.client ?? "").utf8)))
        #expect(text(parsed.remoteUser) == expected.remoteUser)
        switch expected.time {
        case nil:
            #expect(parsed.timeMicros == nil)
        case .wall(let wall):
            #expect(parsed.timeMicros == (try wall.utcMicros()))
        case .wallAndUTC(let wall, let utc):
            #expect(parsed.timeMicros == (try wall.utcMicros()))
            #expect(parsed.timeMicros == (try utc.utcMicros()))
        case .micros(let micros):
            #expect(parsed.timeMicros == micros)
        }
        #expect(parsed.utcOffsetMinutes == expected.utcOffsetMinutes)
        #expect(parsed.method == expected.method)
        #expect(text(parsed.methodText) == expected.methodText)
        #expect(text(parsed.target) == expected.target)
        #expect(text(parsed.path) == expected.path)
        #expect(text(parsed.query) == expected.query)
        #expect(parsed.protocolVersion == expected.protocolVersion)
        #expect(parsed.status == expected.status)
        #expect(parsed.bodyBytesSent == expected.bodyBytesSent)
        #expect(text(parsed.referer) == expected.referer)
        #expect(text(parsed.userAgent) == expected.userAgent)
        #expect(text(parsed.host) == expected.host)
        #expect(text(parsed.scheme) == expected.scheme)
        #expect(text(parsed.forwardedFor) == expected.forwardedFor)
        #expect(parsed.siteSource == expected.siteSource)
        let site = bytes.withUnsafeBytes { buffer in parser.withSiteBytes(of: parsed, in: buffer) { Array($0) } }
        #expect(Bytes(site) == expected.site)
        #expect(parsed.requestTimeMicros == expected.requestTimeMicros)
        #expect(parsed.upstreamResponseTimeMicros == expected.upstreamResponseTimeMicros)
        #expect(parsed.upstreamCacheStatus == expected.upstreamCacheStatus)
        #expect(parsed.requestLength == expected.requestLength)
        #expect(parsed.extras.map { ExpectedExtra(name: $0.name, value: text($0.value)) } == expected.extras)
    }

    @Test func spansIndexTheCallersBufferWhenParsingInPlace() throws {
        let first = #"192.0.2.1 - - [28/Nov/2026:18:19:42 +0000] "GET /one HTTP/1.1" 200 5 "-" "-""#
        let second = #"192.0.2.2 - - [28/Nov/2026:18:19:43 +0000] "GET /two HTTP/1.1" 404 9 "-" "-""#
        let buffer = Array((first + "\n" + second + "\n").utf8)
        let parser = LogParser(format: .combined)
        var parsed = ParsedLine()
        let secondStart = first.utf8.count + 1
        let matched = buffer.withUnsafeBytes {
            parser.parse($0, line: secondStart..<buffer.count, into: &parsed)
        }
        #expect(matched)
        #expect(parsed.line == secondStart..<(buffer.count - 1))
        #expect(Array(buffer[parsed.path.range]) == Array("/two".utf8))
        #expect(parsed.status == 404)
    }

    /// A line where every field could end at any of many spaces: the backtracking slow path
    /// gives up within its budget and reports the linear match's error.
    @Test func ambiguousLineCostsBoundedWork() throws {
        let parser = LogParser(format: try LogFormat("'" + (1...8).map { "$v\($0) " }.joined() + "$status'"))
        let line = Array((String(repeating: "w ", count: 2_000) + "x").utf8)
        var parsed = ParsedLine()
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            let matched = line.withUnsafeBytes { parser.parse(line: $0, into: &parsed) }
            #expect(!matched)
        }
        #expect(parsed.parseError == .badStatus(at: 16))
        #expect(elapsed < .seconds(1), "\(elapsed)")
    }

    /// A format with `$bytes_sent` but no `$body_bytes_sent` (tab-separated CDN formats): the
    /// body bytes are the bytes sent, so the site's bandwidth is not 0; with both, each keeps
    /// its own value.
    @Test func bytesSentStandsInForAbsentBodyBytes() throws {
        let onlyBytesSent = LogParser(format: try LogFormat(#"'$remote_addr $status $bytes_sent $host'"#))
        let both = LogParser(format: try LogFormat(#"'$remote_addr $status $bytes_sent $body_bytes_sent $host'"#))
        var parsed = ParsedLine()
        let line = Array("192.0.2.1 200 1234 a.example".utf8)
        #expect(line.withUnsafeBytes { onlyBytesSent.parse(line: $0, into: &parsed) })
        #expect(parsed.bytesSent == 1234 && parsed.bodyBytesSent == 1234)
        let withBody = Array("192.0.2.1 304 180 0 a.example".utf8)
        #expect(withBody.withUnsafeBytes { both.parse(line: $0, into: &parsed) })
        #expect(parsed.bytesSent == 180 && parsed.bodyBytesSent == 0)
    }

    @Test func reusedParsedLineDoesNotKeepOldValues() throws {
        let parser = LogParser(format: try LogFormat(#"'$remote_addr $status $my_var'"#))
        var parsed = ParsedLine()
        let first = Array("192.0.2.1 200 x".utf8)
        let second = Array("- 404 y".utf8)
        first.withUnsafeBytes { _ = parser.parse(line: $0, into: &parsed) }
        #expect(parsed.clientAddress != nil)
        second.withUnsafeBytes { _ = parser.parse(line: $0, into: &parsed) }
        #expect(parsed.clientAddress == nil)
        #expect(parsed.remoteAddr.isEmpty)
        #expect(parsed.status == 404)
        #expect(parsed.extras.count == 1)
        #expect(parsed.extras.first.map { Array(second[$0.value.range]) } == Array("y".utf8))
    }

    @Test func cutAtEveryByteNeverCrashesAndKeepsTheRawLine() {
        let full = Array(
            #"2001:db8::7 - u [28/Nov/2026:18:19:42 +0530] "GET /caf\xC3\xA9?a=1 HTTP/1.1" 200 12 "-" "UA \x22q\x22" h.example 0.001 HIT 9"#
                .utf8)
        let parser = LogParser(format: .edge)
        var parsed = ParsedLine()
        for cut in 0...full.count {
            let line = Array(full[..<cut])
            let matched = line.withUnsafeBytes { parser.parse(line: $0, into: &parsed) }
            #expect(parsed.line == 0..<cut)
            #expect(matched == (parsed.parseError == nil))
            // Only cuts inside the last field ($request_length) can still match the format.
            if cut < full.count - 1 { #expect(!matched, "cut at \(cut)") }
        }
    }

    @Test(arguments: [1, 2, 3, 4])
    func randomBytesNeverCrash(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let formats: [LogFormat] = [
            .combined, .edge,
            try LogFormat(#"escape=json '{"a":"$remote_addr","r":"$request","t":"$time_iso8601","u":"$upstream_response_time"}'"#),
            try LogFormat(#"escape=none '$msec $scheme://$host$request_uri "$request" $status $x'"#),
            try LogFormat(#"'$remote_addr:$remote_port $host:$server_port $server_name$uri $upstream_addr $status'"#),
            try LogFormat(#"'"$request_method $uri$is_args$args" $status $uri$is_args$args'"#),
        ]
        let parsers = formats.map { LogParser(format: $0, siteLabel: "label") }
        // Bytes that matter to the formats, so random lines get deep into the matcher.
        let alphabet = Array(#"0123456789 -"[]/:.?\x,HTTP/1.1GETMISS+Nov"#.utf8) + [0x00, 0x0D, 0xFF, 0x7F]
        var parsed = ParsedLine()
        for _ in 0..<3_000 {
            let count = Int.random(in: 0..<200, using: &random)
            let line = (0..<count).map { _ in
                Bool.random(using: &random)
                    ? alphabet[Int.random(in: 0..<alphabet.count, using: &random)]
                    : UInt8.random(in: 0...255, using: &random)
            }
            for parser in parsers {
                let matched = line.withUnsafeBytes { parser.parse(line: $0, into: &parsed) }
                #expect(matched == (parsed.parseError == nil))
                #expect(parsed.line.lowerBound == 0 && parsed.line.upperBound <= line.count)
                if matched {
                    for span in [parsed.remoteAddr, parsed.request, parsed.path, parsed.query, parsed.userAgent, parsed.host] {
                        #expect(span.range.isEmpty || (span.range.lowerBound >= 0 && span.range.upperBound <= line.count))
                    }
                }
            }
        }
    }
}

/// The parser's scans read whole words and vectors past a value's end (never past the
/// buffer's): these put lines inside larger buffers with terminator bytes right after them, and
/// at the very end of buffers that end at a guard page, and move escapes across 8- and 16-byte
/// boundaries. Expected values are the hand-written table above, or built with the line.
@Suite struct LogParserBufferTests {
    /// `error` moved by `offset` bytes, for a line parsed at `offset` in a larger buffer.
    private func shifted(_ error: LineParseError?, by offset: Int) -> LineParseError? {
        switch error {
        case nil: nil
        case .emptyLine?: .emptyLine
        case .literalMismatch(let at)?: .literalMismatch(at: at + offset)
        case .truncated(let at)?: .truncated(at: at + offset)
        case .trailingBytes(let at)?: .trailingBytes(at: at + offset)
        case .badTimestamp(let at)?: .badTimestamp(at: at + offset)
        case .badStatus(let at)?: .badStatus(at: at + offset)
        case .badNumber(let at)?: .badNumber(at: at + offset)
        }
    }

    /// Bytes that end values in the formats (space, quote, backslash, `]`, digits, `-`), so a
    /// scan that looked past the line's end would find them.
    private static let lure = Array(#" "\] 200 - "x" \x22 HTTP/1.1 7"#.utf8)

    @Test(arguments: trickyLines)
    func trickyLineInsideALargerBufferAndAtAGuardPage(_ testCase: TrickyLine) throws {
        let parser = try testCase.makeParser()
        let line = testCase.line.value
        let expected = testCase.expected
        var rawEnd = line.count
        if rawEnd > 0, line[rawEnd - 1] == 0x0A { rawEnd -= 1 }
        if rawEnd > 0, line[rawEnd - 1] == 0x0D { rawEnd -= 1 }
        let layouts: [(prefix: [UInt8], suffix: [UInt8])] = [
            ([], []), (Self.lure, Self.lure), (Array(Self.lure.prefix(3)), [0x0A] + Self.lure), ([0x0A], Array(Self.lure.prefix(1))),
        ]
        for (prefix, suffix) in layouts {
            let buffer = prefix + line + suffix
            let lineRange = prefix.count..<(prefix.count + line.count)
            var parsed = ParsedLine()
            let matched = withBufferEndingAtGuardPage(buffer) { parser.parse($0, line: lineRange, into: &parsed) }
            let context = "prefix \(prefix.count), suffix \(suffix.count)"
            #expect(parsed.line == prefix.count..<(prefix.count + rawEnd), "\(context)")
            #expect(parsed.parseError == shifted(expected.error, by: prefix.count), "\(context)")
            #expect(matched == (expected.error == nil), "\(context)")
            guard expected.error == nil else { continue }
            func text(_ span: FieldSpan) -> Bytes {
                var output: [UInt8] = []
                buffer.withUnsafeBytes { Unescape.decode(span, in: $0, escaping: parser.format.escaping, into: &output) }
                return Bytes(output)
            }
            #expect(parsed.clientAddress?.bytes == expected.client.flatMap(inetPton), "\(context)")
            #expect(text(parsed.remoteAddr) == expected.remoteAddr ?? Bytes(Array((expected.client ?? "").utf8)), "\(context)")
            #expect(text(parsed.remoteUser) == expected.remoteUser, "\(context)")
            #expect(parsed.utcOffsetMinutes == expected.utcOffsetMinutes, "\(context)")
            #expect(parsed.method == expected.method, "\(context)")
            #expect(text(parsed.methodText) == expected.methodText, "\(context)")
            #expect(text(parsed.target) == expected.target, "\(context)")
            #expect(text(parsed.path) == expected.path, "\(context)")
            #expect(text(parsed.query) == expected.query, "\(context)")
            #expect(parsed.protocolVersion == expected.protocolVersion, "\(context)")
            #expect(parsed.status == expected.status, "\(context)")
            #expect(parsed.bodyBytesSent == expected.bodyBytesSent, "\(context)")
            #expect(text(parsed.referer) == expected.referer, "\(context)")
            #expect(text(parsed.userAgent) == expected.userAgent, "\(context)")
            #expect(text(parsed.host) == expected.host, "\(context)")
            #expect(text(parsed.scheme) == expected.scheme, "\(context)")
            #expect(parsed.siteSource == expected.siteSource, "\(context)")
            #expect(parsed.requestTimeMicros == expected.requestTimeMicros, "\(context)")
            #expect(parsed.upstreamResponseTimeMicros == expected.upstreamResponseTimeMicros, "\(context)")
            #expect(parsed.upstreamCacheStatus == expected.upstreamCacheStatus, "\(context)")
            #expect(parsed.requestLength == expected.requestLength, "\(context)")
            #expect(parsed.extras.map { ExpectedExtra(name: $0.name, value: text($0.value)) } == expected.extras, "\(context)")
        }
    }

    /// An escape (`\x41`, `\x22`) after 0–40 plain bytes in a literal-terminated value
    /// (`$remote_user`) and in quoted values (`$http_referer`, `$http_user_agent`), so it falls
    /// before, on and after every 8- and 16-byte boundary; and the same values without it.
    @Test func escapesAtEveryOffsetAroundWordAndVectorBoundaries() throws {
        let parser = LogParser(format: .combined)
        for run in 0...40 {
            for escaped in [false, true] {
                let user = String(repeating: "u", count: run) + (escaped ? #"\x41"# : "")
                let referer = String(repeating: "r", count: run) + (escaped ? #"\x22"# : "")
                let agent = String(repeating: "a", count: run) + (escaped ? #"\x5C"# : "") + "z"
                let line = Array(
                    (#"192.0.2.1 - \#(user) [28/Nov/2026:18:19:42 +0000] "GET / HTTP/1.1" 200 5 "\#(referer)" "\#(agent)""#)
                        .utf8)
                let expectedUser = Array((String(repeating: "u", count: run) + (escaped ? "A" : "")).utf8)
                let expectedReferer = Array((String(repeating: "r", count: run) + (escaped ? "\"" : "")).utf8)
                let expectedAgent = Array((String(repeating: "a", count: run) + (escaped ? "\\" : "") + "z").utf8)
                for suffix in [[], Self.lure] {
                    let buffer = line + suffix
                    var parsed = ParsedLine()
                    let matched = withBufferEndingAtGuardPage(buffer) {
                        parser.parse($0, line: 0..<line.count, into: &parsed)
                    }
                    try #require(matched, "run \(run), escaped \(escaped), suffix \(suffix.count)")
                    func text(_ span: FieldSpan) -> [UInt8] {
                        var output: [UInt8] = []
                        buffer.withUnsafeBytes { Unescape.decode(span, in: $0, escaping: .default, into: &output) }
                        return output
                    }
                    #expect(parsed.remoteUser.hasEscapes == escaped)
                    #expect(parsed.referer.hasEscapes == escaped)
                    #expect(parsed.userAgent.hasEscapes == escaped)
                    #expect(text(parsed.remoteUser) == expectedUser, "run \(run)")
                    #expect(text(parsed.referer) == expectedReferer, "run \(run)")
                    #expect(text(parsed.userAgent) == expectedAgent, "run \(run)")
                    #expect(parsed.status == 200)
                }
            }
        }
    }

    /// Literals of 1 to 17 bytes (one word compare up to eight, byte by byte beyond) after a
    /// literal-terminated value, after a quoted value and as the line's suffix, in lines that
    /// end at a guard page or have terminator bytes after them. Then every byte of the literal
    /// after the quoted value changed, and the line cut inside it: the errors are where the
    /// byte differs and where the line ends.
    @Test(arguments: [1, 2, 7, 8, 9, 15, 16, 17])
    func literalsAroundTheWordSize(length: Int) throws {
        let separator = length == 1 ? "~" : "<" + String(repeating: "=", count: length - 2) + ">"
        let parser = LogParser(
            format: try LogFormat("'$remote_addr\(separator)$status\(separator)\"$http_user_agent\"\(separator)$host\(separator)'"))
        let head = Array("192.0.2.1\(separator)200\(separator)\"agent x\"".utf8)
        let line = head + Array("\(separator)h.example\(separator)".utf8)
        let closingQuote = head.count - 1
        for suffix in [[], Self.lure] {
            let buffer = line + suffix
            var parsed = ParsedLine()
            let matched = withBufferEndingAtGuardPage(buffer) { parser.parse($0, line: 0..<line.count, into: &parsed) }
            #expect(matched && parsed.parseError == nil, "length \(length), suffix \(suffix.count)")
            #expect(parsed.clientAddress?.bytes == inetPton("192.0.2.1"))
            #expect(parsed.status == 200)
            #expect(buffer[parsed.userAgent.range] == Array("agent x".utf8)[...])
            #expect(buffer[parsed.host.range] == Array("h.example".utf8)[...])
            #expect(parsed.siteSource == .host)
        }
        for position in 1...length {
            var changed = line
            changed[closingQuote + position] = UInt8(ascii: "X")
            for suffix in [[], Self.lure] {
                var parsed = ParsedLine()
                _ = withBufferEndingAtGuardPage(changed + suffix) { parser.parse($0, line: 0..<line.count, into: &parsed) }
                #expect(parsed.parseError == .literalMismatch(at: closingQuote + position), "length \(length)")
            }
            let cut = Array(line.prefix(closingQuote + position))
            var parsed = ParsedLine()
            _ = withBufferEndingAtGuardPage(cut + Self.lure) { parser.parse($0, line: 0..<cut.count, into: &parsed) }
            #expect(parsed.parseError == .truncated(at: cut.count), "length \(length), cut at \(cut.count)")
        }
        var wrongSuffix = line
        wrongSuffix[line.count - 1] = UInt8(ascii: "X")
        var parsed = ParsedLine()
        _ = withBufferEndingAtGuardPage(wrongSuffix) { parser.parse($0, line: 0..<line.count, into: &parsed) }
        #expect(parsed.parseError == .truncated(at: line.count))
    }

    /// Lines of 1–64 digits-and-spaces under a format of numbers only, at the end of a buffer
    /// that ends at a guard page: the last value runs to the buffer's last byte, where the
    /// scans fall back to the shifted last word (or bytes, under eight). Expected values come
    /// from splitting the text with the standard library.
    @Test func numberFieldsEndingExactlyAtTheBufferEnd() throws {
        let parser = LogParser(format: try LogFormat(#"'$status $body_bytes_sent $request_length'"#))
        var random = SplitMix64(seed: 17)
        for _ in 0..<2_000 {
            let numbers = (0..<3).map { _ in String(UInt64.random(in: 0...(Bool.random(using: &random) ? 999 : 99_999_999), using: &random)) }
            let text = numbers.joined(separator: " ")
            let line = Array(text.utf8)
            var parsed = ParsedLine()
            let matched = withBufferEndingAtGuardPage(line) { parser.parse($0, line: 0..<line.count, into: &parsed) }
            let status = UInt64(numbers[0])
            if let status, numbers[0].count <= 3 {
                #expect(matched, "\(text)")
                #expect(UInt64(parsed.status) == status)
                #expect(parsed.bodyBytesSent == UInt64(numbers[1]))
                #expect(parsed.requestLength == UInt64(numbers[2]))
            } else {
                #expect(parsed.parseError == .badStatus(at: 0), "\(text)")
            }
        }
    }
}
