/// What traffic to generate. Every knob has a default that looks like a busy CDN edge.
public struct TrafficProfile: Sendable {
    public var seed: UInt64 = 1
    /// First request time, UTC milliseconds since the epoch (default 2026-11-28T12:00:00Z).
    public var startTimeMs: Int64 = 1_795_867_200_000
    /// Simulated requests per second of log time (decides how many minutes the log spans).
    public var requestsPerSecond: Int = 2_000
    public var siteCount: Int = 50
    public var clientCount: Int = 100_000
    /// Share of clients with an IPv6 address.
    public var ipv6Share: Double = 0.08
    /// Up to this many seconds of jitter: nginx logs at request end, so lines are not in time order.
    public var jitterSeconds: Int = 3
    /// Share of requests carrying an attack payload or a scanner user agent.
    public var attackShare: Double = 0.02
    /// Share of benign requests that look like attacks.
    public var lookalikeShare: Double = 0.01
    /// Share of non-HTTP junk request lines (logged by nginx with status 400).
    public var junkRequestShare: Double = 0.002
    /// Share of lines that do not match the log format at all (torn writes, foreign text).
    public var brokenLineShare: Double = 0.0
    /// Share of requests stamped later than `latenessBoundSeconds` behind the traffic around them.
    public var lateShare: Double = 0.0
    public var latenessBoundSeconds: Int = 3600
    /// Planted heavy-hitter clients and paths, each taking `heavyHitterShare` of all requests.
    public var heavyClients: Int = 0
    public var heavyPaths: Int = 0
    public var heavyHitterShare: Double = 0.02
    /// A flood: one client sending `floodShare` of all requests to one site.
    public var flood: Bool = false
    public var floodShare: Double = 0.25
    /// Offset of `$time_local` / `$time_iso8601` from UTC, in minutes (e.g. 330 for +0530).
    public var utcOffsetMinutes: Int = 0

    public init() {}
}
