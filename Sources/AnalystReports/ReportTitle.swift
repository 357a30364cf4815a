/// The first line of every text report: what it shows, the range, the site, the series step.
enum ReportTitle {
    static func line(_ what: String, header: ReportHeader, stepSeconds: Int64? = nil) -> String {
        var line = "\(what), \(header.since) .. \(header.until)"
        if let site = header.site { line += ", site \(TerminalText.safe(site))" }
        if let step = stepSeconds.flatMap({ SeriesStep(seconds: $0) }) {
            line += " (one sparkline bar = \(step))"
        }
        return line
    }
}
