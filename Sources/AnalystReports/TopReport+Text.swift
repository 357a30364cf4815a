/// `edgelog top` as a terminal table.
extension TopReport {
    public func text() -> String {
        var table = TextTable([
            .init("site"), .init("requests", .right), .init("bandwidth", .right), .init("4xx", .right),
            .init("5xx", .right), .init("errors", .right), .init("requests over time"),
        ])
        for row in rows {
            table.append([
                row.site, NumberText.count(row.requests), NumberText.bytes(row.bodyBytes), NumberText.count(row.status4xx),
                NumberText.count(row.status5xx), NumberText.percent(row.errorRate),
                Sparkline.render(row.requestsSeries.map { Double($0) }),
            ])
        }
        table.append([
            "all \(NumberText.count(totals.sites)) sites", NumberText.count(totals.requests),
            NumberText.bytes(totals.bodyBytes), NumberText.count(totals.status4xx), NumberText.count(totals.status5xx),
            NumberText.percent(totals.errorRate), "",
        ])
        return ReportTitle.line("top sites by \(orderBy.rawValue)", header: range, stepSeconds: stepSeconds)
            + "\n" + table.render()
    }
}
