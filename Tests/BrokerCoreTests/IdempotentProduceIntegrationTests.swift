import Foundation
import KafkaClient
import KafkaProtocol
import Logging
import NIOCore
import PipelineTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The exactly-once contract (DESIGN §10.1, §10.2, §10.4) against the `edgelog-broker` process:
/// kill -9 while idempotent producers have requests in flight, scripted resends across a
/// restart that follows a segment roll, and librdkafka's idempotent producer (kcat).
@Suite(.serialized, .integration)
struct IdempotentProduceIntegrationTests {
    @Test func kill9WithThreeIdempotentProducersInFlightLosesAndDuplicatesNothing() async throws {
        let broker = try BrokerProcess(extraArguments: ["--default-partitions", "2", "--segment-bytes", "256KiB"])
        defer { broker.remove() }
        try await broker.start()
        let producers = try await (0..<3).asyncMap { index in
            try await PipelinedIdempotentProducer.start(port: broker.port, name: "p\(index)", topic: "once")
        }
        let runs = producers.map { producer in Task { await producer.run() } }

        // Wait for real traffic, then kill while the broker reports produce requests in flight.
        let deadline = ContinuousClock.now + .seconds(30)
        while producers.reduce(0, { $0 + $1.acknowledgedCount }) < 300, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        var gauge = 0.0
        while gauge < 3, ContinuousClock.now < deadline {
            gauge = try await broker.metrics().total("edgelog_broker_produce_requests_in_flight") ?? 0
        }
        // Freeze the broker, then kill it: once frozen it answers nothing more, so what was sent
        // and is still unanswered after the answers already on the wire have arrived is exactly
        // what the kill lands on, however late a busy machine gets round to the kill itself.
        let process = try #require(broker.process)
        kill(process.pid, SIGSTOP)
        var acknowledged = producers.map(\.acknowledgedCount)
        while true {
            try await Task.sleep(for: .milliseconds(200))
            let now = producers.map(\.acknowledgedCount)
            if now == acknowledged { break }
            acknowledged = now
        }
        let sentBeforeKill = producers.map(\.sentCount)
        try await broker.kill9()
        for run in runs { await run.value }
        #expect(gauge > 0, "the kill must land with produce requests in flight")
        // Sent before the kill and never answered: in flight when it landed.
        let unanswered = zip(producers, sentBeforeKill).reduce(0) { $0 + ($1.1 - $1.0.acknowledgedCount) }
        #expect(unanswered > 0)
        #expect(producers.allSatisfy { $0.acknowledgedCount > 50 })

        try await broker.start()
        // Everything acknowledged is there exactly once; unacknowledged records may be missing.
        var stored = try Self.storedValues(broker)
        for (partition, values) in stored {
            #expect(Set(values).count == values.count, "partition \(partition) holds a record twice")
        }
        for producer in producers {
            for batch in producer.acknowledgedBatches {
                let values = stored[batch.partition] ?? []
                let start = Int(batch.baseOffset ?? -1)
                if start >= 0 {
                    #expect(start + batch.values.count <= values.count)
                    if start + batch.values.count <= values.count {
                        #expect(Array(values[start..<(start + batch.values.count)]) == batch.values)
                    }
                } else {
                    #expect(Set(batch.values).isSubset(of: Set(values)))
                }
            }
        }

        // The producers resend every unacknowledged batch with the same id and sequences (what
        // the shipper does from its checkpoint): now every record is there, still exactly once
        // (batches that were stored but not acknowledged when the kill landed come back as
        // duplicates and are not stored again).
        for producer in producers { try await producer.resendUnacknowledged(port: broker.port) }
        stored = try Self.storedValues(broker)
        for partition: Int32 in [0, 1] {
            let values = stored[partition] ?? []
            let sent = producers.flatMap { $0.batches.filter { $0.partition == partition }.flatMap(\.values) }
            #expect(values.count == sent.count)
            #expect(Set(values) == Set(sent))
        }
        try Self.expectValidLog(broker, topic: "once", partitions: 2)
        #expect(try await broker.terminate() == .exited(0))
    }

