import EdgelogRuntime
import Foundation
import Logging
import Testing

/// Collects the lines a handler writes.
final class LineSink: @unchecked Sendable {
    private let lock = NSLock()
    private var written: [String] = []
    var lines: [String] { lock.withLock { written } }
    func write(_ line: String) { lock.withLock { written.append(line) } }
}

struct JSONLogHandlerTests {
    @Test func writesOneParsableObjectPerLine() throws {
        let sink = LineSink()
        var logger = Logger(label: "edgelog.test") { label in
            LoggingBootstrap.makeHandler(label: label, level: .debug, format: .json, write: sink.write)
        }
        logger[metadataKey: "edge"] = "edge-1"
        logger.info("batch \"sent\"", metadata: ["batch.records": "12", "tags": ["a", "b"]])
        logger.trace("below the level")

        #expect(sink.lines.count == 1)
        let line = try #require(sink.lines.first)
        #expect(line.hasSuffix("\n") && line.dropLast().contains("\n") == false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "info")
        #expect(object["label"] as? String == "edgelog.test")
        #expect(object["message"] as? String == "batch \"sent\"")
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["edge"] as? String == "edge-1")
        #expect(metadata["batch.records"] as? String == "12")
        #expect(metadata["tags"] as? [String] == ["a", "b"])
        let timestamp = try #require(object["ts"] as? String)
        #expect(try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(timestamp).timeIntervalSinceNow.magnitude < 60)
    }

    @Test func textFormatWritesKeyValueMetadata() throws {
        let sink = LineSink()
        let logger = Logger(label: "edgelog.test") { label in
            LoggingBootstrap.makeHandler(label: label, level: .notice, format: .text, write: sink.write)
        }
        logger.info("not written")
        logger.warning("disk slow", metadata: ["fsync.ms": "250"])
        #expect(sink.lines.count == 1)
        let line = try #require(sink.lines.first)
        #expect(line.contains("warning"))
        #expect(line.contains("fsync.ms=250"))
        #expect(line.contains("disk slow"))
    }
}
