import AccessRecord
import AttackDetection
import HyperLogLog
import NginxLog

/// Turns the records of one Kafka partition, read in offset order, into additive
/// per-(minute UTC, site) deltas for each shard, with the progress row that goes with each.
///
/// Pure: no sockets, no database, no clock. Every decision is a function of the partition's
/// records (and the fixed ring and lateness bound), so a replay after a crash decides exactly
/// as the first run did, and with the per-shard skip (DESIGN §10.6) each record is counted
/// once in each shard.
///
/// Rules per record (DESIGN §5):
/// - **Watermark**: the largest `timeUs` of the request records read so far (0 = none yet;
///   records with `timeUs == 0` do not move it). Late, skipped and unparsed requests move it too.
/// - **Late**: a request with `timeUs != 0` and `timeUs < watermark − latenessMicros` (the
///   watermark before the record) adds 1 to `rejected_late` of (minute of the watermark, its
///   site) and nothing else.
/// - **Parsed request**: its minute from `timeUs` gets requests, bytes, status, cache,
///   latency and `truncated`.
/// - **Unparsed** (`parseError`): `unparsed` (and `truncated`) of (minute, site or
///   `SiteName.unknown`).
/// - A request without a time (`timeUs == 0`, parsed or not) lands in the watermark's minute,
///   or, before any watermark, in the minute of the Kafka record timestamp.
/// - **fileStats**: shipped / lost / lost-bytes / `statsRecords` of the audit row
///   (edge, source file) on the shard `ring.shard(forSite: edge + "\n" + sourceFile)` (stored
///   texts; "\n" because it cannot occur in a file name nginx writes, so distinct pairs make
///   distinct keys, and hashing the pair spreads one edge's files over the shards).
/// - Every request record adds 1 to `countedLines` of its (edge, source file) audit row on
///   **its site's shard**, so that shard's skip guards it with the site's rows; summed over
///   shards, a fully consumed stream has `countedLines == shippedLines` per file.
/// - An unknown `kind` ordinal is rejected (`unknown_kind`); `reject(offset:cause:)` records
///   what the consumer could not decode. Rejected rows go to shard `partition % shardCount`.
/// - **Skip**: a record whose destination shard has committed progress above its offset is not
///   counted again there. Records below `nextOffset` (a fetch returns whole batches, so records
///   before the requested offset come back) are ignored entirely: they were read already.
///
/// Hot path: once a record's site, edge and file have been seen, `add` allocates nothing but
/// the growth of pending rows (a new (minute, site) in a shard since its last delta).
public struct PartitionAggregator: Sendable {
    public let topic: String
    public let partition: Int32
    public let ring: ShardRing
    /// How far behind the watermark a request may be and still count in its own minute.
    public let latenessMicros: Int64
    /// Where reading starts: the smallest committed progress over the shards.
    public let startOffset: Int64
    /// The offset after the last record read (the progress of a shard that is caught up).
    public private(set) var nextOffset: Int64
    /// The partition's watermark as of `nextOffset` (µs since the epoch, 0 = none yet).
    public private(set) var watermarkMicros: Int64
    /// Counts of what `add` did, for metrics.
    public private(set) var statistics = AggregatorStatistics()

    /// Per shard: its committed progress at resume (reported unchanged until reading passes it).
    private let resumedProgress: [ShardProgress?]
    /// Per shard: records below this offset are already in the shard.
    private let skipBelow: [Int64]
    private var pending: [PendingShard]
    private var sites: SiteTable
    private var edges: SiteTable
    private var files: SiteTable
    /// (edge id, file id) -> index into `auditShards`: the shard of the pair's fileStats.
    private var auditShardTable = PairTable(initialCapacity: 16)
    private var auditShards: [Int32] = []
    private let rejectShard: Int
    /// The per-minute site cap shared by every partition's aggregator (`nil`: no cap).
    private let admission: SiteAdmission?
    /// (minute, site id) -> index into `admittedSites`: this aggregator's cache of
    /// `admission`'s answers (emptied when it grows large; the answers never change).
    private var admissionCache = PairTable(initialCapacity: 256)
    /// The site id a (minute, site) is counted under: the site itself or `otherSite`.
    private var admittedSites: [Int32] = []
    private var otherSite: Int32 = -1
    /// Rows of top talkers per kind and site row written per delta (sketches on).
    private let sketchOptions: SketchOptions?
    /// `nil`: attack detection off (the `attacks_*` counters stay 0).
    private var detector: AttackDetector?
    private let attackOptions: AttackOptions