    @Test func scriptedResendsAfterARollAndAKill9AreStoredOnce() async throws {
        let broker = try BrokerProcess(extraArguments: ["--segment-bytes", "4KiB"])
        defer { broker.remove() }
        try await broker.start()
        var client = try KafkaSocketClient(port: broker.port)
        let identity = try await client.request(
            InitProducerIdRequest(transactionalID: nil, transactionTimeoutMs: 60_000), version: 1)
        #expect(identity.errorCode == KafkaErrorCode.none)
        let producerID = identity.producerID
        let directory = "\(broker.dataDirectory)/scripted-0"
        func batch(_ index: Int) -> [String] {
            (0..<10).map { "b\(index)-r\($0)-" + String(repeating: "z", count: 20) }
        }
        func send(_ values: [String], sequence: Int32) throws -> ProduceResponse.Partition {
            let records = try TestRequests.batch(values, producerID: producerID, baseSequence: sequence)
            let answer = try client.request(
                TestRequests.produce(topic: "scripted", records: records, acks: -1), version: 7)
            return try #require(answer.topics.first?.partitions.first)
        }
        func logFiles() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".log") }
        }
        // Batches of 10 until the log has rolled, then two more.
        var sent: [String] = []
        var index = 0
        var afterRoll = 0
        while afterRoll < 2 {
            let values = batch(index)
            let answer = try send(values, sequence: Int32(index * 10))
            #expect(answer.errorCode == KafkaErrorCode.none)
            #expect(answer.baseOffset == Int64(index * 10))
            sent += values
            index += 1
            if try logFiles().count > 1 { afterRoll += 1 }
            try #require(index < 100, "the log never rolled")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).contains { $0.hasSuffix(".snapshot") })
        let last = index - 1

        try await broker.kill9()
        try await broker.start()
        client = try KafkaSocketClient(port: broker.port)
        // (a) the last batch again, identical.
        let identical = try send(batch(last), sequence: Int32(last * 10))
        #expect(identical.errorCode == KafkaErrorCode.none)
        #expect(identical.baseOffset == Int64(last * 10))
        // (b) overlapping the stored tail by half: its last five records, then five new ones.
        let fresh = (0..<5).map { "fresh-\($0)" }
        let overlapping = try send(Array(batch(last).suffix(5)) + fresh, sequence: Int32(last * 10 + 5))
        #expect(overlapping.errorCode == KafkaErrorCode.none)
        #expect(overlapping.baseOffset == Int64(last * 10 + 5))

        #expect(try Self.storedValues(broker, topic: "scripted", partitions: 1)[0] == sent + fresh)
        let metrics = try await broker.metrics()
        #expect(metrics.total("edgelog_broker_duplicate_batches_total") == 1)
        #expect(metrics.total("edgelog_broker_trimmed_batches_total") == 1)
        #expect(metrics.total("edgelog_broker_duplicate_records_dropped_total") == 15)
        try Self.expectValidLog(broker, topic: "scripted", partitions: 1)
    }

    @Test func kcatWithIdempotenceProducesThroughTheBroker() async throws {
        let broker = try BrokerProcess()
        defer { broker.remove() }
        try await broker.start()
        let lines = (0..<3000).map { "idempotent line \($0)" }.joined(separator: "\n") + "\n"
        let produced = try await broker.kcat(
            [
                "-P", "-t", "kc", "-p", "0", "-z", "lz4", "-X", "enable.idempotence=true", "-X",
                "batch.num.messages=100",
            ],
            stdin: Data(lines.utf8)
        )
        #expect(produced.status == 0, "\(produced.stderrText)")
        let consumed = try await broker.kcat(["-C", "-t", "kc", "-p", "0", "-o", "beginning", "-e", "-q"])
        #expect(consumed.stdoutText == lines)
        // Idempotence was on: every stored batch carries a producer id (bytes 43..<51 ≥ 0) and
        // sequences continue from batch to batch.
        let bytes = [UInt8](
            try Data(contentsOf: URL(fileURLWithPath: "\(broker.dataDirectory)/kc-0/00000000000000000000.log")))
        var position = 0
        var expectedSequence: Int64 = 0
        while position + 61 <= bytes.count {
            func integer(_ offset: Int, _ width: Int) -> Int64 {
                bytes[(position + offset)..<(position + offset + width)].reduce(Int64(0)) { $0 << 8 | Int64($1) }
            }
            #expect(integer(43, 8) >= 0)
            #expect(integer(53, 4) == expectedSequence)
            expectedSequence += integer(57, 4)
            position += Int(integer(8, 4)) + 12
        }
        #expect(expectedSequence == 3000)
    }

    // MARK: - Helpers

    /// Every record value per partition, read with the test's own socket client.
    static func storedValues(_ broker: BrokerProcess, topic: String = "once", partitions: Int32 = 2) throws -> [Int32:
        [String]]
    {
        let client = try KafkaSocketClient(port: broker.port)
        var result: [Int32: [String]] = [:]
        for partition in 0..<partitions {
            var values: [String] = []
            var offset: Int64 = 0
            while true {
                let response = try client.request(
                    TestRequests.fetch(topic: topic, partition: partition, offset: offset), version: 4)
                let answer = try #require(response.topics.first?.partitions.first)
                try #require(answer.errorCode == KafkaErrorCode.none)
                var progressed = false
                for batch in try RecordBatch.split(answer.records ?? ByteBuffer()) {
                    for record in try batch.records(decompressingWith: try LZ4RecordsCodec())
                    where record.offset >= offset {
                        values.append(record.value.map { String(buffer: $0) } ?? "")
                        offset = record.offset + 1
                        progressed = true
                    }
                }
                if !progressed || offset >= answer.highWatermark { break }
            }
            result[partition] = values
        }
        return result
    }

    /// Reads every segment file of the topic independently: whole batches, CRC-32C valid,
    /// offsets contiguous from 0 across segments.
    static func expectValidLog(_ broker: BrokerProcess, topic: String, partitions: Int) throws {
        for partition in 0..<partitions {
            let directory = "\(broker.dataDirectory)/\(topic)-\(partition)"
            let logs = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".log") }
                .sorted()
            var next: Int64 = 0
            for name in logs {
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)")))
                #expect(Int64(name.dropLast(4)) == next, "\(name) starts where the previous segment ended")
                var position = 0
                while position < bytes.count {
                    try #require(position + 61 <= bytes.count, "\(name): torn batch header at \(position)")
                    let length = bytes[(position + 8)..<(position + 12)].reduce(0) { $0 << 8 | Int($1) }
                    let end = position + length + 12
                    try #require(end <= bytes.count, "\(name): torn batch at \(position)")
                    let header = try bytes[position..<end].withUnsafeBytes { try RecordBatch.validate($0) }
                    #expect(header.baseOffset == next)
                    next = header.lastOffset + 1
                    position = end
                }
            }
        }
    }
}

