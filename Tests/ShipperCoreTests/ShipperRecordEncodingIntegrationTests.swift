import AccessRecord
import Foundation
import PipelineTestSupport
import Testing

/// What the shipper puts on the wire is readable by the reference tools: kcat takes the values
/// from our broker, Debian's `capnp` decodes them — with `--packed` by default, without it
/// under `--record-encoding unpacked`.
@Suite(.serialized, .integration)
struct ShipperRecordEncodingIntegrationTests {
    static let schemaPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("schemas/access_record.capnp").path

    @Test(arguments: RecordValueEncoding.allCases)
    func kcatAndCapnpReadEveryRecordTheShipperSent(encoding: RecordValueEncoding) async throws {
        let directory = try TestLog.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/access.log"
        let (text, paths) = TestLog.lines(tag: "wire", 0..<300, host: "w.example")
        try TestLog.append(text, to: path)
        let broker = try BrokerProcess(partitions: 1)
        defer { broker.remove() }
        try await broker.start()
        let shipper = ShipperProcess(
            broker: broker.bootstrap,
            arguments: [
                "--files", "\(path):edge", "--record-encoding", encoding.rawValue, "--batch-bytes", "16KiB",
                "--linger", "20ms",
            ]
        )
        defer { shipper.remove() }
        try await shipper.start()
        _ = try await shipper.waitForMetrics(timeout: .seconds(60), "all lines acknowledged") {
            $0["edgelog_shipper_records_acknowledged_total"] == Double(paths.count)
        }
        #expect(try await shipper.terminate() == .exited(0), "\(shipper.logs())")

        // Every value back to back, nothing between them: a stream of messages for capnp.
        let consumed = try await broker.kcat(["-C", "-t", "edgelog.requests", "-p", "0", "-o", "beginning", "-e", "-q", "-f", "%s"])
        #expect(consumed.status == 0, "kcat -C: \(consumed.stderrText)")
        let packedFlag = encoding == .packed ? ["--packed"] : []
        let decoded = try await ExternalTool.run(
            "capnp", ["decode", "--short"] + packedFlag + [Self.schemaPath, "AccessRecord"], stdin: consumed.stdout)
        #expect(decoded.status == 0, "capnp decode: \(decoded.stderrText)")
        let records = decoded.stdoutText.split(separator: "\n")
        let requests = records.filter { !$0.contains("kind = fileStats") }
        let shippedPaths = requests.compactMap { record -> String? in
            guard let start = record.range(of: #"path = ""#) else { return nil }
            return String(record[start.upperBound...].prefix { $0 != "\"" })
        }
        #expect(shippedPaths.sorted() == paths.sorted(), "every line once, readable by capnp")
        #expect(requests.allSatisfy { $0.contains(#"site = "w.example""#) && $0.contains(#"edge = "test-edge""#) })
        #expect(records.count > requests.count, "the control records decode too")

        // The other reading fails: the values really are in the encoding asked for.
        let otherFlag = encoding == .packed ? [] : ["--packed"]
        let misread = try await ExternalTool.run(
            "capnp", ["decode", "--short"] + otherFlag + [Self.schemaPath, "AccessRecord"], stdin: consumed.stdout)
        #expect(misread.status != 0 || misread.stdoutText.split(separator: "\n").count != records.count)
    }
}