    /// - Parameters:
    ///   - latenessMicros: the lateness bound (DESIGN §5 default: one hour). It must stay the
    ///     same across restarts (change it only after a drain), or a replay could decide differently.
    ///   - resume: one entry per shard of `ring` (check data read from the shards with
    ///     `PartitionResume.validate(shardCount:)` first).
    /// - Precondition: `partition >= 0`, `latenessMicros >= 0`, `resume.shards.count ==
    ///   ring.shardCount`, every resumed offset >= 0.
    ///   - admission: the per-minute site cap shared with the other partitions' aggregators;
    ///     `nil` = no cap.
    ///   - sketches: sizes of the unique-IP and top-talker sketches; `nil` = sketches off.
    ///   - attacks: how classified requests are sampled; `nil` = attack detection off.
    public init(
        topic: String, partition: Int32, ring: ShardRing, latenessMicros: Int64, resume: PartitionResume,
        admission: SiteAdmission? = nil, sketches: SketchOptions? = nil, attacks: AttackOptions? = nil
    ) {
        precondition(partition >= 0, "partition \(partition) < 0")
        precondition(latenessMicros >= 0, "lateness \(latenessMicros) µs < 0")
        precondition(
            resume.shards.count == ring.shardCount,
            "resume has \(resume.shards.count) shards, the ring \(ring.shardCount)"
        )
        precondition(resume.shards.allSatisfy { ($0?.nextOffset ?? 0) >= 0 }, "negative resumed offset")
        self.topic = topic
        self.partition = partition
        self.ring = ring
        self.latenessMicros = latenessMicros
        startOffset = resume.startOffset
        nextOffset = resume.startOffset
        watermarkMicros = resume.startWatermarkMicros
        resumedProgress = resume.shards
        skipBelow = resume.shards.map { $0?.nextOffset ?? 0 }
        pending = Array(repeating: PendingShard(sketchOptions: sketches), count: ring.shardCount)
        sites = SiteTable(ring: ring)
        edges = SiteTable(ring: ring, initialCapacity: 16)
        files = SiteTable(ring: ring, initialCapacity: 64)
        rejectShard = Int(partition) % ring.shardCount
        self.admission = admission
        self.sketchOptions = sketches
        detector = attacks == nil ? nil : AttackDetector()
        attackOptions = attacks ?? AttackOptions()
        if admission != nil {
            otherSite = sites.id(for: SiteName.other)
        }
    }

    // MARK: - Adding records

    /// Counts one decoded record read at `offset` (Kafka record timestamp `timestampMs`).
    ///
    /// - Parameter attacks: the record's attack classes found beforehand with
    ///   `AttackDetector.classifyRemembering(_:)` (the consumer classifies on another task, ahead of
    ///   aggregation); `nil`: the aggregator classifies the record itself. Ignored when attack
    ///   detection is off. Either way the count is the same: the classes are a pure function of
    ///   the record.
    /// - Precondition: `0 <= offset < Int64.max`.
    public mutating func add(
        _ record: AccessRecordReader, offset: Int64, timestampMs: Int64, attacks: AttackClasses? = nil
    ) {
        precondition(offset >= 0 && offset < .max, "offset \(offset) out of range")
        guard offset >= nextOffset else {
            statistics.ignoredRecords += 1
            return
        }
        nextOffset = offset + 1
        statistics.records += 1
        switch record.kindOrdinal {
        case AccessRecord.RecordKind.request.rawValue:
            addRequest(record, offset: offset, timestampMs: timestampMs, attacks: attacks)
        case AccessRecord.RecordKind.fileStats.rawValue:
            addFileStats(record, offset: offset)
        default:
            addRejected(.unknownKind, offset: offset)
        }
    }

