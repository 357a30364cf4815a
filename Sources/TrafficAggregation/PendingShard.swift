/// What one partition has added for one shard since that shard's last delta.
///
/// Rows live in flat arrays indexed by the row numbers of two `PairTable`s, so adding to an
/// existing row is a probe and a few additions into one contiguous buffer.
struct PendingShard {
    /// (minute, site id) -> site row.
    var siteRowTable: PairTable
    var rowMinutes: [Int64] = []
    var rowSiteIds: [Int32] = []
    /// `SiteCounter.count` values per site row.
    var counterValues: [Int64] = []
    /// Per site row when sketches are on (else empty).
    var rowSketches: [RowSketches] = []
    /// `nil`: sketches are off.
    let sketchOptions: SketchOptions?
    /// Emptied sketches of flushed rows, handed to new rows (bounded by `maximumPooledSketches`).
    var sketchPool: [RowSketches] = []
    static let maximumPooledSketches = 4096

    /// (edge id, source-file id) -> audit row.
    var auditTable: PairTable
    var auditEdgeIds: [Int32] = []
    var auditFileIds: [Int32] = []
    var auditCounts: [AuditCounts] = []

    /// Sampled attack requests (`AttackOptions.samplesPerClass` per row and class at most).
    var attackSamples: [AttackSample] = []

    /// Per `RejectCause.index`.
    var rejected: [RejectedCounts?] = Array(repeating: nil, count: RejectCause.allCases.count)
    var rejectedRowCount = 0

    struct AuditCounts {
        var shippedLines: Int64 = 0
        var lostLines: Int64 = 0
        var lostBytes: Int64 = 0
        /// Of `lostBytes`, the parts the records attribute to copytruncate and to an
        /// unfinished last line.
        var lostBytesReplaced: Int64 = 0
        var lostBytesUnfinished: Int64 = 0
        var countedLines: Int64 = 0
        var statsRecords: Int64 = 0
        /// Of `countedLines`, those counted under `SiteName.other` (the site cap).
        var foldedLines: Int64 = 0
    }

    struct RejectedCounts {
        var count: Int64
        var firstOffset: Int64
        var lastOffset: Int64
    }

    init(sketchOptions: SketchOptions? = nil) {
        self.init(siteRowTable: PairTable(), auditTable: PairTable(initialCapacity: 16), sketchOptions: sketchOptions)
    }

    private init(siteRowTable: PairTable, auditTable: PairTable, sketchOptions: SketchOptions?) {
        self.siteRowTable = siteRowTable
        self.auditTable = auditTable
        self.sketchOptions = sketchOptions
    }

    var rowCount: Int { rowMinutes.count + auditCounts.count + rejectedRowCount + attackSamples.count }

    /// The start of the counters of the row for (minute, site), created zeroed when new;
    /// `body` gets them as a buffer of `SiteCounter.count` values.
    @inline(__always)
    mutating func withSiteRow(minute: Int64, site: Int32, _ body: (UnsafeMutablePointer<Int64>) -> Void) {
        withCounters(ofRow: siteRow(minute: minute, site: site), body)
    }

    /// The row number of (minute, site), created zeroed (with empty sketches) when new.
    @inline(__always)
    mutating func siteRow(minute: Int64, site: Int32) -> Int {
        let (row, inserted) = siteRowTable.row(minute, site)
        if inserted {
            rowMinutes.append(minute)
            rowSiteIds.append(site)
            counterValues.append(contentsOf: repeatElement(0, count: SiteCounter.count))
            if let sketchOptions {
                rowSketches.append(sketchPool.popLast() ?? RowSketches(options: sketchOptions))
            }
        }
        return row
    }

    /// Adds one parsed request's client IP and path to the sketches of `row`.
    /// - Precondition: sketches are on (`sketchOptions != nil`).
    @inline(__always)
    mutating func addToSketches(
        ofRow row: Int, clientIP: UnsafeRawBufferPointer, path: UnsafeRawBufferPointer, marks: UInt8
    ) {
        rowSketches[row].add(clientIP: clientIP, path: path, marks: marks)
    }

