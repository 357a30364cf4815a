/// `edgelog uniques` as text.
extension UniquesReport {
    public func text() -> String {
        var lines = [ReportTitle.line("unique client IPs (estimated)", header: range, stepSeconds: stepSeconds)]
        lines.append(
            "unique IPs  \(Sparkline.render(series.map { Double($0.uniqueIps) }))  \(NumberText.count(totals.uniqueIps)) over the range"
        )
        lines.append("")
        var table = TextTable([.init("site"), .init("unique IPs", .right), .init("requests", .right)])
        for row in rows {
            table.append([row.site, NumberText.count(row.uniqueIps), NumberText.count(row.requests)])
        }
        table.append([
            "all \(NumberText.count(totals.sites)) sites", NumberText.count(totals.uniqueIps), NumberText.count(totals.requests),
        ])
        lines.append(table.render())
        return lines.joined(separator: "\n")
    }
}
