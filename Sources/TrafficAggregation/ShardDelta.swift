import HyperLogLog

/// What one flush writes to one shard for one partition: additive rows and the progress row
/// that goes with them, in one transaction (DESIGN §10.5).
///
/// Invariants: no two site rows share (minute, site) and no two file audit rows share (edge,
/// source file), so each can go through one `INSERT ... ON CONFLICT` statement; every value is
/// a sum of what the records since the previous delta of this shard added (nothing is in two
/// deltas); `nextOffset` / `watermarkMicros` are the progress row to compare-and-set.
public struct ShardDelta: Sendable {
    public let shard: Int
    public let topic: String
    public let partition: Int32
    /// The shard's progress after this delta: every record below it is counted in the shard.
    public let nextOffset: Int64
    /// The partition's watermark (µs, 0 = none yet) as of `nextOffset`.
    public let watermarkMicros: Int64
    /// Per-(minute, site) counters.
    public let siteRows: SiteRows
    /// Per-(edge, source file) audit counts.
    public let fileAudit: [FileAuditRow]
    /// Per-cause rejected records of this partition.
    public let rejected: [RejectedRow]
    /// Per site row, in `siteRows` order, the `hll` of its client IPs (written as
    /// `hexLiteral`); `nil` for a row without a known client IP. Empty when sketches are off.
    public let uniqueIPs: [HyperLogLog?]
    /// The top client IPs (`key`: PostgreSQL `inet` text) and top paths of each site row.
    public let topIPs: [TopTalkerRow]
    public let topPaths: [TopTalkerRow]
    /// Per site row (as `uniqueIPs`): the most requests a client IP / path not in `topIPs` /
    /// `topPaths` of the row can have had in this delta.
    public let topFloors: [TopFloor]
    /// Sampled attack requests (empty when detection or sampling is off).
    public let attackSamples: [AttackSample]

    /// Rows of every kind (what the memory bound counts).
    public var rowCount: Int {
        siteRows.count + fileAudit.count + rejected.count + topIPs.count + topPaths.count + attackSamples.count
    }

    /// Calls `body` with each site row: its minute (epoch seconds), site, and counters in
    /// `SiteCounter` order (a slice of the flat storage, no copy).
    public func forEachRow(_ body: (Int64, String, ArraySlice<Int64>) throws -> Void) rethrows {
        for index in siteRows.indices {
            let start = index * SiteCounter.count
            try body(
                siteRows.minuteEpochSeconds[index], siteRows.sites[index],
                siteRows.counterValues[start..<(start + SiteCounter.count)]
            )
        }
    }

    /// Whether only the progress row changes.
    public var isEmpty: Bool { rowCount == 0 }
}

/// The site rows of a delta, stored flat so building COPY text walks three arrays.
///
/// Row `i` is (`minuteEpochSeconds[i]`, `sites[i]`) with its `SiteCounter.count` counters at
/// `counterValues[i * SiteCounter.count ..< (i + 1) * SiteCounter.count]`, in `SiteCounter` order.
public struct SiteRows: Sendable, RandomAccessCollection {
    /// Start of each row's minute, epoch seconds UTC (a multiple of 60).
    public let minuteEpochSeconds: [Int64]
    /// Each row's stored site text (`SiteName` rules).
    public let sites: [String]
    /// All rows' counters, row after row.
    public let counterValues: [Int64]

    init(minuteEpochSeconds: [Int64], sites: [String], counterValues: [Int64]) {
        precondition(minuteEpochSeconds.count == sites.count)
        precondition(counterValues.count == sites.count * SiteCounter.count)
        self.minuteEpochSeconds = minuteEpochSeconds
        self.sites = sites
        self.counterValues = counterValues
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { sites.count }

    public subscript(index: Int) -> SiteRow {
        let start = index * SiteCounter.count
        return SiteRow(
            minuteEpochSeconds: minuteEpochSeconds[index],
            site: sites[index],
            counters: counterValues[start..<(start + SiteCounter.count)]
        )
    }
}

/// One (minute, site) row: a view into `SiteRows` (no copy of the counters).
public struct SiteRow: Sendable {
    public let minuteEpochSeconds: Int64
    public let site: String
    /// `SiteCounter.count` values in `SiteCounter` order (indices start where the slice does).
    public let counters: ArraySlice<Int64>