    /// Counts a record the consumer could not use (e.g. `.undecodable`: the value did not decode).
    ///
    /// - Precondition: `0 <= offset < Int64.max`.
    public mutating func reject(offset: Int64, cause: RejectCause) {
        precondition(offset >= 0 && offset < .max, "offset \(offset) out of range")
        guard offset >= nextOffset else {
            statistics.ignoredRecords += 1
            return
        }
        nextOffset = offset + 1
        statistics.records += 1
        addRejected(cause, offset: offset)
    }

    /// Counts the offsets `nextOffset ..< offset` — records that no longer exist (e.g. the
    /// broker's retention removed them before they were read, `.retentionGap`) — as rejected in
    /// one step, and moves `nextOffset` to `offset`. Nothing happens when `offset <= nextOffset`.
    public mutating func rejectGap(upTo offset: Int64, cause: RejectCause) {
        guard offset > nextOffset else { return }
        let start = nextOffset
        nextOffset = offset
        statistics.records += offset - start
        // Offsets below the reject shard's progress are in it already.
        let first = max(start, skipBelow[rejectShard])
        statistics.skippedRecords += min(first, offset) - start
        guard first < offset else { return }
        statistics.rejectedRecords += offset - first
        pending[rejectShard].addRejected(cause, firstOffset: first, lastOffset: offset - 1)
    }

    /// Moves past offsets of a batch that hold no record (Kafka allows gaps: compacted records,
    /// transaction markers): nothing existed there, so nothing is counted. Without this a batch
    /// whose last offset has no record would be fetched again forever.
    public mutating func skipEmptyOffsets(through lastOffset: Int64) {
        guard lastOffset >= nextOffset, lastOffset < .max else { return }
        nextOffset = lastOffset + 1
    }

    private mutating func addRejected(_ cause: RejectCause, offset: Int64) {
        guard offset >= skipBelow[rejectShard] else {
            statistics.skippedRecords += 1
            return
        }
        statistics.rejectedRecords += 1
        pending[rejectShard].addRejected(cause, firstOffset: offset, lastOffset: offset)
    }

