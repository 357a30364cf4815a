import Foundation
import KafkaClient
import Logging
import PipelineTestSupport
import Testing

/// Our client against our broker: the `edgelog-broker` executable as a child process on a
/// free loopback port, the same protocol scenario the fake broker and a real Kafka pass.
@Suite(.serialized, .integration)
struct KafkaClientBrokerProcessTests {
    @Test func producesFetchesAndListsOffsetsAgainstTheBroker() async throws {
        let dataDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("edgelog-client-broker-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let port = try FreePort.next()
        let metricsPort = try FreePort.next()
        let broker = try ManagedProcess.start(
            executable: try BuiltExecutable.path(named: "edgelog-broker"),
            arguments: ["--data-dir", dataDirectory, "--port", "\(port)", "--metrics-port", "\(metricsPort)"])
        defer { broker.stop() }
        try await broker.waitUntilHTTPHealthy(port: metricsPort)
        try await broker.waitUntilListening(port: port)

        let client = KafkaClient(
            configuration: try KafkaClient.Configuration(bootstrap: "127.0.0.1:\(port)"),
            logger: Logger(label: "test.kafka-client.broker"))
        do {
            try await BrokerScenario.roundTrip(client, topic: "edgelog-client-\(UUID().uuidString.prefix(8))")
        } catch {
            Issue.record("round trip against edgelog-broker failed: \(error)\n\(broker.logs())")
        }
        #expect(broker.stderrText().contains("created topic"), "\(broker.logs())")
        await client.shutdown()
        broker.terminate()
        #expect(try await broker.waitForExit() == .exited(0), "\(broker.logs())")
    }
}
