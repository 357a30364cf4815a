import Foundation

/// `edgelog report --html FILE`: the reports of one range as a single self-contained page —
/// requests and bandwidth over time, cache hit ratio, status classes, latency, unique clients,
/// attacks by class with their sources and samples, and the top sites — for the fleet or, with
/// `--site`, for one site.
///
/// Self-contained means the file is the whole report: styles inline, charts as inline SVG
/// (`SVGChart`), no script, and a `Content-Security-Policy` of `default-src 'none'` so that a
/// browser would refuse (and report) any fetch the page tried. Every string from the logs is
/// escaped (`HTMLText`): the attack samples are real XSS payloads.
public struct HTMLReport: Sendable {
    public var header: ReportHeader
    public var generatedAt: String
    public var traffic: TrafficSeries
    public var top: TopReport
    public var cache: CacheReport
    public var status: StatusReport
    public var uniques: UniquesReport?
    public var attacks: AttacksReport?

    /// Runs every report the page shows. A range without requests is `ReportError.noData`, as
    /// for `edgelog top`; a range without attacks or unique-IP sketches just leaves those
    /// sections empty.
    public static func run(session: CoordinatorSession, scope: ReportScope, limit: Int, now: Date = Date()) throws
        -> HTMLReport
    {
        let top = try TopReport.run(session: session, scope: scope, orderBy: .requests, limit: limit)
        return HTMLReport(
            header: scope.header,
            generatedAt: ReportRange.format(now),
            traffic: try TrafficSeries.run(session: session, scope: scope),
            top: top,
            cache: try CacheReport.run(session: session, scope: scope, limit: limit),
            status: try StatusReport.run(session: session, scope: scope, limit: limit),
            uniques: try optional { try UniquesReport.run(session: session, scope: scope, limit: limit) },
            attacks: try optional { try AttacksReport.run(session: session, scope: scope, limit: limit, samples: 10) })
    }

    /// A section whose report found nothing in the range is left out, not an error.
    private static func optional<Report>(_ run: () throws -> Report) throws -> Report? {
        do {
            return try run()
        } catch ReportError.noData {
            return nil
        }
    }

