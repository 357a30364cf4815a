/// `edgelog audit` as text: losses by cause, then per file, per site and per partition.
extension AuditReport {
    public func text() -> String {
        var lines = [ReportTitle.line("audit", header: range)]
        var causes = TextTable([.init("cause"), .init("count", .right), .init("unit"), .init("recorded in")])
        let causeRows: [(String, Int64, String, String)] = [
            ("shipped", totals.shippedLines, "lines", "file_audit (shipper)"),
            ("counted", totals.countedLines, "lines", "file_audit (consumer)"),
            ("deleted unread", totals.lostBytesDeletedUnread, "bytes", "file_audit.lost_bytes - the two below"),
            ("content replaced (copytruncate)", totals.lostBytesReplaced, "bytes", "file_audit.lost_bytes_replaced"),
            ("unfinished last line", totals.lostBytesUnfinished, "bytes", "file_audit.lost_bytes_unfinished"),
            ("refused by the broker", totals.lostLines, "lines", "file_audit.lost_lines"),
            ("over-long, cut (truncated)", totals.truncated, "lines", "minute_site.truncated"),
            ("beyond the lateness bound", totals.rejectedLate, "lines", "minute_site.rejected_late"),
            ("folded into (other) by the site cap", totals.foldedLines, "lines", "file_audit.folded_lines"),
            ("unparsed (kept raw)", totals.unparsed, "lines", "minute_site.unparsed"),
        ] + Self.rejectCauses.map { cause in
            ("consumer rejected: \(cause)", totals.rejectedRecords[cause] ?? 0, "records", "rejected_records")
        }
        for (cause, count, unit, source) in causeRows {
            causes.append([cause, NumberText.count(count), unit, source])
        }
        lines.append(causes.render())
        if !rows.isEmpty {
            lines.append("")
            lines.append("files (lifetime totals; files updated since the range's start)")
            var table = TextTable([
                .init("edge"), .init("file"), .init("shipped", .right), .init("counted", .right), .init("uncounted", .right),
                .init("folded", .right), .init("lost lines", .right), .init("lost bytes", .right),
                .init("deleted", .right), .init("replaced", .right), .init("unfinished", .right),
            ])
            for row in rows {
                table.append([
                    row.edge, row.sourceFile, NumberText.count(row.shippedLines), NumberText.count(row.countedLines),
                    NumberText.count(row.uncountedLines), NumberText.count(row.foldedLines), NumberText.count(row.lostLines),
                    NumberText.count(row.lostBytes), NumberText.count(row.lostBytesDeletedUnread),
                    NumberText.count(row.lostBytesReplaced), NumberText.count(row.lostBytesUnfinished),
                ])
            }
            lines.append(table.render())
        }
        if !sites.isEmpty {
            lines.append("")
            var table = TextTable([.init("site"), .init("truncated", .right), .init("late", .right), .init("unparsed", .right)])
            for site in sites {
                table.append([
                    site.site, NumberText.count(site.truncated), NumberText.count(site.rejectedLate),
                    NumberText.count(site.unparsed),
                ])
            }
            lines.append(table.render())
        }
        if !rejected.isEmpty {
            lines.append("")
            var table = TextTable([
                .init("topic"), .init("partition", .right), .init("cause"), .init("records", .right), .init("offsets"),
            ])
            for row in rejected {
                table.append([
                    row.topic, String(row.partition), row.cause, NumberText.count(row.records),
                    "\(row.firstOffset)..\(row.lastOffset)",
                ])
            }
            lines.append(table.render())
        }
        return lines.joined(separator: "\n")
    }
}
