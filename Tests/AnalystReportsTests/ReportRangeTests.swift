import AnalystReports
import Foundation
import Testing

/// Range parsing and resolution, without a database.
struct ReportRangeTests {
    @Test(arguments: [("90s", 90), ("15m", 900), ("6h", 21_600), ("7d", 604_800), ("1m", 60)])
    func durationsParse(text: String, seconds: Int64) {
        #expect(ReportDuration(text)?.seconds == seconds)
    }

    @Test(arguments: ["", "m", "15", "-5m", "+5m", "1.5h", "15 m", "15M", "0m", "5w", "99999999999999d", "1e3s"])
    func badDurationsAreRefused(text: String) {
        #expect(ReportDuration(text) == nil)
    }

    @Test func lastIsRelativeToNow() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_030)
        let range = try ReportRange.resolve(.last(try #require(ReportDuration("15m"))), now: now)
        #expect(range.until == now)
        #expect(range.since == now.addingTimeInterval(-900))
    }

    @Test func missingEndsDefaultToNowAndAnHourBefore() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let open = try ReportRange.resolve(.between(since: nil, until: nil), now: now)
        #expect(open.since == now.addingTimeInterval(-3600) && open.until == now)
        let since = Date(timeIntervalSince1970: 1_799_990_000)
        let fromSince = try ReportRange.resolve(.between(since: since, until: nil), now: now)
        #expect(fromSince.since == since && fromSince.until == now)
        let until = Date(timeIntervalSince1970: 1_799_000_000)
        let toUntil = try ReportRange.resolve(.between(since: nil, until: until), now: now)
        #expect(toUntil.since == until.addingTimeInterval(-3600) && toUntil.until == until)
    }

    @Test func anEmptyOrBackwardRangeIsAnError() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(throws: ReportError.self) { try ReportRange(since: now, until: now) }
        #expect(throws: ReportError.self) { try ReportRange(since: now, until: now.addingTimeInterval(-1)) }
        // Since after the default until (now).
        #expect(throws: ReportError.self) {
            try ReportRange.resolve(.between(since: now.addingTimeInterval(60), until: nil), now: now)
        }
    }

    @Test func isoTimesParseWithZonesOnly() throws {
        #expect(ReportRange.parseTime("2026-12-07T10:00:00Z")?.timeIntervalSince1970 == 1_796_637_600)
        #expect(ReportRange.parseTime("2026-12-07T11:00:00+01:00")?.timeIntervalSince1970 == 1_796_637_600)
        #expect(ReportRange.parseTime("2026-12-07T10:00:00.500Z")?.timeIntervalSince1970 == 1_796_637_600.5)
        #expect(ReportRange.parseTime("2026-12-07")?.timeIntervalSince1970 == 1_796_601_600)
        #expect(ReportRange.parseTime("2026-12-07T10:00:00") == nil, "no zone: refused, not guessed")
        #expect(ReportRange.parseTime("yesterday") == nil)
        #expect(ReportRange.format(Date(timeIntervalSince1970: 1_796_637_600)) == "2026-12-07T10:00:00Z")
    }

    @Test(arguments: [(3_600.0, 60), (900.0, 60), (5 * 3_600.0, 300), (86_400.0, 1_800), (30 * 86_400.0, 43_200), (400 * 86_400.0, 604_800)])
    func stepsKeepSeriesShort(span: Double, step: Int64) throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let range = try ReportRange(since: now.addingTimeInterval(-span), until: now)
        let chosen = SeriesStep(for: range)
        #expect(chosen.seconds == step)
        if span / Double(step) <= 60 { #expect(chosen.pointCount(of: range) <= SeriesStep.maximumPoints) }
    }

    @Test func stepNames() {
        #expect(SeriesStep(seconds: 60)?.description == "1m")
        #expect(SeriesStep(seconds: 7_200)?.description == "2h")
        #expect(SeriesStep(seconds: 86_400)?.description == "1d")
        #expect(SeriesStep(seconds: 900)?.description == "15m")
        #expect(SeriesStep(seconds: 0) == nil && SeriesStep(seconds: 90) == nil)
    }
}
