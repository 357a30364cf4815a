/// `edgelog cache` as text: the ratio as a sparkline (0 % to 100 %), totals per cache status,
/// and the busiest sites' ratios.
extension CacheReport {
    public func text() -> String {
        var lines = [ReportTitle.line("cache hit ratio", header: range, stepSeconds: stepSeconds)]
        let ratios = rows.map { $0.counts.hitRatio }
        lines.append(
            "hit ratio  \(Sparkline.render(ratios, lowerBound: 0, upperBound: 1))  \(NumberText.percent(totals.hitRatio)) overall"
        )
        lines.append("requests   \(Sparkline.render(rows.map { Double($0.counts.requests) }))")
        lines.append("")
        var statuses = TextTable([.init("cache status"), .init("requests", .right)])
        for (label, value) in [
            ("HIT", totals.hit), ("MISS", totals.miss), ("EXPIRED", totals.expired), ("STALE", totals.stale),
            ("UPDATING", totals.updating), ("REVALIDATED", totals.revalidated), ("BYPASS", totals.bypass),
            ("(no cache)", totals.none),
        ] {
            statuses.append([label, NumberText.count(value)])
        }
        lines.append(statuses.render())
        if !sites.isEmpty {
            lines.append("")
            var table = TextTable([
                .init("site"), .init("lookups", .right), .init("hits", .right), .init("hit ratio", .right),
            ])
            for site in sites {
                table.append([
                    site.site, NumberText.count(site.counts.cacheable), NumberText.count(site.counts.hit),
                    NumberText.percent(site.counts.hitRatio),
                ])
            }
            lines.append(table.render())
        }
        return lines.joined(separator: "\n")
    }
}
