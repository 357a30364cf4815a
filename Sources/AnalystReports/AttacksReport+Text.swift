/// `edgelog attacks` as text: classes with sparklines, then sites, sources and samples.
extension AttacksReport {
    public func text() -> String {
        var lines = [ReportTitle.line("attacks", header: range, stepSeconds: stepSeconds)]
        var classTable = TextTable([.init("class"), .init("requests", .right), .init("over time")])
        for row in rows {
            classTable.append([row.attackClass, NumberText.count(row.requests), Sparkline.render(row.series.map { Double($0) })])
        }
        lines.append(classTable.render())
        let classColumns = Self.classes.map { TextTable.Column($0, .right) }
        if !sites.isEmpty {
            lines.append("")
            var table = TextTable([.init("site"), .init("requests", .right)] + classColumns + [.init("attack share", .right)])
            for site in sites {
                table.append(
                    [site.site, NumberText.count(site.requests)]
                        + Self.classes.map { NumberText.count(site.attacks[$0] ?? 0) }
                        + [NumberText.percent(ratio(site.total, site.requests))])
            }
            lines.append(table.render())
        }
        if !sources.isEmpty {
            lines.append("")
            lines.append("sources (lower bounds, from the top-talker sketches)")
            var table = TextTable([.init("client IP"), .init("sites", .right)] + classColumns)
            for source in sources {
                table.append(
                    [source.clientIp, NumberText.count(source.sites)] + Self.classes.map { NumberText.count(source.attacks[$0] ?? 0) })
            }
            lines.append(table.render())
        }
        if !samples.isEmpty {
            lines.append("")
            lines.append("latest sampled requests")
            var table = TextTable([
                .init("time"), .init("site", maximumWidth: 30), .init("class"), .init("client IP"),
                .init("request", maximumWidth: 70), .init("user agent", maximumWidth: 40),
            ])
            for sample in samples {
                table.append([sample.time, sample.site, sample.attackClass, sample.clientIp ?? "-", sample.request, sample.userAgent])
            }
            lines.append(table.render())
        }
        return lines.joined(separator: "\n")
    }
}
