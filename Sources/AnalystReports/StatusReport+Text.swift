/// `edgelog status` as text: error rates over time, then per site the status classes, error
/// rates and request-time percentiles.
extension StatusReport {
    public func text() -> String {
        var lines = [ReportTitle.line("status and latency", header: range, stepSeconds: stepSeconds)]
        lines.append("requests  \(Sparkline.render(series.map { Double($0.counts.requests) }))  \(NumberText.count(totals.requests))")
        lines.append(
            "4xx rate  \(Sparkline.render(series.map { $0.counts.clientErrorRate }))  \(NumberText.percent(totals.clientErrorRate))")
        lines.append(
            "5xx rate  \(Sparkline.render(series.map { $0.counts.serverErrorRate }))  \(NumberText.percent(totals.serverErrorRate))")
        let scope = range.site == nil ? "all sites" : "this site"
        lines.append(
            "latency   p50 \(NumberText.milliseconds(latency.p50Ms)) ms, p95 \(NumberText.milliseconds(latency.p95Ms)) ms, "
                + "p99 \(NumberText.milliseconds(latency.p99Ms)) ms (\(scope))")
        lines.append("")
        var table = TextTable([
            .init("site"), .init("requests", .right), .init("2xx", .right), .init("3xx", .right), .init("4xx", .right),
            .init("5xx", .right), .init("4xx%", .right), .init("5xx%", .right), .init("mean ms", .right),
            .init("p50 ms", .right), .init("p95 ms", .right), .init("p99 ms", .right),
        ])
        for row in rows {
            table.append([
                row.site, NumberText.count(row.counts.requests), NumberText.count(row.counts.status2xx),
                NumberText.count(row.counts.status3xx), NumberText.count(row.counts.status4xx),
                NumberText.count(row.counts.status5xx), NumberText.percent(row.counts.clientErrorRate),
                NumberText.percent(row.counts.serverErrorRate), NumberText.milliseconds(row.meanMs),
                NumberText.milliseconds(row.p50Ms), NumberText.milliseconds(row.p95Ms), NumberText.milliseconds(row.p99Ms),
            ])
        }
        lines.append(table.render())
        return lines.joined(separator: "\n")
    }
}
