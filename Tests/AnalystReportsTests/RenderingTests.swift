@testable import AnalystReports
import Foundation
import Testing

/// Sparklines, tables, terminal safety, number text and the JSON shape, without a database.
struct RenderingTests {
    @Test func sparklineScalesFromZeroToTheLargestValue() {
        #expect(Sparkline.render([0, 1, 2, 3, 4, 5, 6, 7].map { Double($0) }) == "▁▂▃▄▅▆▇█")
        #expect(Sparkline.render([0, 7, 14].map { Double($0) }) == "▁▅█")
        #expect(Sparkline.render([5, 5, 5]) == "███", "a flat busy series is full, not empty")
        #expect(Sparkline.render([0, 0]) == "▁▁")
        #expect(Sparkline.render([]) == "")
    }

    @Test func sparklineShowsGapsAndFixedBounds() {
        #expect(Sparkline.render([1, nil, 1]) == "█ █")
        #expect(Sparkline.render([0, 0.5, 1], lowerBound: 0, upperBound: 1) == "▁▅█")
        #expect(Sparkline.render([0.2], lowerBound: 0, upperBound: 1) == "▂")
        #expect(Sparkline.render([2], lowerBound: 0, upperBound: 1) == "█", "clamped above")
        #expect(Sparkline.render([.nan, .infinity]) == "  ")
    }