    private mutating func addRequest(
        _ record: AccessRecordReader, offset: Int64, timestampMs: Int64, attacks: AttackClasses?
    ) {
        let timeUs = record.timeUs
        let watermarkBefore = watermarkMicros
        if timeUs != 0 && (watermarkBefore == 0 || timeUs > watermarkBefore) {
            watermarkMicros = timeUs
        }
        let late = timeUs != 0 && isLate(timeUs, watermark: watermarkBefore)
        let minute: Int64
        if timeUs != 0 && !late {
            minute = EventTime.minute(ofMicros: timeUs)
        } else if watermarkMicros != 0 {
            minute = EventTime.minute(ofMicros: watermarkMicros)
        } else {
            minute = EventTime.minute(ofMillis: timestampMs)
        }
        let ownSite = sites.id(for: record.text(.site))
        let site = admittedSite(ownSite, minute: minute)
        let shard = sites.shard(of: site)
        guard offset >= skipBelow[shard] else {
            statistics.skippedRecords += 1
            return
        }
        let edge = edges.id(for: record.text(.edge))
        let file = files.id(for: record.text(.sourceFile))
        let folded: Int64 = site == ownSite ? 0 : 1
        pending[shard].withAuditRow(edge: edge, file: file) { counts in
            counts.countedLines += 1
            counts.foldedLines += folded
        }

        if late {
            statistics.lateRecords += 1
            pending[shard].withSiteRow(minute: minute, site: site) { row in
                row[Counter.rejectedLate] += 1
            }
            return
        }
        let truncated = record.truncated
        if record.parseError {
            statistics.unparsedRecords += 1
            pending[shard].withSiteRow(minute: minute, site: site) { row in
                row[Counter.unparsed] += 1
                if truncated { row[Counter.truncated] += 1 }
            }
            return
        }
        let status = record.status
        let statusClass = Self.statusClassIndex(status)
        let statusCode = Self.statusCodeIndex(status)
        let cache = Self.cacheIndex(record.cacheStatusOrdinal)
        let bodyBytes = Int64(clamping: record.bodyBytesSent)
        let requestBytes = Int64(clamping: record.requestLength)
        let requestTimeUs = record.requestTimeUs
        let latency = Counter.latencyFirst + LatencyHistogram.bucket(forMicros: requestTimeUs)
        let fineLatency = LatencyHistogram.fineBucket(forMicros: requestTimeUs).map { Counter.latencyFineFirst + $0 }
        let requestTime = Int64(clamping: requestTimeUs)
        let timeAbsent = record.requestTimeAbsent
        // Bits 0...3 = sqli, xss, traversal, scanner: the attack counters' order.
        var marks: UInt8 = 0
        if detector != nil {
            // Optional chaining mutates the detector (its memos) in place, no copy.
            let classes = attacks ?? detector?.classifyRemembering(record) ?? []
            marks = classes.rawValue & 0x0F
        }
        let row = pending[shard].siteRow(minute: minute, site: site)
        pending[shard].withCounters(ofRow: row) { row in
            row[Counter.requests] += 1
            row[Counter.bodyBytes].addSaturating(bodyBytes)
            row[Counter.requestBytes].addSaturating(requestBytes)
            row[statusClass] += 1
            if statusCode >= 0 { row[statusCode] += 1 }
            row[cache] += 1
            // A format without $request_time measured nothing: such a request is in the
            // counts but not in the latency histograms or the time sum (whose quotients, mean
            // and percentiles, divide by the histogram's total).
            if !timeAbsent {
                row[Counter.requestTimeUsSum].addSaturating(requestTime)
                row[latency] += 1
                if let fineLatency { row[fineLatency] += 1 }
            }
            if truncated { row[Counter.truncated] += 1 }
            if marks != 0 {
                for bit in 0..<4 where marks & (1 << bit) != 0 { row[Counter.attacksFirst + bit] += 1 }
            }
        }
        if sketchOptions != nil {
            pending[shard].addToSketches(
                ofRow: row, clientIP: record.data(.clientIp), path: record.text(.path), marks: marks)
        }
        if marks != 0 {
            statistics.attackRecords += 1
            if attackOptions.samplesPerClass > 0 { sampleAttack(record, marks: marks, shard: shard, row: row) }
        }
    }

    /// Keeps `record` as a sample of each of its classes whose count in `row` (just raised)
    /// is still within `samplesPerClass`: the first ones of the row in this delta, in slots
    /// 0, 1, ... (the shard drops a slot already taken by an earlier delta of the minute).
    private mutating func sampleAttack(_ record: AccessRecordReader, marks: UInt8, shard: Int, row: Int) {
        var request: [UInt8] = []
        var line: String?
        for bit in 0..<4 where marks & (1 << bit) != 0 {
            let count = pending[shard].counter(Counter.attacksFirst + bit, ofRow: row)
            guard count <= Int64(attackOptions.samplesPerClass) else { continue }
            if line == nil {
                request.append(contentsOf: record.loggedMethod)
                request.append(UInt8(ascii: " "))
                request.append(contentsOf: record.text(.path))
                let query = record.text(.query)
                if !query.isEmpty {
                    request.append(UInt8(ascii: "?"))
                    request.append(contentsOf: query)
                }
                line = request.withUnsafeBytes { AttackSample.text($0, limit: attackOptions.sampleTextLimit) }
            }
            let clientIP = IPAddress(recordBytes: record.data(.clientIp))?.description
            pending[shard].attackSamples.append(
                AttackSample(
                    row: row, attackClass: AttackClasses.named[bit].1, slot: Int(count - 1),
                    timeMicros: record.timeUs, clientIP: clientIP, request: line ?? "",
                    userAgent: AttackSample.text(record.text(.userAgent), limit: attackOptions.sampleTextLimit)))
        }
    }