/// An idempotent producer on edgelog's own `KafkaClient`: one producer id, batches of 10
/// unique records alternating between partitions 0 and 1 with per-partition sequences, up to
/// ``window`` requests pipelined on the connection, acks=-1.
final class PipelinedIdempotentProducer: @unchecked Sendable {
    struct Batch {
        var partition: Int32
        var sequence: Int32
        var values: [String]
        var bytes: ByteBuffer
        /// Set once acknowledged (nil offset for DUPLICATE_SEQUENCE_NUMBER).
        var acknowledged = false
        var baseOffset: Int64?
    }

    let name: String
    let topic: String
    let identity: ProducerIdentity
    private let client: KafkaClient
    private let lock = NSLock()
    private var _batches: [Batch] = []
    private var _sent = 0
    /// Requests kept in flight on the connection.
    static let window = 16

    private init(name: String, topic: String, identity: ProducerIdentity, client: KafkaClient) {
        self.name = name
        self.topic = topic
        self.identity = identity
        self.client = client
    }

    static func start(port: Int, name: String, topic: String) async throws -> PipelinedIdempotentProducer {
        let client = Self.client(port: port)
        let identity = try await client.initProducerId()
        return PipelinedIdempotentProducer(name: name, topic: topic, identity: identity, client: client)
    }