    @Test func tableAlignsTextLeftAndNumbersRight() {
        var table = TextTable([.init("site"), .init("requests", .right), .init("trend")])
        table.append(["a.example", "1,000", "▁█"])
        table.append(["much-longer.example", "7", ""])
        table.append(["short"])
        #expect(
            table.render() == """
                site                 requests  trend
                -------------------  --------  -----
                a.example               1,000  ▁█
                much-longer.example         7
                short
                """)
    }

    @Test func tableCutsLongCells() {
        var table = TextTable([.init("path", maximumWidth: 8)])
        table.append(["/a/very/long/path"])
        #expect(table.render().split(separator: "\n").last == "/a/very…")
    }

    @Test func logTextCannotDriveTheTerminal() {
        let hostile = "evil\u{1B}]0;owned\u{07}.example\u{9B}2J\u{7F}"
        let safe = TerminalText.safe(hostile)
        #expect(safe == "evil\\x1B]0;owned\\x07.example\\x9B2J\\x7F")
        #expect(!safe.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        var table = TextTable([.init("site")])
        table.append([hostile])
        #expect(!table.render().contains("\u{1B}"))
        #expect(TerminalText.safe("plain.example ünïcode ▁") == "plain.example ünïcode ▁")
    }

    @Test func numbers() {
        #expect(NumberText.count(0) == "0")
        #expect(NumberText.count(999) == "999")
        #expect(NumberText.count(1_000) == "1,000")
        #expect(NumberText.count(-1_234_567) == "-1,234,567")
        #expect(NumberText.count(Int64.max) == "9,223,372,036,854,775,807")
        #expect(NumberText.bytes(512) == "512 B")
        #expect(NumberText.bytes(1_536) == "1.5 KiB")
        #expect(NumberText.bytes(5 * 1_048_576) == "5.0 MiB")
        #expect(NumberText.percent(0.1234) == "12.3%")
        #expect(NumberText.percent(nil) == "-")
        #expect(NumberText.milliseconds(3.14159) == "3.1")
        #expect(NumberText.milliseconds(1234.6) == "1235")
    }

    /// The documented JSON: every key present (null for a missing ratio), numbers as numbers.
    @Test func jsonShapeIsStable() throws {
        let report = TopReport(
            range: ReportHeader(since: "2026-12-07T10:00:00Z", until: "2026-12-07T11:00:00Z", site: nil),
            orderBy: .bytes, stepSeconds: 60,
            rows: [
                .init(
                    site: "a.example", requests: 3, bodyBytes: 300, requestBytes: 30, status4xx: 1, status5xx: 0,
                    errorRate: 1.0 / 3.0, requestsSeries: [1, 2])
            ],
            totals: .init(sites: 1, requests: 0, bodyBytes: 0, requestBytes: 0, status4xx: 0, status5xx: 0, errorRate: nil))
        let json = try ReportJSON.encode(report)
        #expect(json.hasPrefix(#"{"orderBy":"bytes","range":{"since":"2026-12-07T10:00:00Z","site":null,"until":"2026-12-07T11:00:00Z"},"report":"top","rows":[{"bodyBytes":300,"errorRate":0.333"#))
        #expect(json.contains(#""requestsSeries":[1,2]"#))
        #expect(json.contains(#""errorRate":null"#), "a ratio over nothing is null, not missing")
        let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(decoded?["stepSeconds"] as? Int == 60)
        // Round trip through Codable.
        #expect(try JSONDecoder().decode(TopReport.self, from: Data(json.utf8)) == report)
    }

    /// Lost bytes: one row per cause in the text (no combined row), one key per cause in the
    /// JSON beside the total.
    @Test func auditShowsLostBytesByCause() throws {
        let file = AuditReport.FileRow(
            edge: "edge-1", sourceFile: "/var/log/nginx/access.log", shippedLines: 10, countedLines: 10, foldedLines: 0,
            lostLines: 0, lostBytes: 1_234_567, lostBytesDeletedUnread: 1_200_000, lostBytesReplaced: 34_000,
            lostBytesUnfinished: 567, uncountedLines: 0, updatedAt: "2026-12-07T10:30:00Z")
        let report = AuditReport(
            range: ReportHeader(since: "2026-12-07T10:00:00Z", until: "2026-12-07T11:00:00Z", site: nil),
            rows: [file], sites: [], rejected: [],
            totals: .init(
                shippedLines: 10, countedLines: 10, foldedLines: 0, lostLines: 0, lostBytes: 1_234_567,
                lostBytesDeletedUnread: 1_200_000, lostBytesReplaced: 34_000, lostBytesUnfinished: 567, truncated: 0,
                rejectedLate: 0, unparsed: 0, rejectedRecords: [:]))
        let lines = report.text().split(separator: "\n").map(String.init)
        func row(_ cause: String) -> [String]? {
            lines.first { $0.hasPrefix(cause + "  ") }.map { $0.dropFirst(cause.count).split(separator: " ").map(String.init) }
        }
        #expect(row("deleted unread")?.prefix(2) == ["1,200,000", "bytes"])
        #expect(row("content replaced (copytruncate)")?.prefix(2) == ["34,000", "bytes"])
        #expect(row("unfinished last line")?.prefix(2) == ["567", "bytes"])
        #expect(!lines.contains { $0.contains("deleted unread / replaced") }, "no combined row")
        let fileLine = try #require(lines.first { $0.hasPrefix("edge-1") })
        #expect(fileLine.split(separator: " ").suffix(4) == ["1,234,567", "1,200,000", "34,000", "567"], "\(fileLine)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(ReportJSON.encode(report).utf8)) as? [String: Any])
        let totals = try #require(json["totals"] as? [String: Any])
        #expect(totals["lostBytes"] as? Int == 1_234_567 && totals["lostBytesDeletedUnread"] as? Int == 1_200_000)
        #expect(totals["lostBytesReplaced"] as? Int == 34_000 && totals["lostBytesUnfinished"] as? Int == 567)
        let row = try #require((json["rows"] as? [[String: Any]])?.first)
        #expect(row["lostBytesReplaced"] as? Int == 34_000 && row["lostBytesUnfinished"] as? Int == 567)
    }

    @Test func errorsMapToDocumentedExitCodes() throws {
        let range = try ReportRange(since: Date(timeIntervalSince1970: 0), until: Date(timeIntervalSince1970: 60))
        #expect(ReportError.coordinatorUnreachable(coordinator: "host=x", reason: "refused").exitCode == 3)
        #expect(ReportError.noData(report: "top", range: range, site: nil).exitCode == 4)
        #expect(ReportError.schemaTooOld(report: "attacks", needed: 4, found: [1, 2, 3]).exitCode == 5)
        #expect(ReportError.invalidArgument("x").exitCode == 2)
        #expect(ReportError.queryFailed(report: "top", sqlState: "42501", reason: "denied").exitCode == 1)
        let old = ReportError.schemaTooOld(report: "attacks", needed: 4, found: [1, 2, 3]).description
        #expect(old.contains("migration 4") && old.contains("1, 2, 3") && old.contains("edgelog db init"))
        #expect(ReportError.schemaTooOld(report: "top", needed: 1, found: []).description.contains("no edgelog schema"))
    }
}
