import Foundation

/// `edgelog audit`: what was shipped, counted and lost, per edge and file, by cause.
///
/// Where each loss is recorded (DESIGN §7, "loss is observable"):
/// - **Per file** (`edgelog.file_audit`, summed over shards): `shippedLines` from the shipper's
///   file-statistics control records; `countedLines`, the request records the consumer counted
///   for the file (late ones included); `foldedLines`, of those, counted under `(other)` by the
///   consumer's site cap; `lostLines`, lines in batches the broker refused for good;
///   `lostBytes`, bytes of the file never read (the shipper cannot count lines it never read),
///   all causes together, and split by cause as the shipper's
///   `edgelog_shipper_lost_bytes_total{cause}` metric splits them: `lostBytesDeletedUnread`
///   (`deleted_unread`: unlinked before it was read to its end, or held past the deleted-file
///   grace), `lostBytesReplaced` (`content_replaced`: copytruncate replaced it before it was
///   read), `lostBytesUnfinished` (`unfinished_line`: a rotated file ended without `\n`).
///   The three add up to `lostBytes`. Shippers before the split (and rows written before
///   schema migration 5) report no cause: their loss counts as deleted unread, the rest of
///   the total.
///
///   Not in PostgreSQL at all, so not in this report: a sequence gap (the broker lost records it
///   had acknowledged; the shipper counts the event in `edgelog_shipper_losses_total`, not the
///   lines) and an obsolete checkpoint (its file vanished for `--missing-file-expiry`; an event
///   in the same metric, no byte count, no control record). These rows are lifetime totals, not bucketed by time: the report lists files
///   the consumer updated at or after the range's start.
/// - **Per site and minute** (`minute_site`, within the range): `truncated`, lines the shipper
///   cut at its line-length cap (still counted, flagged); `rejectedLate`, requests older than the
///   lateness bound (counted only there); `unparsed`, lines that did not parse (kept raw,
///   counted only there).
/// - **Per partition** (`rejected_records_totals`, lifetime): records the consumer could not
///   use, by cause (`undecodable`, `unknown_kind`, `retention_gap`).
///
/// `--site` narrows the per-site counters only (files and partitions are not per site).
/// Schema migration 2 (`folded_lines`) and 5 (`lost_bytes_replaced`, `lost_bytes_unfinished`).
public struct AuditReport: Codable, Sendable, Hashable {
    public struct FileRow: Codable, Sendable, Hashable {
        public var edge: String
        public var sourceFile: String
        public var shippedLines: Int64
        public var countedLines: Int64
        public var foldedLines: Int64
        public var lostLines: Int64
        /// Every cause: `lostBytesDeletedUnread + lostBytesReplaced + lostBytesUnfinished`.
        public var lostBytes: Int64
        public var lostBytesDeletedUnread: Int64
        public var lostBytesReplaced: Int64
        public var lostBytesUnfinished: Int64
        /// shipped - counted: lines shipped but not (yet) counted; 0 once the stream is consumed.
        /// Negative while the file's current checkpoint group is open: the shipper reports
        /// shipped lines when a group closes (every `batch-bytes` of file, and at the file's
        /// end; a clean stop carries the open group over), the consumer counts every line.
        public var uncountedLines: Int64
        public var updatedAt: String
    }

    public struct SiteRow: Codable, Sendable, Hashable {
        public var site: String
        public var truncated: Int64
        public var rejectedLate: Int64
        public var unparsed: Int64
    }

    public struct RejectedRow: Codable, Sendable, Hashable {
        public var topic: String
        public var partition: Int64
        public var cause: String
        public var records: Int64
        public var firstOffset: Int64
        public var lastOffset: Int64
    }

    /// Every loss and rejection summed, one key per cause.
    public struct Totals: Codable, Sendable, Hashable {
        public var shippedLines: Int64
        public var countedLines: Int64
        /// Counted under `(other)` by the site cap (not lost: counted, without their site).
        public var foldedLines: Int64
        /// In batches the broker refused for good.
        public var lostLines: Int64
        /// Never read, every cause: the sum of the three below.
        public var lostBytes: Int64
        /// Never read: the file was deleted (or held past the deleted-file grace) first.
        public var lostBytesDeletedUnread: Int64
        /// Never read: copytruncate replaced the content first.
        public var lostBytesReplaced: Int64
        /// Never read: a rotated file's last line without `\n`.
        public var lostBytesUnfinished: Int64
        public var truncated: Int64
        public var rejectedLate: Int64
        public var unparsed: Int64
        /// Per consumer reject cause; every known cause present.
        public var rejectedRecords: [String: Int64]
    }

    /// The consumer's reject causes (`TrafficAggregation.RejectCause`), shown even when zero.
    public static let rejectCauses = ["undecodable", "unknown_kind", "retention_gap"]