    /// The value of counter `index` (a `SiteCounter.index`) of `row`.
    func counter(_ index: Int, ofRow row: Int) -> Int64 { counterValues[row * SiteCounter.count + index] }

    /// Empties flushed rows' sketches and keeps them for new rows.
    mutating func recycle(_ sketches: inout [RowSketches]) {
        for index in sketches.indices where sketchPool.count < Self.maximumPooledSketches {
            sketches[index].removeAll()
            sketchPool.append(sketches[index])
        }
        sketches.removeAll()
    }

    /// `body` gets the counters of `row` as a buffer of `SiteCounter.count` values.
    @inline(__always)
    mutating func withCounters(ofRow row: Int, _ body: (UnsafeMutablePointer<Int64>) -> Void) {
        counterValues.withUnsafeMutableBufferPointer { values in
            guard let base = values.baseAddress else { return }
            body(base + row * SiteCounter.count)
        }
    }

    /// Adds to the audit row of (edge, file), created zeroed when new.
    @inline(__always)
    mutating func withAuditRow(edge: Int32, file: Int32, _ body: (inout AuditCounts) -> Void) {
        let (row, inserted) = auditTable.row(Int64(edge), file)
        if inserted {
            auditEdgeIds.append(edge)
            auditFileIds.append(file)
            auditCounts.append(AuditCounts())
        }
        body(&auditCounts[row])
    }

    /// Hands over every row and forgets them. The row arrays move out (no copy) and fresh ones
    /// are reserved at the size these needed; the tables are cleared in place, keeping their
    /// size. So a steady stream allocates a few buffers per delta, never per record.
    mutating func take() -> PendingShard {
        var taken = PendingShard(
            siteRowTable: PairTable(initialCapacity: 0), auditTable: PairTable(initialCapacity: 0), sketchOptions: nil)
        swap(&taken.rowMinutes, &rowMinutes)
        swap(&taken.rowSiteIds, &rowSiteIds)
        swap(&taken.counterValues, &counterValues)
        swap(&taken.rowSketches, &rowSketches)
        swap(&taken.auditEdgeIds, &auditEdgeIds)
        swap(&taken.auditFileIds, &auditFileIds)
        swap(&taken.auditCounts, &auditCounts)
        swap(&taken.rejected, &rejected)
        swap(&taken.rejectedRowCount, &rejectedRowCount)
        swap(&taken.attackSamples, &attackSamples)
        rowMinutes.reserveCapacity(taken.rowMinutes.count)
        rowSiteIds.reserveCapacity(taken.rowSiteIds.count)
        counterValues.reserveCapacity(taken.counterValues.count)
        rowSketches.reserveCapacity(taken.rowSketches.count)
        siteRowTable.removeAll()
        auditTable.removeAll()
        return taken
    }

    /// Counts the records `firstOffset...lastOffset` as rejected for `cause`.
    mutating func addRejected(_ cause: RejectCause, firstOffset: Int64, lastOffset: Int64) {
        let count = lastOffset - firstOffset + 1
        if var counts = rejected[cause.index] {
            counts.count += count
            counts.lastOffset = lastOffset
            rejected[cause.index] = counts
        } else {
            rejected[cause.index] = RejectedCounts(count: count, firstOffset: firstOffset, lastOffset: lastOffset)
            rejectedRowCount += 1
        }
    }
}

extension Int64 {
    /// `self + value`, stopping at `Int64.max` instead of trapping: hostile records may carry
    /// any UInt64, and a trap would stop the consumer on every replay.
    @inline(__always)
    mutating func addSaturating(_ value: Int64) {
        let (sum, overflow) = addingReportingOverflow(value)
        self = overflow ? (value < 0 ? .min : .max) : sum
    }
}
