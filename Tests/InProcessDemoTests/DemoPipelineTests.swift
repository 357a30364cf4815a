import Foundation
import InProcessDemo
import Metrics
import NginxLog
import Testing
import TrafficGenerator

/// The demo's pipeline round-trips every line: what it decodes back from the LZ4 batches adds up
/// to what was written, per site, against counts taken from the generated text itself.
struct DemoPipelineTests {
    @Test func everyLineComesBackAndSitesAddUp() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID()).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var profile = TrafficProfile()
        profile.brokenLineShare = 0.01
        var generator = try TrafficGenerator(profile: profile, format: "edge")
        var bytes = [UInt8]()
        for _ in 0..<5000 { generator.appendLine(to: &bytes) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let lines = bytes.split(separator: 0x0A)

        let pipeline = try DemoPipeline(
            format: .edge, siteLabel: nil, batchBytes: 8192,
            recordsCounter: Counter(label: "test_records"), batchesCounter: Counter(label: "test_batches"))
        let report = try pipeline.process(file: path)
        #expect(report.lines == lines.count)
        #expect(report.rawBytes == bytes.count)
        #expect(report.records == lines.count, "unparsed lines are kept as records too")
        #expect(report.parseErrors > 0 && report.parseErrors < lines.count / 20)
        #expect(report.sites.values.reduce(0) { $0 + $1.requests } == lines.count - report.parseErrors)
        #expect(report.batches > 1, "8 KiB batches split the file")
        #expect(report.compressedBytes < report.encodedBytes)
    }

    @Test func tooSmallABatchIsRefused() {
        #expect(throws: DemoError.batchTooSmall(100)) {
            try DemoPipeline(
                format: .edge, siteLabel: nil, batchBytes: 100,
                recordsCounter: Counter(label: "a"), batchesCounter: Counter(label: "b"))
        }
    }
}
