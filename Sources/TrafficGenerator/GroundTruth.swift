import Foundation

/// What the generator wrote, per (minute UTC, site), computed from the values before they
/// were formatted. Pipeline tests compare their output with this, never with our own parser.
///
/// Counting rules (the contract tests rely on):
/// - every request line, including late ones and non-HTTP junk request lines (status 400),
///   counts in `requests` of the minute of its own timestamp;
/// - `late` is the subset stamped beyond the lateness bound, `junkRequests` the subset of
///   non-HTTP request lines;
/// - broken lines (not in the log format at all) belong to no site and no minute: they are only
///   in `GroundTruth.brokenLines`.
public struct GroundTruth: Codable, Sendable, Equatable {
    public struct Window: Codable, Sendable, Equatable {
        /// Start of the minute, UTC seconds since the epoch.
        public var minute: Int64
        public var site: String
        public var requests = 0
        public var bodyBytes = 0
        public var requestBytes = 0
        /// Keys "1xx" ... "5xx".
        public var statusClasses: [String: Int] = [:]
        /// Keys `HIT`, `MISS`, ... and `none` for `-`.
        public var cacheStatuses: [String: Int] = [:]
        public var requestTimeUsSum: Int64 = 0
        public var distinctClients = 0
        public var junkRequests = 0
        public var late = 0
        /// Keys are `AttackClass` raw values.
        public var attacks: [String: Int] = [:]
        public var lookalikes = 0
        /// Requests per planted heavy-hitter or flood client in this window.
        public var plantedClients: [String: Int] = [:]
        /// Requests per planted heavy-hitter path in this window.
        public var plantedPaths: [String: Int] = [:]

        init(minute: Int64, site: String) {
            self.minute = minute
            self.site = site
        }
    }

    public var seed: UInt64
    public var format: String
    public var lines = 0
    public var brokenLines = 0
    public var heavyClients: [String] = []
    public var heavyPaths: [String] = []
    public var floodClient: String?
    public var floodSite: String?
    /// Sorted by minute, then site.
    public var windows: [Window] = []

    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(self).write(to: url, options: .atomic)
    }

    public static func read(from url: URL) throws -> GroundTruth {
        try JSONDecoder().decode(GroundTruth.self, from: Data(contentsOf: url))
    }
}

/// Accumulates `GroundTruth` request by request.
struct GroundTruthAccumulator {
    private struct Key: Hashable { var minute: Int64; var site: String }
    private var windows: [Key: GroundTruth.Window] = [:]
    private var clients: [Key: Set<String>] = [:]
    private let planted: Set<String>
    private let plantedPathSet: Set<[UInt8]>
    var truth: GroundTruth

    init(truth: GroundTruth) {
        self.truth = truth
        planted = Set(truth.heavyClients + (truth.floodClient.map { [$0] } ?? []))
        plantedPathSet = Set(truth.heavyPaths.map { Array($0.utf8) })
    }

    mutating func add(_ r: GeneratedRequest) {
        truth.lines += 1
        let key = Key(minute: r.minute, site: r.site)
        var w = windows[key] ?? GroundTruth.Window(minute: key.minute, site: key.site)
        w.requests += 1
        w.bodyBytes += r.bodyBytes
        w.requestBytes += r.requestLength
        w.statusClasses["\(r.status / 100)xx", default: 0] += 1
        w.cacheStatuses[r.cacheStatus ?? "none", default: 0] += 1
        w.requestTimeUsSum += Int64(r.requestTimeMs) * 1000
        if r.method == nil { w.junkRequests += 1 }
        if r.late { w.late += 1 }
        if let attack = r.attack { w.attacks[attack.rawValue, default: 0] += 1 }
        if r.lookalike { w.lookalikes += 1 }
        if planted.contains(r.clientIP) { w.plantedClients[r.clientIP, default: 0] += 1 }
        if plantedPathSet.contains(r.path) { w.plantedPaths[String(decoding: r.path, as: UTF8.self), default: 0] += 1 }
        windows[key] = w
        clients[key, default: []].insert(r.clientIP)
    }

    mutating func addBrokenLine() {
        truth.lines += 1
        truth.brokenLines += 1
    }

    func finish() -> GroundTruth {
        var result = truth
        result.windows = windows.map { key, window in
            var w = window
            w.distinctClients = clients[key]?.count ?? 0
            return w
        }.sorted { ($0.minute, $0.site) < ($1.minute, $1.site) }
        return result
    }
}
