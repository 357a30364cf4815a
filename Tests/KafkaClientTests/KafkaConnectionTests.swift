import KafkaClient
import KafkaProtocol
import Logging
import NIOCore
import PipelineTestSupport
import Testing

/// Handshake and request plumbing over real TCP, against ``FakeKafkaBroker``.
struct KafkaConnectionTests {
    let logger = Logger(label: "test.kafka-connection")

    @Test func negotiatesAgainstTheComfortableTable() async throws {
        let broker = try await FakeKafkaBroker.start()
        defer { Task { await broker.stop() } }
        let connection = try await KafkaConnection.connect(host: "127.0.0.1", port: broker.port, logger: logger)
        defer { Task { await connection.close() } }
        #expect(broker.apiVersionsRequestVersions == [2])
        #expect(try connection.versions.version(of: .produce) == 7)
        #expect(try connection.versions.version(of: .fetch) == 11)
        #expect(try connection.versions.version(of: .metadata) == 4)
        #expect(connection.versions.broker == broker.behaviour.table)

        let metadata = try await connection.request(MetadataRequest(topics: ["events"]))
        #expect(metadata.clusterID == "fake-cluster")
        #expect(metadata.topics.map(\.name) == ["events"])
        #expect(metadata.topics.first?.partitions.count == 3)
    }

    /// A broker that speaks ApiVersions only up to v1 answers our v2 with the error-35 v0 reply;
    /// the client repeats at v1 and negotiates from that answer (README §2, rule 1).
    @Test func retriesApiVersionsAfterUnsupportedVersion() async throws {
        var behaviour = FakeKafkaBroker.Behaviour()
        behaviour.apiVersionsMax = 1
        behaviour.table = .minimal.restricted(to: [.produce, .fetch, .metadata, .apiVersions])
        let broker = try await FakeKafkaBroker.start(behaviour: behaviour)
        defer { Task { await broker.stop() } }
        let connection = try await KafkaConnection.connect(host: "127.0.0.1", port: broker.port, logger: logger)
        defer { Task { await connection.close() } }
        #expect(broker.apiVersionsRequestVersions == [2, 1])
        #expect(try connection.versions.version(of: .produce) == 3)
        #expect(try connection.versions.version(of: .fetch) == 4)
        #expect(throws: KafkaClientError.unsupportedApi(api: .listOffsets, broker: nil, client: 1...2)) {
            try connection.versions.version(of: .listOffsets)
        }
        // A request of an API without a common version fails without touching the wire.
        let request = ListOffsetsRequest(topics: [])
        await #expect(throws: KafkaClientError.unsupportedApi(api: .listOffsets, broker: nil, client: 1...2)) {
            try await connection.request(request)
        }
        #expect(broker.requestKeys == [.apiVersions, .apiVersions])
    }

    @Test func requiredApiWithoutOverlapFailsTheHandshake() async throws {
        var behaviour = FakeKafkaBroker.Behaviour()
        behaviour.table = ApiVersionsTable([ApiVersionRange(.apiVersions, 0...3), ApiVersionRange(.produce, 8...11)])
        let broker = try await FakeKafkaBroker.start(behaviour: behaviour)
        defer { Task { await broker.stop() } }
        let configuration = KafkaConnection.Configuration(requiredApis: [.produce])
        await #expect(throws: KafkaClientError.unsupportedApi(api: .produce, broker: 8...11, client: 3...7)) {
            try await KafkaConnection.connect(
                host: "127.0.0.1",
                port: broker.port,
                configuration: configuration,
                logger: logger
            )
        }
    }

    @Test func refusedConnectionIsAConnectError() async throws {
        let port = try FreePort.redialable()  // handed out, never bound (and never a source port)
        let error = await #expect(throws: KafkaClientError.self) {
            try await KafkaConnection.connect(host: "127.0.0.1", port: port, logger: logger)
        }
        guard case .connectFailed(let host, let errorPort, _) = error else {
            Issue.record("expected connectFailed, got \(String(describing: error))")
            return
        }
        #expect(host == "127.0.0.1")
        #expect(errorPort == port)
    }

    /// A broker that never answers: the request times out and the connection closes.
    @Test func silentBrokerTimesOut() async throws {
        var behaviour = FakeKafkaBroker.Behaviour()
        behaviour.silentApis = [.metadata]
        let broker = try await FakeKafkaBroker.start(behaviour: behaviour)
        defer { Task { await broker.stop() } }
        let configuration = KafkaConnection.Configuration(requestTimeout: .milliseconds(200))
        let connection = try await KafkaConnection.connect(
            host: "127.0.0.1",
            port: broker.port,
            configuration: configuration,
            logger: logger
        )
        await #expect(throws: KafkaClientError.requestTimedOut(api: .metadata, correlationID: 1)) {
            try await connection.request(MetadataRequest(topics: ["t"]))
        }
        try await connection.closeFuture.get()
        #expect(!connection.isActive)
    }

    /// Produce with acks=0 through `send` would wait forever; it is refused up front.
    @Test func acksZeroThroughSendIsRefused() async throws {
        let broker = try await FakeKafkaBroker.start()
        defer { Task { await broker.stop() } }
        let connection = try await KafkaConnection.connect(host: "127.0.0.1", port: broker.port, logger: logger)
        defer { Task { await connection.close() } }
        let request = ProduceRequest(acks: 0, timeoutMs: 100, topics: [])
        await #expect(throws: KafkaClientError.noResponseExpected(api: .produce)) {
            try await connection.request(request)
        }
    }
}
