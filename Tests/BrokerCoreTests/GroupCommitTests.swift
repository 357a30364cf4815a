import FileStorage
import BrokerCore
import Foundation
import KafkaProtocol
import Logging
import MetricsTestKit
import NIOCore
import PipelineTestSupport
import SegmentStore
import Testing

/// fsync before ack with group commit, on the fake file system whose `crash()` drops every byte
/// not yet fsynced (a power loss), behind a real listener with 16 concurrent producers.
@Suite(.serialized, .integration)
struct GroupCommitTests {
    @Test func sixteenProducersShareFsyncsAndAPowerLossKeepsEveryAcknowledgedRecord() async throws {
        let fileSystem = InMemoryFileSystem()
        // A disk whose fsync takes 10 ms, so producers do arrive while one runs, even when a
        // loaded machine (tests run in parallel) is slow to hand them the CPU between requests.
        fileSystem.syncLatencyMicroseconds = 10_000
        let metrics = TestMetrics()
        let configuration = BrokerConfiguration(port: 0, dataDirectory: TestNode.dataDirectory, defaultPartitions: 2)
        let node = try BrokerNode(
            configuration: configuration,
            fileSystem: fileSystem,
            metrics: BrokerMetrics(factory: metrics),
            logger: Logger(label: "group-commit", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let server = try await BrokerServer.bind(node: node)
        let producers = (0..<16).map { AcknowledgingProducer(port: server.port, name: "p\($0)", partition: 0) }
        for producer in producers { producer.start() }

        let deadline = ContinuousClock.now + .seconds(30)
        while producers.reduce(0, { $0 + $1.acknowledged.count }) < 800 {
            #expect(ContinuousClock.now < deadline, "producers too slow")
            guard ContinuousClock.now < deadline else { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        let produceRequests = try metrics.expectCounter("edgelog_broker_requests_total", [("api", "Produce")])
            .totalValue
        let fsyncs = try metrics.expectCounter("edgelog_broker_fsyncs_total").totalValue
        let fileSyncs = fileSystem.syncCount

        // Power loss while requests are in flight.
        let gaugeAtCrash = try metrics.expectGauge("edgelog_broker_produce_requests_in_flight").lastValue ?? 0
        let sentBeforeCrash = producers.map(\.sentCount)
        fileSystem.crash()
        for producer in producers { producer.stop() }
        for producer in producers { await producer.waitUntilStopped() }
        await server.shutdown(drainTimeout: .seconds(2))

        // Requests sent before the power went and never acknowledged: they were in flight.
        let inFlightAtCrash = zip(producers, sentBeforeCrash).reduce(0) { $0 + max(0, $1.1 - $1.0.acknowledged.count) }
        #expect(inFlightAtCrash > 0, "the crash must land with produce requests unanswered")
        #expect(gaugeAtCrash > 0)
        // Group commit at work: one fsync serves many produce requests (each fsync of the log
        // is three file syncs: .log, .index, .timeindex).
        #expect(fsyncs > 0)
        #expect(fsyncs * 4 < produceRequests, "fsyncs \(fsyncs) vs produce requests \(produceRequests)")
        #expect(fileSyncs < Int(produceRequests), "file syncs \(fileSyncs) vs produce requests \(produceRequests)")

        // Recovery on the same (crashed) disk: every acknowledged record, at its offset, once.
        let recovered = try TestNode(fileSystem: fileSystem)
        var stored: [Int32: [String]] = [:]
        for partition: Int32 in [0] {
            stored[partition] = try recovered.values(topic: "group", partition: partition)
        }
        for partition: Int32 in [0] {
            let values = stored[partition] ?? []
            #expect(Set(values).count == values.count, "no record is stored twice")
        }
        var acknowledgedRecords = 0
        for producer in producers {
            for batch in producer.acknowledged {
                let values = stored[producer.partition] ?? []
                let start = Int(batch.baseOffset)
                acknowledgedRecords += batch.values.count
                #expect(start + batch.values.count <= values.count, "\(producer.name) lost acknowledged records")
                guard start + batch.values.count <= values.count else { continue }
                #expect(Array(values[start..<(start + batch.values.count)]) == batch.values)
            }
        }
        #expect(acknowledgedRecords >= 800 * AcknowledgingProducer.recordsPerBatch)
    }
}

/// One producer thread: a batch of `recordsPerBatch` unique values at a time with acks=-1,
/// remembering what was acknowledged at which offset, and whether a request is unanswered now.
final class AcknowledgingProducer: @unchecked Sendable {
    struct Acknowledged {
        var baseOffset: Int64
        var values: [String]
    }

    static let recordsPerBatch = 5

    let name: String
    let partition: Int32
    private let port: Int
    private let lock = NSLock()
    private var _acknowledged: [Acknowledged] = []
    private var _sent = 0
    private var _stopped = false
    /// The producer's loop, on a thread of its own started at once: its blocking socket never
    /// holds a thread of the cooperative pool, and a busy pool cannot delay its start (sixteen
    /// producers trickling in would make the groups small).
    private var runner: BackgroundThread?

    init(port: Int, name: String, partition: Int32) {
        self.port = port
        self.name = name
        self.partition = partition
    }

    var acknowledged: [Acknowledged] { lock.withLock { _acknowledged } }
    /// Produce requests sent so far (answered or not).
    var sentCount: Int { lock.withLock { _sent } }

    func start() {
        runner = BackgroundThread(name: "producer-\(name)") { [self] in run() }
    }

    func stop() { lock.withLock { _stopped = true } }

    /// Suspends (without blocking a thread) until the loop has returned.
    func waitUntilStopped() async { await runner?.finished() }

    private func run() {
        guard let client = try? KafkaSocketClient(port: port, timeout: .seconds(5)) else { return }
        var sequence = 0
        while !lock.withLock({ _stopped }) {
            let values = (0..<Self.recordsPerBatch).map { "\(name)-\(sequence)-\($0)" }
            sequence += 1
            guard let batch = try? TestRequests.batch(values) else { return }
            lock.withLock { _sent += 1 }
            let response = try? client.request(
                TestRequests.produce(topic: "group", partition: partition, records: batch, acks: -1),
                version: 7
            )
            guard let answer = response?.topics.first?.partitions.first, answer.errorCode == .none else {
                // After the crash every append fails: stop.
                return
            }
            lock.withLock {
                _acknowledged.append(Acknowledged(baseOffset: answer.baseOffset, values: values))
            }
        }
    }
}