    /// The site id the rows of (`minute`, `site`) are counted under: `site` while the cap
    /// admits it, else `SiteName.other` (`SiteAdmission`).
    @inline(__always)
    private mutating func admittedSite(_ site: Int32, minute: Int64) -> Int32 {
        guard let admission else { return site }
        if admissionCache.count >= Self.admissionCacheLimit {
            admissionCache.removeAll()
            admittedSites.removeAll(keepingCapacity: true)
        }
        let (index, inserted) = admissionCache.row(minute, site)
        if inserted {
            let admitted = admission.admit(minute: minute, site: sites.name(of: site))
            admittedSites.append(admitted ? site : otherSite)
        }
        return admittedSites[index]
    }

    private static let admissionCacheLimit = 1 << 16

    private mutating func addFileStats(_ record: AccessRecordReader, offset: Int64) {
        let edge = edges.id(for: record.text(.edge))
        let file = files.id(for: record.text(.sourceFile))
        let shard = auditShard(edge: edge, file: file)
        guard offset >= skipBelow[shard] else {
            statistics.skippedRecords += 1
            return
        }
        let shipped = Int64(clamping: record.shippedLines)
        let lost = Int64(clamping: record.lostLines)
        let lostBytes = Int64(clamping: record.lostBytes)
        // Parts of `lostBytes` by cause (0 from shippers that predate them); summed as they
        // come, not checked against the total: a reader derives deleted unread as the rest.
        let lostBytesReplaced = Int64(clamping: record.lostBytesReplaced)
        let lostBytesUnfinished = Int64(clamping: record.lostBytesUnfinished)
        pending[shard].withAuditRow(edge: edge, file: file) { counts in
            counts.shippedLines.addSaturating(shipped)
            counts.lostLines.addSaturating(lost)
            counts.lostBytes.addSaturating(lostBytes)
            counts.lostBytesReplaced.addSaturating(lostBytesReplaced)
            counts.lostBytesUnfinished.addSaturating(lostBytesUnfinished)
            counts.statsRecords += 1
        }
    }

    /// Whether a request at `timeUs` is beyond the lateness bound of `watermark` (the
    /// watermark before the record; none yet means nothing is late).
    @inline(__always)
    private func isLate(_ timeUs: Int64, watermark: Int64) -> Bool {
        guard watermark != 0 else { return false }
        let (bound, overflow) = watermark.subtractingReportingOverflow(latenessMicros)
        return !overflow && timeUs < bound
    }

    /// The shard of a file's audit row for its fileStats records: the ring's shard of
    /// "<edge>\n<source file>" (stored texts), computed once per pair.
    private mutating func auditShard(edge: Int32, file: Int32) -> Int {
        let (index, inserted) = auditShardTable.row(Int64(edge), file)
        if inserted {
            let key = edges.name(of: edge) + "\n" + files.name(of: file)
            auditShards.append(Int32(ring.shard(forSite: key)))
        }
        return Int(auditShards[index])
    }

    // MARK: - Taking deltas

