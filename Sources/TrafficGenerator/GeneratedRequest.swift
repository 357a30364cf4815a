/// One request as the generator decided it, before any formatting: the values here are what
/// the ground truth is computed from, so tests never depend on our own parser.
public struct GeneratedRequest: Sendable {
    /// Request end time, UTC, milliseconds since the Unix epoch (nginx logs at most ms precision).
    public var timeMs: Int64
    /// The client address as nginx prints it (`203.0.113.9`, `2001:db8::7`).
    public var clientIP: String
    public var remoteUser: String?
    /// `$host`: the site. For junk request lines it is the default server's name.
    public var site: String
    /// The whole `$request` line exactly as the client sent it (bytes, may be binary junk).
    public var requestLine: [UInt8]
    /// Method, path, query and protocol as the generator built them; `nil` for junk lines.
    public var method: String?
    public var path: [UInt8]
    public var query: [UInt8]?
    public var httpProtocol: String?
    public var status: Int
    public var bodyBytes: Int
    public var requestLength: Int
    public var requestTimeMs: Int
    /// One entry per upstream tried; empty when no upstream was involved (cache hit, 4xx at edge).
    public var upstreamTimesMs: [Int]
    /// `HIT`, `MISS`, ... or `nil` when no cache was involved (logged as `-`).
    public var cacheStatus: String?
    public var referer: String?
    public var userAgent: String?
    public var forwardedFor: String?
    /// The attack class the generator planted, if any.
    public var attack: AttackClass?
    /// A benign request built to look like an attack (`/search?q=union+station`): must not count.
    public var lookalike: Bool
    /// The timestamp is older than the lateness bound relative to the traffic around it.
    public var late: Bool

    public var timeUs: Int64 { timeMs * 1000 }
    public var minute: Int64 { floorDiv(timeMs, 60_000) * 60 }
}

/// The attack classes the consumer's detectors report.
public enum AttackClass: String, Codable, Sendable, CaseIterable {
    case sqlInjection = "sqli"
    case xss
    case pathTraversal = "traversal"
    case scanner
}

func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