    public func html() -> String {
        let labels = traffic.points.map { Self.shortTime($0.start) }
        let scopeName = header.site.map { "site \($0)" } ?? "whole fleet"
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>edgelog report: \(HTMLText.escaped(scopeName))</title>
            <style>\(Self.style)</style></head><body>
            <h1>edgelog report — \(HTMLText.escaped(scopeName))</h1>
            <p class="muted">\(HTMLText.escaped(header.since)) to \(HTMLText.escaped(header.until)) (UTC) ·
            one point per \(Self.stepText(traffic.stepSeconds)) · generated \(HTMLText.escaped(generatedAt))</p>

            """
        page += summary()
        page += section(
            "Requests",
            SVGChart.lines(
                [.init(name: "requests", values: traffic.points.map { Double($0.requests) }, color: SVGChart.palette[0])],
                labels: labels, title: "Requests per point", format: { NumberText.count(Int64($0)) }))
        page += section(
            "Bandwidth",
            SVGChart.lines(
                [.init(name: "body bytes sent", values: traffic.points.map { Double($0.bodyBytes) }, color: SVGChart.palette[1])],
                labels: labels, title: "Bandwidth per point", format: { NumberText.bytes(Int64($0)) }))
        page += section(
            "Cache hit ratio",
            SVGChart.lines(
                [.init(name: "HIT / cache lookups", values: cache.rows.map { $0.counts.hitRatio }, color: SVGChart.palette[5])],
                labels: labels, title: "Cache hit ratio per point", maximum: 1, format: { NumberText.percent($0) }))
        page += section(
            "Status classes",
            SVGChart.stackedColumns(
                [
                    .init(name: "2xx", values: status.series.map { Double($0.counts.status2xx) }, color: "#16a34a"),
                    .init(name: "3xx", values: status.series.map { Double($0.counts.status3xx) }, color: "#0891b2"),
                    .init(name: "4xx", values: status.series.map { Double($0.counts.status4xx) }, color: "#f59e0b"),
                    .init(name: "5xx", values: status.series.map { Double($0.counts.status5xx) }, color: "#dc2626"),
                    .init(
                        name: "1xx / other",
                        values: status.series.map { Double($0.counts.status1xx + $0.counts.statusOther) }, color: "#6b7280"),
                ],
                labels: labels, title: "Responses per status class per point", format: { NumberText.count(Int64($0)) }))
        page += attacksSection(labels: labels)
        page += sitesSection()
        page += "<p class=\"muted\">Counts are exact per (minute, site); unique clients are HyperLogLog estimates; "
            + "latency percentiles come from the histogram buckets.</p></body></html>\n"
        return page
    }

    // MARK: - Sections

    private func summary() -> String {
        let totals = top.totals
        var tiles: [(String, String)] = [
            ("requests", NumberText.count(totals.requests)),
            ("bandwidth", NumberText.bytes(totals.bodyBytes)),
            ("sites", NumberText.count(totals.sites)),
            ("cache hit ratio", NumberText.percent(cache.totals.hitRatio)),
            ("4xx", NumberText.percent(status.totals.clientErrorRate)),
            ("5xx", NumberText.percent(status.totals.serverErrorRate)),
        ]
        if let uniques { tiles.append(("unique client IPs", NumberText.count(uniques.totals.uniqueIps))) }
        tiles.append(("attacks", NumberText.count(attacks?.rows.reduce(0) { $0 + $1.requests } ?? 0)))
        let cells = tiles.map { "<div class=\"tile\"><div class=\"value\">\(HTMLText.escaped($0.1))</div><div class=\"muted\">\(HTMLText.escaped($0.0))</div></div>" }
        return "<div class=\"tiles\">\(cells.joined())</div>\n"
    }

    private func attacksSection(labels: [String]) -> String {
        guard let attacks, !attacks.rows.isEmpty else {
            return section("Attacks", "<p class=\"muted\">No attack requests detected in this range.</p>")
        }
        var body = SVGChart.bars(
            attacks.rows.map { ($0.attackClass, Double($0.requests)) }, title: "Attack requests by class",
            format: { NumberText.count(Int64($0)) })
        body += SVGChart.lines(
            attacks.rows.enumerated().map { index, row in
                .init(name: row.attackClass, values: row.series.map { Double($0) }, color: SVGChart.palette[(index + 3) % SVGChart.palette.count])
            },
            labels: labels, title: "Attack requests per class per point", format: { NumberText.count(Int64($0)) })
        if !attacks.sources.isEmpty {
            body += "<h3>Top attack sources</h3><table><tr><th>client IP</th><th class=\"n\">attack requests</th><th class=\"n\">sites</th><th>classes</th></tr>"
            for source in attacks.sources {
                let classes = source.attacks.sorted { $0.key < $1.key }.map { "\($0.key) \(NumberText.count($0.value))" }
                body += "<tr><td>\(HTMLText.escaped(source.clientIp))</td><td class=\"n\">\(NumberText.count(source.total))</td>"
                    + "<td class=\"n\">\(NumberText.count(source.sites))</td><td>\(HTMLText.escaped(classes.joined(separator: ", ")))</td></tr>"
            }
            body += "</table>"
        }
        if !attacks.samples.isEmpty {
            body += "<h3>Sample requests</h3><table><tr><th>time</th><th>site</th><th>class</th><th>client</th><th>request</th></tr>"
            for sample in attacks.samples {
                body += "<tr><td>\(HTMLText.escaped(Self.shortTime(sample.time)))</td><td>\(HTMLText.escaped(sample.site))</td>"
                    + "<td>\(HTMLText.escaped(sample.attackClass))</td><td>\(HTMLText.escaped(sample.clientIp ?? "-"))</td>"
                    + "<td class=\"code\">\(HTMLText.escaped(sample.request))</td></tr>"
            }
            body += "</table>"
        }
        return section("Attacks", body)
    }

    private func sitesSection() -> String {
        guard !top.rows.isEmpty else { return "" }
        let latency = Dictionary(status.rows.map { ($0.site, $0) }, uniquingKeysWith: { first, _ in first })
        let hitRatio = Dictionary(cache.sites.map { ($0.site, $0.counts.hitRatio) }, uniquingKeysWith: { first, _ in first })
        let unique = Dictionary((uniques?.rows ?? []).map { ($0.site, $0.uniqueIps) }, uniquingKeysWith: { first, _ in first })
        var body = "<table><tr><th>site</th><th class=\"n\">requests</th><th>over time</th><th class=\"n\">bandwidth</th>"
            + "<th class=\"n\">errors</th><th class=\"n\">cache hits</th><th class=\"n\">p50 / p95 / p99 ms</th><th class=\"n\">unique IPs</th></tr>"
        for row in top.rows {
            let site = latency[row.site]
            let percentiles = [site?.p50Ms, site?.p95Ms, site?.p99Ms].map { NumberText.milliseconds($0) }.joined(separator: " / ")
            body += "<tr><td>\(HTMLText.escaped(row.site))</td><td class=\"n\">\(NumberText.count(row.requests))</td>"
                + "<td>\(SVGChart.sparkline(row.requestsSeries.map { Double($0) }))</td>"
                + "<td class=\"n\">\(NumberText.bytes(row.bodyBytes))</td><td class=\"n\">\(NumberText.percent(row.errorRate))</td>"
                + "<td class=\"n\">\(NumberText.percent(hitRatio[row.site] ?? nil))</td><td class=\"n\">\(percentiles)</td>"
                + "<td class=\"n\">\(unique[row.site].map { NumberText.count($0) } ?? "-")</td></tr>"
        }
        body += "</table>"
        return section(header.site == nil ? "Top sites" : "The site", body)
    }

    private func section(_ title: String, _ body: String) -> String {
        "<section><h2>\(HTMLText.escaped(title))</h2>\(body)</section>\n"
    }

    // MARK: - Text

    /// `2026-12-07T10:15:00Z` -> `12-07 10:15`: enough to read an axis.
    static func shortTime(_ iso: String) -> String {
        let characters = Array(iso)
        guard characters.count >= 16 else { return iso }
        return String(characters[5..<10]) + " " + String(characters[11..<16])
    }

    static func stepText(_ seconds: Int64) -> String {
        switch seconds {
        case ..<60: "\(seconds) s"
        case ..<3_600: "\(seconds / 60) min"
        case ..<86_400: "\(seconds / 3_600) h"
        default: "\(seconds / 86_400) d"
        }
    }

    static let style = """
        body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1000px;color:#111827;padding:0 16px}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #e5e7eb;padding-bottom:4px}
        h3{font-size:14px;margin:16px 0 6px}.muted{color:#6b7280}
        .tiles{display:flex;flex-wrap:wrap;gap:10px;margin:16px 0}.tile{border:1px solid #e5e7eb;border-radius:6px;padding:8px 12px;min-width:110px}
        .tile .value{font-size:18px;font-weight:600}
        table{border-collapse:collapse;width:100%;margin:6px 0}th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #f3f4f6;vertical-align:middle}
        th{font-weight:600;color:#374151}.n{text-align:right;font-variant-numeric:tabular-nums}
        .code{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
        svg{max-width:100%;height:auto;font-size:11px;fill:#374151}svg .grid{stroke:#e5e7eb}svg text{fill:#4b5563}
        """
}
