/// A variable that can appear in an nginx `log_format`, as far as this parser knows it.
///
/// Every variable the record needs has its own case and fills a typed field of `ParsedLine`.
/// Any other variable (`$upstream_addr`, `$ssl_protocol`, `$cookie_x`, ...) is `.other(name)`
/// and is kept as text in `ParsedLine.extras`, so no format is refused because of a variable.
public enum LogVariable: Sendable, Hashable {
    case remoteAddr
    case remoteUser
    case timeLocal
    case timeISO8601
    case msec
    case request
    case requestMethod
    case requestURI
    case uri
    case args
    case serverProtocol
    case status
    case bodyBytesSent
    case bytesSent
    case httpReferer
    case httpUserAgent
    case httpXForwardedFor
    case host
    /// The `Host` header as the client sent it (any case, maybe with a port).
    case httpHost
    case serverName
    case scheme
    case requestTime
    case upstreamResponseTime
    case upstreamCacheStatus
    case requestLength
    /// Any variable without a typed field; the name is written without `$` or braces.
    case other(String)

    /// Maps an nginx variable name (without `$`) to its case. Like nginx, which lower-cases
    /// variable names when it compiles a configuration, the name is case-insensitive
    /// (`$Remote_Addr` is `$remote_addr`); an `.other` name is kept lower-cased.
    public init(name: String) {
        let name =
            name.utf8.contains { $0 &- UInt8(ascii: "A") < 26 }
            ? String(decoding: name.utf8.map { $0 &- UInt8(ascii: "A") < 26 ? $0 | 0x20 : $0 }, as: UTF8.self)
            : name
        switch name {
        case "remote_addr": self = .remoteAddr
        case "remote_user": self = .remoteUser
        case "time_local": self = .timeLocal
        case "time_iso8601": self = .timeISO8601
        case "msec": self = .msec
        case "request": self = .request
        case "request_method": self = .requestMethod
        case "request_uri": self = .requestURI
        case "uri", "document_uri": self = .uri
        case "args", "query_string": self = .args
        case "server_protocol": self = .serverProtocol
        case "status": self = .status
        case "body_bytes_sent": self = .bodyBytesSent
        case "bytes_sent": self = .bytesSent
        case "http_referer": self = .httpReferer
        case "http_user_agent": self = .httpUserAgent
        case "http_x_forwarded_for": self = .httpXForwardedFor
        case "host": self = .host
        case "http_host": self = .httpHost
        case "server_name": self = .serverName
        case "scheme": self = .scheme
        case "request_time": self = .requestTime
        case "upstream_response_time": self = .upstreamResponseTime
        case "upstream_cache_status": self = .upstreamCacheStatus
        case "request_length": self = .requestLength
        default: self = .other(name)
        }
    }

    /// The nginx name, without `$`.
    public var name: String {
        switch self {
        case .remoteAddr: "remote_addr"
        case .remoteUser: "remote_user"
        case .timeLocal: "time_local"
        case .timeISO8601: "time_iso8601"
        case .msec: "msec"
        case .request: "request"
        case .requestMethod: "request_method"
        case .requestURI: "request_uri"
        case .uri: "uri"
        case .args: "args"
        case .serverProtocol: "server_protocol"
        case .status: "status"
        case .bodyBytesSent: "body_bytes_sent"
        case .bytesSent: "bytes_sent"
        case .httpReferer: "http_referer"
        case .httpUserAgent: "http_user_agent"
        case .httpXForwardedFor: "http_x_forwarded_for"
        case .host: "host"
        case .httpHost: "http_host"
        case .serverName: "server_name"
        case .scheme: "scheme"
        case .requestTime: "request_time"
        case .upstreamResponseTime: "upstream_response_time"
        case .upstreamCacheStatus: "upstream_cache_status"
        case .requestLength: "request_length"
        case .other(let name): name
        }
    }

    /// Whether nginx writes the value as a list joined with `, ` (several upstreams tried) and
    /// ` : ` (an internal redirect to another upstream), like `$upstream_response_time`
    /// `0.000, 0.016 : 0.002`; `$http_x_forwarded_for` is a `, ` list too.
    var isListValued: Bool {
        switch self {
        case .upstreamResponseTime, .httpXForwardedFor:
            true
        case .other(let name):
            switch name {
            case "upstream_addr", "upstream_status", "upstream_connect_time", "upstream_header_time",
                "upstream_response_length", "upstream_bytes_received", "upstream_bytes_sent", "upstream_queue_time":
                true
            default:
                false
            }
        default:
            false
        }
    }

    /// Whether this variable may be followed by `next` with no literal in between: when its
    /// value ends by itself, and in nginx's idiom `$uri$is_args$args` (`$is_args` is `?` or
    /// empty, so `$uri` ends at its first `?`, or before the `-` of an absent `$args`).
    func mayPrecede(_ next: LogVariable) -> Bool {
        isSelfDelimiting || self == .isArgs || (self == .uri && next == .isArgs)
    }

    /// `$is_args`: `?` when the request has arguments, else empty (never `-`).
    static let isArgs = LogVariable.other("is_args")

    /// Whether the variable's value ends by itself, so that another variable may follow it with
    /// no literal in between (`$host$request_uri` is fine, `$status$body_bytes_sent` is refused).
    var isSelfDelimiting: Bool { valueClass != nil }

    /// The bytes a self-delimiting value is made of; `nil` for other variables.
    var valueClass: ValueClass? {
        switch self {
        case .remoteAddr: .address
        case .host, .serverName: .hostName
        case .scheme, .requestMethod: .token
        default: nil
        }
    }
}

/// The bytes a self-delimiting variable's value can contain; the value ends at the first byte
/// outside its class. The next variable's first byte is outside it in every line nginx writes
/// for the formats we accept (`/` after `$host`, `:` after `$scheme`...).
enum ValueClass {
    /// Hex digits, `.`, `:` (IPv4/IPv6), `-` (empty), letters (`unix:`).
    case address
    /// Host names: letters, digits, `.`, `-`, `_`, and `[`, `]`, `:` of an IPv6 literal.
    case hostName
    /// Method or scheme: letters, digits, `-`.
    case token

    func continues(_ byte: UInt8) -> Bool {
        switch self {
        case .address:
            byte.isASCIIAlphanumeric || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
                || byte == UInt8(ascii: "-")
        case .hostName:
            byte.isASCIIAlphanumeric || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "[")
                || byte == UInt8(ascii: "]")
        case .token:
            byte.isASCIIAlphanumeric || byte == UInt8(ascii: "-")
        }
    }
}

extension UInt8 {
    var isASCIIDigit: Bool { self &- UInt8(ascii: "0") < 10 }
    var isASCIIAlphanumeric: Bool {
        isASCIIDigit || (self | 0x20) &- UInt8(ascii: "a") < 26
    }
}
