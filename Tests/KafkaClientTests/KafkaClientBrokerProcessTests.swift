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
        let broker = try BrokerProcess()
        defer { broker.remove() }
        let process = try await broker.start()

        let client = KafkaClient(
            configuration: try KafkaClient.Configuration(bootstrap: broker.bootstrap),
            logger: Logger(label: "test.kafka-client.broker"))
        do {
            try await BrokerScenario.roundTrip(client, topic: "edgelog-client-\(UUID().uuidString.prefix(8))")
        } catch {
            Issue.record("round trip against edgelog-broker failed: \(error)\n\(broker.logs())")
        }
        #expect(process.stderrText().contains("created topic"), "\(broker.logs())")
        await client.shutdown()
        #expect(try await broker.terminate() == .exited(0), "\(broker.logs())")
    }
}