    /// Cuts everything pending for `shard` (and forgets it), with the progress row to write
    /// with it in the same transaction.
    ///
    /// The progress is (`nextOffset`, `watermarkMicros`), except for a shard whose resumed
    /// progress is still ahead of the reading position: it keeps its resumed row (its delta is
    /// then empty, every record so far having been skipped there), so progress never goes back.
    public mutating func takeDelta(shard: Int) -> ShardDelta {
        precondition((0..<ring.shardCount).contains(shard), "shard \(shard) not in 0..<\(ring.shardCount)")
        var taken = pending[shard].take()

        var uniqueIPs: [HyperLogLog?] = []
        var topIPs: [TopTalkerRow] = []
        var topPaths: [TopTalkerRow] = []
        var topFloors: [TopFloor] = []
        if let sketchOptions, !taken.rowSketches.isEmpty {
            uniqueIPs.reserveCapacity(taken.rowSketches.count)
            topFloors.reserveCapacity(taken.rowSketches.count)
            for (row, sketches) in taken.rowSketches.enumerated() {
                uniqueIPs.append(sketches.uniqueIPs.serializedRepresentation == .empty ? nil : sketches.uniqueIPs)
                topFloors.append(
                    TopFloor(
                        ip: sketches.topIPs.upperBound(excludingTop: sketchOptions.topKeysPerRow),
                        path: sketches.topPaths.upperBound(excludingTop: sketchOptions.topKeysPerRow)))
                for entry in sketches.topIPs.top(sketchOptions.topKeysPerRow) {
                    topIPs.append(
                        TopTalkerRow(
                            row: row, key: IPAddress(high: entry.key.high, low: entry.key.low).description,
                            requests: entry.count, error: entry.error, attacks: entry.markCounts))
                }
                for entry in sketches.topPaths.top(sketchOptions.topKeysPerRow) {
                    topPaths.append(
                        TopTalkerRow(
                            row: row, key: String(decoding: entry.label, as: UTF8.self), requests: entry.count,
                            error: entry.error))
                }
            }
            pending[shard].recycle(&taken.rowSketches)
        }

        let rows = SiteRows(
            minuteEpochSeconds: taken.rowMinutes,
            sites: taken.rowSiteIds.map { sites.name(of: $0) },
            counterValues: taken.counterValues
        )
        var auditRows: [FileAuditRow] = []
        auditRows.reserveCapacity(taken.auditCounts.count)
        for row in taken.auditCounts.indices {
            let counts = taken.auditCounts[row]
            auditRows.append(
                FileAuditRow(
                    edge: edges.name(of: taken.auditEdgeIds[row]),
                    sourceFile: files.name(of: taken.auditFileIds[row]),
                    shippedLines: counts.shippedLines,
                    lostLines: counts.lostLines,
                    lostBytes: counts.lostBytes,
                    countedLines: counts.countedLines,
                    statsRecords: counts.statsRecords,
                    foldedLines: counts.foldedLines,
                    lostBytesReplaced: counts.lostBytesReplaced,
                    lostBytesUnfinished: counts.lostBytesUnfinished
                )
            )
        }
        var rejectedRows: [RejectedRow] = []
        for cause in RejectCause.allCases {
            if let counts = taken.rejected[cause.index] {
                rejectedRows.append(
                    RejectedRow(cause: cause, count: counts.count, firstOffset: counts.firstOffset,
                                lastOffset: counts.lastOffset)
                )
            }
        }
        var progress = ShardProgress(nextOffset: nextOffset, watermarkMicros: watermarkMicros)
        if let resumed = resumedProgress[shard], resumed.nextOffset > nextOffset {
            progress = resumed
        }
        return ShardDelta(
            shard: shard,
            topic: topic,
            partition: partition,
            nextOffset: progress.nextOffset,
            watermarkMicros: progress.watermarkMicros,
            siteRows: rows,
            fileAudit: auditRows,
            rejected: rejectedRows,
            uniqueIPs: uniqueIPs,
            topIPs: topIPs,
            topPaths: topPaths,
            topFloors: topFloors,
            attackSamples: taken.attackSamples
        )
    }

    /// Rows pending for `shard` (site, audit and rejected rows): what a flush would write.
    public func pendingRowCount(shard: Int) -> Int { pending[shard].rowCount }

    /// Rows pending over all shards, for the consumer's memory bound.
    public var pendingRowCount: Int { pending.reduce(0) { $0 + $1.rowCount } }

