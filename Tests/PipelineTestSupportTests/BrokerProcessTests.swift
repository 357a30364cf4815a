import Foundation
import PipelineTestSupport
import Testing

/// The real `edgelog-broker`, checked with kcat (an independent Kafka client) and raw loopback
/// probes rather than with anything BrokerProcess itself reports.
@Suite(.serialized, .integration)
struct BrokerProcessTests {
    @Test func restartsOnTheSameDataAndPorts() async throws {
        let broker = try BrokerProcess(partitions: 1)
        defer { broker.remove() }
        #expect(broker.bootstrap == "127.0.0.1:\(broker.port)")
        #expect(!LoopbackProbe.isListening(port: broker.port))

        try await broker.start()
        #expect(LoopbackProbe.isListening(port: broker.port))
        let produced = try await broker.kcat(["-P", "-t", "kept", "-p", "0"], stdin: Data("one\ntwo\n".utf8))
        #expect(produced.status == 0, "\(produced.stderrText)\n\(broker.logs())")
        let scrape = try LoopbackProbe.httpGet(port: broker.metricsPort, path: "/metrics")
        #expect(scrape.status == 200)
        #expect(try await broker.metrics() == PrometheusText(scrape.body))

        try await broker.kill9()
        #expect(broker.process == nil)
        #expect(!LoopbackProbe.isListening(port: broker.port))

        try await broker.start()
        let consumed = try await broker.kcat(["-C", "-t", "kept", "-p", "0", "-o", "beginning", "-e", "-q"])
        #expect(consumed.stdoutText == "one\ntwo\n", "\(consumed.stderrText)\n\(broker.logs())")

        #expect(try await broker.terminate() == .exited(0), "\(broker.logs())")
        #expect(try await broker.terminate() == nil)
        #expect(!LoopbackProbe.isListening(port: broker.port))
        #expect(FileManager.default.fileExists(atPath: "\(broker.dataDirectory)/kept-0"))
        broker.remove()
        #expect(!FileManager.default.fileExists(atPath: broker.dataDirectory))
    }
}
