import Foundation
import PipelineTestSupport
import Testing

/// `edgelog report --html`: the page holds what the reports' `--json` hold, every log string
/// escaped, and it renders in a real browser (Debian's chromium, headless) without a console
/// error and without fetching anything.
@Suite(.serialized, .reportDatabase)
struct ReportPageTests {
    private func common(_ database: ReportDatabase) -> [String] {
        ["--coordinator", database.analystConninfo] + ReportCommandTests.hour
    }

    /// What a page must contain for a string from the logs: the five HTML-special characters as
    /// character references (written out here, not through the product's escaper).
    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }

    /// A fresh directory under the system's temporary directory; the caller removes it.
    private static func temporaryDirectory(_ kind: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("edgelog-\(kind)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// Runs `edgelog report --html` into a fresh directory; the caller removes `directory`.
    private func writePage(_ database: ReportDatabase, _ extra: [String] = []) async throws
        -> (directory: String, path: String, html: String)
    {
        let directory = try Self.temporaryDirectory("report-page")
        let path = directory + "/report.html"
        let output = try await EdgelogRun.run(["report", "--html", path] + common(database) + extra)
        try #require(output.status == 0, "edgelog report: \(output.stderr)")
        #expect(output.stderr.contains("wrote \(path)"))
        return (directory, path, try String(contentsOfFile: path, encoding: .utf8))
    }

    @Test func pageHoldsEveryReportWithLogTextEscaped() async throws {
        let database = try ReportDatabase.require()
        let (directory, path, html) = try await writePage(database)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        // Self-contained: no script, nothing to fetch, a policy that forbids fetching.
        #expect(html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'\""))
        #expect(html.range(of: "<script", options: .caseInsensitive) == nil)
        for reference in ["src=", "href=", "url(", "@import"] {
            #expect(!html.contains(reference), "the page must not reference \(reference)")
        }
        #expect(!html.contains("\u{1B}"), "a terminal escape from a site name reached the page")
        // The charts: requests, bandwidth, cache ratio, status classes, attacks (bars and lines),
        // and one sparkline per listed site.
        let top = try await EdgelogRun.json(["top"] + common(database))
        let rows = try #require(top["rows"] as? [[String: Any]])
        #expect(html.components(separatedBy: "<svg").count - 1 == 6 + rows.count)

        // The numbers and names of the reports, as the JSON gives them.
        let totals = try #require(top["totals"] as? [String: Any])
        #expect(html.contains(Self.grouped(totals.int("requests"))), "total requests")
        for row in rows {
            let site = try #require(row["site"] as? String)
            let shown = Self.escaped(site.replacingOccurrences(of: "\u{1B}", with: ""))
            #expect(html.contains("<td>\(shown)</td><td class=\"n\">\(Self.grouped(row.int("requests")))</td>"), "\(site)")
        }
        let attacks = try await EdgelogRun.json(["attacks"] + common(database) + ["--samples", "10"])
        let samples = try #require(attacks["samples"] as? [[String: Any]])
        #expect(!samples.isEmpty)
        for sample in samples {
            let request = try #require(sample["request"] as? String)
            #expect(html.contains(Self.escaped(request)), "sample \(request)")
        }
        for source in try #require(attacks["sources"] as? [[String: Any]]) {
            let ip = try #require(source["clientIp"] as? String)
            #expect(html.contains("<td>\(Self.escaped(ip))</td><td class=\"n\">\(Self.grouped(source.int("total")))</td>"))
        }
        let classes = try #require(attacks["rows"] as? [[String: Any]])
        for row in classes where row.int("requests") > 0 {
            #expect(html.contains(">\(row["attackClass"] as? String ?? "?")</text>"))
        }
    }

    @Test func oneSitePageAndUsageErrors() async throws {
        let database = try ReportDatabase.require()
        let site = TrafficFixture.sites[1]
        let (directory, path, html) = try await writePage(database, ["--site", site])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(html.contains("edgelog report — site \(site)"))
        #expect(!html.contains(TrafficFixture.sites[0]), "another site's rows on a one-site page")
        let refused = try await EdgelogRun.run(["report", "--html", path, "--json"] + common(database))
        #expect(refused.status == 2)
        let empty = try await EdgelogRun.run([
            "report", "--html", path, "--coordinator", database.analystConninfo, "--since", "2020-01-01T00:00:00Z",
            "--until", "2020-01-01T01:00:00Z",
        ])
        #expect(empty.status == 4, "\(empty.stderr)")
    }

    /// Headless chromium loads the page from disk: no console message (a policy violation for a
    /// fetch would be one), and the screenshot is a picture, not a blank page. A page with one
    /// forbidden fetch shows that the console check can fail.
    @Test func chromiumRendersThePageWithoutConsoleErrors() async throws {
        let database = try ReportDatabase.require()
        let (directory, path, html) = try await writePage(database)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let browser = try #require(
            ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) },
            "Debian's chromium is not installed (scripts/setup-debian.sh installs it)")

        let rendered = try await Self.render(browser, path)
        #expect(rendered.console.isEmpty, "console: \(rendered.console)")
        // EDGELOG_KEEP_REPORT_PAGE=DIR keeps the page and its screenshot (for the README's picture).
        if let keep = ProcessInfo.processInfo.environment["EDGELOG_KEEP_REPORT_PAGE"] {
            try html.write(toFile: keep + "/report.html", atomically: true, encoding: .utf8)
            try rendered.png.write(to: URL(fileURLWithPath: keep + "/report.png"))
        }
        let blankPath = directory + "/blank.html"
        try "<!DOCTYPE html><html><body></body></html>".write(toFile: blankPath, atomically: true, encoding: .utf8)
        let blank = try await Self.render(browser, blankPath)
        #expect(rendered.png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        #expect(rendered.png.count > 4 * blank.png.count, "\(rendered.png.count) vs blank \(blank.png.count) bytes")

        // The control: the same page with one fetch the policy forbids.
        let fetchingPath = directory + "/fetching.html"
        let fetching = html.replacingOccurrences(of: "</body>", with: "<img src=\"http://127.0.0.1:9/x.png\" alt=\"\"></body>")
        try fetching.write(toFile: fetchingPath, atomically: true, encoding: .utf8)
        let refused = try await Self.render(browser, fetchingPath)
        #expect(!refused.console.isEmpty, "a forbidden fetch left no console message: the check cannot fail")
    }

    /// Screenshots `page` with headless chromium; returns the PNG and the console lines.
    private static func render(_ browser: String, _ page: String) async throws -> (png: Data, console: [String]) {
        let directory = try temporaryDirectory("chromium")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let screenshot = directory + "/shot.png"
        let result = try await ExternalTool.run(
            browser,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                "--no-first-run", "--disable-extensions", "--enable-logging=stderr", "--v=0",
                "--user-data-dir=\(directory)/profile", "--window-size=1000,1800", "--screenshot=\(screenshot)",
                "file://\(page)",
            ],
            environment: ["HOME": directory, "PATH": "/usr/bin:/bin"])
        try #require(result.status == 0, "chromium: \(result.stderrText.suffix(3000))")
        let console = result.stderrText.split(separator: "\n").map(String.init).filter { $0.contains("CONSOLE") }
        return (try Data(contentsOf: URL(fileURLWithPath: screenshot)), console)
    }

    private static func grouped(_ value: Int64) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.groupingSeparator = ","
        formatter.usesGroupingSeparator = true
        return formatter.string(from: NSNumber(value: value)) ?? "\(value)"
    }
}