    /// Distinct sites seen so far (the interner only grows).
    public var distinctSiteCount: Int { sites.count }

    // MARK: - Counter indices

    /// Row positions of the counters (computed from `SiteCounter.index`'s switch, so they fold
    /// to constants).
    private enum Counter {
        static var requests: Int { SiteCounter.requests.index }
        static var bodyBytes: Int { SiteCounter.bodyBytes.index }
        static var requestBytes: Int { SiteCounter.requestBytes.index }
        static var requestTimeUsSum: Int { SiteCounter.requestTimeUsSum.index }
        static var latencyFirst: Int { SiteCounter.latencyLe1ms.index }
        static var latencyFineFirst: Int { SiteCounter.latencyFineLe0ms.index }
        static var attacksFirst: Int { SiteCounter.attacksSQLi.index }
        static var unparsed: Int { SiteCounter.unparsed.index }
        static var truncated: Int { SiteCounter.truncated.index }
        static var rejectedLate: Int { SiteCounter.rejectedLate.index }
    }

    /// `status_1xx` ... `status_5xx` by `status / 100` for 100...599, else `status_other`.
    @inline(__always)
    private static func statusClassIndex(_ status: UInt16) -> Int {
        switch status {
        case 100...199: SiteCounter.status1xx.index
        case 200...299: SiteCounter.status2xx.index
        case 300...399: SiteCounter.status3xx.index
        case 400...499: SiteCounter.status4xx.index
        case 500...599: SiteCounter.status5xx.index
        default: SiteCounter.statusOther.index
        }
    }

    /// The per-code counter of `status`, or -1 for a code without one.
    @inline(__always)
    private static func statusCodeIndex(_ status: UInt16) -> Int {
        switch status {
        case 200: SiteCounter.status200.index
        case 301: SiteCounter.status301.index
        case 302: SiteCounter.status302.index
        case 304: SiteCounter.status304.index
        case 400: SiteCounter.status400.index
        case 403: SiteCounter.status403.index
        case 404: SiteCounter.status404.index
        case 429: SiteCounter.status429.index
        case 499: SiteCounter.status499.index
        case 500: SiteCounter.status500.index
        case 502: SiteCounter.status502.index
        case 503: SiteCounter.status503.index
        case 504: SiteCounter.status504.index
        default: -1
        }
    }

    /// The cache counter of a wire ordinal; one this version does not know counts as none.
    @inline(__always)
    private static func cacheIndex(_ ordinal: UInt16) -> Int {
        switch AccessRecord.CacheStatus(ordinal: ordinal) {
        case .none: SiteCounter.cacheNone.index
        case .hit: SiteCounter.cacheHit.index
        case .miss: SiteCounter.cacheMiss.index
        case .expired: SiteCounter.cacheExpired.index
        case .stale: SiteCounter.cacheStale.index
        case .updating: SiteCounter.cacheUpdating.index
        case .revalidated: SiteCounter.cacheRevalidated.index
        case .bypass: SiteCounter.cacheBypass.index
        }
    }
}

/// What a `PartitionAggregator` did with the records it was given (monotonic counts).
public struct AggregatorStatistics: Sendable, Equatable {
    /// Records read (given to `add` or `reject` at or after `nextOffset`).
    public var records: Int64 = 0
    /// Records not counted because their shard already had them (DESIGN §10.6).
    public var skippedRecords: Int64 = 0
    /// Records below `nextOffset` (re-delivered by a fetch): ignored.
    public var ignoredRecords: Int64 = 0
    /// Requests counted as `rejected_late`.
    public var lateRecords: Int64 = 0
    /// Requests counted as `unparsed`.
    public var unparsedRecords: Int64 = 0
    /// Requests the attack detector put in at least one class.
    public var attackRecords: Int64 = 0
    /// Records counted in rejected rows.
    public var rejectedRecords: Int64 = 0

    public init() {}
}