    public static let schemaVersion = 5
    public var report = "audit"
    public var range: ReportHeader
    /// Files updated at or after `range.since` (lifetime totals each).
    public var rows: [FileRow]
    /// Sites with any truncated, late or unparsed line in the range.
    public var sites: [SiteRow]
    public var rejected: [RejectedRow]
    public var totals: Totals

    /// Deleted unread is what the two recorded causes leave of the total, clamped at 0 per shard
    /// row (as in `file_audit_totals`), so the three causes add up to the total whenever no row's
    /// parts exceed its total.
    static let filesSQL = """
        SELECT edge, source_file, sum(shipped_lines)::bigint, sum(counted_lines)::bigint, sum(folded_lines)::bigint,
               sum(lost_lines)::bigint, sum(lost_bytes)::bigint, extract(epoch FROM max(updated_at)),
               sum(greatest(lost_bytes - lost_bytes_replaced - lost_bytes_unfinished, 0))::bigint,
               sum(lost_bytes_replaced)::bigint, sum(lost_bytes_unfinished)::bigint
        FROM edgelog.file_audit
        GROUP BY edge, source_file
        HAVING max(updated_at) >= $1::timestamptz
        ORDER BY edge, source_file
        """
    static let sitesSQL = """
        SELECT site, coalesce(sum(truncated), 0), coalesce(sum(rejected_late), 0), coalesce(sum(unparsed), 0)
        FROM public.minute_site
        WHERE bucket >= $1::timestamptz AND bucket < $2::timestamptz AND ($3::text IS NULL OR site = $3)
        GROUP BY site
        HAVING sum(truncated) + sum(rejected_late) + sum(unparsed) > 0
        ORDER BY site
        """
    static let rejectedSQL = """
        SELECT topic, partition, cause, records, first_offset, last_offset
        FROM public.rejected_records_totals
        ORDER BY topic, partition, cause
        """
    static let rowsInRangeSQL = """
        SELECT count(*) FROM public.minute_site
        WHERE bucket >= $1::timestamptz AND bucket < $2::timestamptz AND ($3::text IS NULL OR site = $3)
        """

    public static func run(session: CoordinatorSession, scope: ReportScope) throws -> AuditReport {
        let name = "audit"
        try session.requireSchema(version: schemaVersion, report: name)
        let parameters = scope.parameters
        let files = try session.rows(filesSQL, [parameters[0]], report: name).map { row in
            FileRow(
                edge: try row.text(0), sourceFile: try row.text(1), shippedLines: try row.int(2), countedLines: try row.int(3),
                foldedLines: try row.int(4), lostLines: try row.int(5), lostBytes: try row.int(6),
                lostBytesDeletedUnread: try row.int(8), lostBytesReplaced: try row.int(9),
                lostBytesUnfinished: try row.int(10), uncountedLines: try row.int(2) - row.int(3),
                updatedAt: ReportRange.format(try row.epoch(7)))
        }
        let sites = try session.rows(sitesSQL, parameters, report: name).map { row in
            SiteRow(site: try row.text(0), truncated: try row.int(1), rejectedLate: try row.int(2), unparsed: try row.int(3))
        }
        let rejected = try session.rows(rejectedSQL, [], report: name).map { row in
            RejectedRow(
                topic: try row.text(0), partition: try row.int(1), cause: try row.text(2), records: try row.int(3),
                firstOffset: try row.int(4), lastOffset: try row.int(5))
        }
        let rowsInRange = try session.rows(rowsInRangeSQL, parameters, report: name).first.map { try $0.int(0) } ?? 0
        if files.isEmpty && rowsInRange == 0 && rejected.isEmpty {
            throw ReportError.noData(report: name, range: scope.range, site: scope.site)
        }
        var rejectedByCause = Dictionary(uniqueKeysWithValues: rejectCauses.map { ($0, Int64(0)) })
        for row in rejected { rejectedByCause[row.cause, default: 0] += row.records }
        let totals = Totals(
            shippedLines: files.map(\.shippedLines).reduce(0, +), countedLines: files.map(\.countedLines).reduce(0, +),
            foldedLines: files.map(\.foldedLines).reduce(0, +), lostLines: files.map(\.lostLines).reduce(0, +),
            lostBytes: files.map(\.lostBytes).reduce(0, +),
            lostBytesDeletedUnread: files.map(\.lostBytesDeletedUnread).reduce(0, +),
            lostBytesReplaced: files.map(\.lostBytesReplaced).reduce(0, +),
            lostBytesUnfinished: files.map(\.lostBytesUnfinished).reduce(0, +),
            truncated: sites.map(\.truncated).reduce(0, +),
            rejectedLate: sites.map(\.rejectedLate).reduce(0, +), unparsed: sites.map(\.unparsed).reduce(0, +),
            rejectedRecords: rejectedByCause)
        return AuditReport(range: scope.header, rows: files, sites: sites, rejected: rejected, totals: totals)
    }
}