    static func client(port: Int) -> KafkaClient {
        KafkaClient(
            configuration: KafkaClient.Configuration(
                host: "127.0.0.1",
                port: port,
                connection: KafkaConnection.Configuration(requestTimeout: .seconds(10)),
                maxConnectAttempts: 1
            ),
            logger: Logger(label: "test-producer", factory: { _ in SwiftLogNoOpLogHandler() })
        )
    }

    var batches: [Batch] { lock.withLock { _batches } }
    var acknowledgedBatches: [Batch] { batches.filter(\.acknowledged) }
    var acknowledgedCount: Int { lock.withLock { _batches.filter(\.acknowledged).count } }
    var sentCount: Int { lock.withLock { _sent } }

    /// Produces until the connection fails (the kill).
    func run() async {
        var window: [(index: Int, answer: EventLoopFuture<ProduceResult>)] = []
        var sequences: [Int32: Int32] = [0: 0, 1: 0]
        var number = 0
        while true {
            let partition = Int32(number % 2)
            let sequence = sequences[partition] ?? 0
            let values = (0..<10).map { "\(name)-\(number)-\($0)" }
            var builder = RecordBatchBuilder(
                producerID: identity.producerID, producerEpoch: identity.epoch, baseSequence: sequence)
            for value in values { builder.append(timestamp: 1_700_000_000_000, key: nil, value: Array(value.utf8)) }
            guard let bytes = try? builder.build() else { return }
            let index = lock.withLock {
                _batches.append(Batch(partition: partition, sequence: sequence, values: values, bytes: bytes))
                return _batches.count - 1
            }
            do {
                let answer = try await client.enqueueProduce(topic: topic, partition: partition, batch: bytes, acks: -1)
                lock.withLock { _sent += 1 }
                window.append((index, answer))
            } catch {
                lock.withLock { _ = _batches.removeLast() }
                break
            }
            sequences[partition] = sequence + 10
            number += 1
            if window.count >= Self.window {
                let oldest = window.removeFirst()
                guard await record(oldest.index, oldest.answer) else { break }
            }
        }
        for entry in window { _ = await record(entry.index, entry.answer) }
        await client.shutdown()
    }

    private func record(_ index: Int, _ answer: EventLoopFuture<ProduceResult>) async -> Bool {
        guard let result = try? await answer.get() else { return false }
        guard result.errorCode == .none || result.errorCode == .duplicateSequenceNumber else { return false }
        lock.withLock {
            _batches[index].acknowledged = true
            _batches[index].baseOffset = result.baseOffset
        }
        return true
    }

    /// Sends every batch that was never acknowledged again, oldest first, same bytes.
    func resendUnacknowledged(port: Int) async throws {
        let client = Self.client(port: port)
        for (index, batch) in batches.enumerated() where !batch.acknowledged {
            let result = try await client.produce(
                topic: topic, partition: batch.partition, batch: batch.bytes, acks: -1)
            #expect(
                result.errorCode == .none || result.errorCode == .duplicateSequenceNumber,
                "\(name) resend of sequence \(batch.sequence): \(result.errorCode)"
            )
            lock.withLock {
                _batches[index].acknowledged = true
                _batches[index].baseOffset = result.baseOffset
            }
        }
        await client.shutdown()
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