    /// The value of one counter.
    public subscript(counter: SiteCounter) -> Int64 {
        counters[counters.startIndex + counter.index]
    }
}

/// The loss audit of one file (DESIGN §1: every line counted or its loss visible): what the
/// shipper says it shipped and lost, beside what the consumer counted.
///
/// Summed over shards and deltas, once a stream is fully consumed, `shippedLines` equals
/// `countedLines` for every file whose lines all arrived.
public struct FileAuditRow: Sendable, Equatable {
    public let edge: String
    public let sourceFile: String
    /// Sum of `shippedLines` of the file's `fileStats` records.
    public let shippedLines: Int64
    /// Sum of `lostLines` of the file's `fileStats` records.
    public let lostLines: Int64
    /// Sum of `lostBytes` of the file's `fileStats` records: file bytes never read, every
    /// cause together.
    public let lostBytes: Int64
    /// Request records of the file counted in this shard (parsed, unparsed and late alike).
    public let countedLines: Int64
    /// `fileStats` records counted.
    public let statsRecords: Int64
    /// Of `countedLines`, the request records counted under `SiteName.other` because their own
    /// site was beyond the per-minute site cap.
    public let foldedLines: Int64
    /// Of `lostBytes`: sum of `lostBytesReplaced` of the `fileStats` records (content replaced
    /// by copytruncate before it was read).
    public let lostBytesReplaced: Int64
    /// Of `lostBytes`: sum of `lostBytesUnfinished` of the `fileStats` records (a finished
    /// file's last line without `\n`).
    public let lostBytesUnfinished: Int64

    public init(
        edge: String, sourceFile: String, shippedLines: Int64, lostLines: Int64, lostBytes: Int64,
        countedLines: Int64, statsRecords: Int64, foldedLines: Int64 = 0, lostBytesReplaced: Int64 = 0,
        lostBytesUnfinished: Int64 = 0
    ) {
        self.edge = edge
        self.sourceFile = sourceFile
        self.shippedLines = shippedLines
        self.lostLines = lostLines
        self.lostBytes = lostBytes
        self.countedLines = countedLines
        self.statsRecords = statsRecords
        self.foldedLines = foldedLines
        self.lostBytesReplaced = lostBytesReplaced
        self.lostBytesUnfinished = lostBytesUnfinished
    }
}

/// Records of one partition rejected for one cause since the previous delta.
public struct RejectedRow: Sendable, Equatable {
    public let cause: RejectCause
    public let count: Int64
    /// Offset of the first and last such record, for finding them in the log.
    public let firstOffset: Int64
    public let lastOffset: Int64

    public init(cause: RejectCause, count: Int64, firstOffset: Int64, lastOffset: Int64) {
        self.cause = cause
        self.count = count
        self.firstOffset = firstOffset
        self.lastOffset = lastOffset
    }
}

/// One top-talker row of a delta: a key of a site row's Space-Saving sketch. `requests` is an
/// upper bound of the key's requests in the delta, `requests - error` a lower bound.
public struct TopTalkerRow: Sendable, Equatable {
    /// Index of the site row (minute, site) in the delta's `siteRows`.
    public let row: Int
    public let key: String
    public let requests: Int64
    public let error: Int64
    /// Per attack class (sqli, xss, traversal, scanner), the key's classified requests while
    /// the sketch monitored it (a lower bound); zero for paths.
    public let attacks: SIMD4<Int64>

    public init(row: Int, key: String, requests: Int64, error: Int64, attacks: SIMD4<Int64> = .zero) {
        self.row = row
        self.key = key
        self.requests = requests
        self.error = error
        self.attacks = attacks
    }
}

/// The sketches' floors of one site row of a delta (`TopKeySketch.floor(excludingTop:)`).
public struct TopFloor: Sendable, Equatable {
    public let ip: Int64
    public let path: Int64

    public init(ip: Int64, path: Int64) {
        self.ip = ip
        self.path = path
    }
}
