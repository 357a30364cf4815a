/// `edgelog audit` as text: losses by cause, then per file, per site and per partition.
extension AuditReport {
    public func text() -> String {
        var lines = [ReportTitle.line("audit", header: range)]
        var causes = TextTable([.init("cause"), .init("count", .right), .init("unit"), .init("recorded in")])
        causes.append(["shipped", NumberText.count(totals.shippedLines), "lines", "file_audit (shipper)"])
        causes.append(["counted", NumberText.count(totals.countedLines), "lines", "file_audit (consumer)"])
        causes.append(["deleted unread / replaced / unfinished", NumberText.count(totals.lostBytes), "bytes", "file_audit.lost_bytes"])
        causes.append(["refused by the broker", NumberText.count(totals.lostLines), "lines", "file_audit.lost_lines"])
        causes.append(["over-long, cut (truncated)", NumberText.count(totals.truncated), "lines", "minute_site.truncated"])
        causes.append(["beyond the lateness bound", NumberText.count(totals.rejectedLate), "lines", "minute_site.rejected_late"])
        causes.append(["folded into (other) by the site cap", NumberText.count(totals.foldedLines), "lines", "file_audit.folded_lines"])
        causes.append(["unparsed (kept raw)", NumberText.count(totals.unparsed), "lines", "minute_site.unparsed"])
        for cause in Self.rejectCauses {
            causes.append(["consumer rejected: \(cause)", NumberText.count(totals.rejectedRecords[cause] ?? 0), "records", "rejected_records"])
        }
        lines.append(causes.render())
        if !rows.isEmpty {
            lines.append("")
            lines.append("files (lifetime totals; files updated since the range's start)")
            var table = TextTable([
                .init("edge"), .init("file"), .init("shipped", .right), .init("counted", .right), .init("uncounted", .right),
                .init("folded", .right), .init("lost lines", .right), .init("lost bytes", .right),
            ])
            for row in rows {
                table.append([
                    row.edge, row.sourceFile, NumberText.count(row.shippedLines), NumberText.count(row.countedLines),
                    NumberText.count(row.uncountedLines), NumberText.count(row.foldedLines), NumberText.count(row.lostLines),
                    NumberText.count(row.lostBytes),
                ])
            }
            lines.append(table.render())
        }
        if !sites.isEmpty {
            lines.append("")
            var table = TextTable([.init("site"), .init("truncated", .right), .init("late", .right), .init("unparsed", .right)])
            for site in sites {
                table.append([site.site, NumberText.count(site.truncated), NumberText.count(site.rejectedLate), NumberText.count(site.unparsed)])
            }
            lines.append(table.render())
        }
        if !rejected.isEmpty {
            lines.append("")
            var table = TextTable([
                .init("topic"), .init("partition", .right), .init("cause"), .init("records", .right), .init("offsets"),
            ])
            for row in rejected {
                table.append([row.topic, String(row.partition), row.cause, NumberText.count(row.records), "\(row.firstOffset)..\(row.lastOffset)"])
            }
            lines.append(table.render())
        }
        return lines.joined(separator: "\n")
    }
}
