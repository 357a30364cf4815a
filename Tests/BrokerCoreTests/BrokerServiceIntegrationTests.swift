import Foundation
import KafkaProtocol
import NIOCore
import PipelineTestSupport
import Synchronization
import Testing

/// The `edgelog-broker` process against real clients: kcat (librdkafka 2.0.2) for the happy
/// paths, a raw socket for hostile bytes, and the files on disk for what was stored.
@Suite(.serialized, .integration)
struct BrokerServiceIntegrationTests {
    /// 20,000 distinct, compressible lines per partition, naming the partition so a mix-up shows.
    static func lines(partition: Int, count: Int = 20_000) -> String {
        (0..<count).map { index in
            "p\(partition) line \(index) GET /assets/app.\(index % 97).js HTTP/1.1 200 \(1000 + index % 5000) "
                + "\"Mozilla/5.0\""
        }.joined(separator: "\n") + "\n"
    }

    @Test func kcatProducesAndConsumesEveryLineInOrderPlainAndLZ4() async throws {
        let broker = try BrokerProcess(extraArguments: ["--default-partitions", "4"])
        defer { broker.remove() }
        try await broker.start()
        let codecs = ["none", "lz4", "none", "lz4"]
        for partition in 0..<4 {
            let produced = try await broker.kcat(
                ["-P", "-t", "lines", "-p", "\(partition)", "-z", codecs[partition]],
                stdin: Data(Self.lines(partition: partition).utf8)
            )
            #expect(produced.status == 0, "kcat -P: \(produced.stderrText)\n\(broker.logs())")
        }
        let listing = try await broker.kcat(["-L"])
        #expect(listing.status == 0)
        #expect(listing.stdoutText.contains("broker 0 at \(broker.bootstrap)"))
        #expect(listing.stdoutText.contains("topic \"lines\" with 4 partitions:"))
        for partition in 0..<4 {
            #expect(listing.stdoutText.contains("partition \(partition), leader 0, replicas: 0, isrs: 0"))
        }
        for partition in 0..<4 {
            let consumed = try await broker.kcat(["-C", "-t", "lines", "-p", "\(partition)", "-o", "beginning", "-e", "-q"])
            #expect(consumed.status == 0, "kcat -C: \(consumed.stderrText)")
            #expect(consumed.stdout == Data(Self.lines(partition: partition).utf8), "partition \(partition) differs")
        }
        for partition in 0..<4 {
            let batches = try SegmentFileBatches.read(
                "\(broker.dataDirectory)/lines-\(partition)/00000000000000000000.log"
            )
            #expect(!batches.isEmpty)
            if codecs[partition] == "lz4" {
                // librdkafka sends a batch uncompressed when LZ4 does not make it smaller, which
                // happens to the few-line batches it sends while the first answers are awaited.
                let plain = batches.filter { $0.compressionCodec == 0 }
                #expect(batches.contains { $0.compressionCodec == 3 })
                #expect(
                    plain.allSatisfy { $0.totalBytes < 1024 } && batches.allSatisfy { [0, 3].contains($0.compressionCodec) },
                    "partition \(partition): \(batches.map { "\($0.compressionCodec):\($0.totalBytes)" })"
                )
            } else {
                #expect(
                    batches.allSatisfy { $0.compressionCodec == 0 },
                    "partition \(partition): \(batches.map(\.compressionCodec))"
                )
            }
        }
        #expect(try await broker.terminate() == .exited(0))
    }

    @Test func hostileConnectionsCloseAloneWhileAnotherClientKeepsProducing() async throws {
        let broker = try BrokerProcess(extraArguments: ["--max-request-bytes", "1MiB"])
        defer { broker.remove() }
        try await broker.start()
        let steady = SteadyProducer(port: broker.port, topic: "steady")
        steady.start()
        defer { steady.stop() }
        try await steady.waitForSuccesses(atLeast: 3)

        // Random bytes, then EOF.
        var generator = SystemRandomNumberGenerator()
        try await expectClosed(broker, "random bytes", halfClose: true) { client in
            try client.send((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
        // A 2 GiB length prefix: closed as soon as the prefix is in, nothing waited for.
        try await expectClosed(broker, "2 GiB length prefix") { client in
            try client.send([0x7f, 0xff, 0xff, 0xff, 0x00, 0x03, 0x00, 0x04])
        }
        // A whole frame whose Metadata body ends early.
        try await expectClosed(broker, "truncated body") { client in
            var frame = try TestRequests.frame(MetadataRequest(topics: ["steady"]), version: 4, correlationID: 1)
            frame.moveWriterIndex(to: frame.writerIndex - 3)
            frame.setInteger(Int32(frame.readableBytes - 4), at: frame.readerIndex)
            try client.send(frame)
        }
        // Half a frame, then EOF.
        try await expectClosed(broker, "truncated frame", halfClose: true) { client in
            let frame = try TestRequests.frame(MetadataRequest(topics: ["steady"]), version: 4, correlationID: 1)
            try client.send(Array(frame.readableBytesView.prefix(frame.readableBytes / 2)))
        }
        // An API key no Kafka version defines.
        try await expectClosed(broker, "unknown api key") { client in
            try client.send([0, 0, 0, 10, 0x03, 0xe7, 0, 0, 0, 0, 0, 5, 0xff, 0xff])
        }

        // A batch with a bad CRC: answered CORRUPT_MESSAGE, connection kept, nothing stored.
        let client = try KafkaSocketClient(port: broker.port)
        let good = try await client.request(
            TestRequests.produce(topic: "crc", records: TestRequests.batch(["fine"])),
            version: 7
        )
        #expect(good.topics.first?.partitions.first?.errorCode == KafkaErrorCode.none)
        var corrupt = try TestRequests.batch(["tampered"])
        corrupt.setInteger(
            corrupt.getInteger(at: corrupt.writerIndex - 2, as: UInt8.self)! ^ 0x20,
            at: corrupt.writerIndex - 2
        )
        let rejected = try await client.request(TestRequests.produce(topic: "crc", records: corrupt), version: 7)
        #expect(rejected.topics.first?.partitions.first?.errorCode == KafkaErrorCode.corruptMessage)
        let ends = try await client.request(
            ListOffsetsRequest(topics: [.init(name: "crc", partitions: [.init(partitionIndex: 0, timestamp: -1)])]),
            version: 1
        )
        #expect(ends.topics.first?.partitions.first?.offset == 1)
        let batches = try SegmentFileBatches.read("\(broker.dataDirectory)/crc-0/00000000000000000000.log")
        #expect(batches.count == 1)

        // The steady producer kept going through all of it, and everything it sent is there.
        let before = steady.successes
        try await steady.waitForSuccesses(atLeast: before + 3)
        await steady.stopAndWait()
        #expect(steady.failures.isEmpty, "\(steady.failures)")
        let fetched = try await client.request(TestRequests.fetch(topic: "steady", offset: 0), version: 4)
        var values: [String] = []
        var offset: Int64 = 0
        var partition = try #require(fetched.topics.first?.partitions.first)
        while true {
            let chunk = try TestRequests.values(in: partition.records)
            values += chunk
            offset += Int64(chunk.count)
            guard offset < partition.highWatermark, !chunk.isEmpty else { break }
            let next = try await client.request(TestRequests.fetch(topic: "steady", offset: offset), version: 4)
            partition = try #require(next.topics.first?.partitions.first)
        }
        #expect(values == (0..<steady.successes).map { "steady \($0)" })
        #expect(broker.process?.isRunning == true)
        let metrics = try LoopbackProbe.httpGet(port: broker.metricsPort, path: "/metrics").bodyText
        #expect(metrics.contains("edgelog_broker_connections_closed_for_protocol_errors_total"))
    }

    /// Opens a connection, does `hostile`, and expects the broker to close it.
    private func expectClosed(
        _ broker: BrokerProcess,
        _ name: String,
        halfClose: Bool = false,
        _ hostile: (KafkaSocketClient) throws -> Void
    ) async throws {
        let client = try await KafkaSocketClient.connecting(port: broker.port, timeout: .seconds(5))
        try hostile(client)
        if halfClose { client.shutdownWrite() }
        let closed = await client.waitForClose()
        #expect(closed, "\(name): connection not closed")
    }

    @Test func tornTailIsTruncatedAndIndexesRebuiltAtStartUp() async throws {
        let broker = try BrokerProcess()
        defer { broker.remove() }
        try await broker.start()
        let text = Self.lines(partition: 0, count: 5000)
        let produced = try await broker.kcat(
            ["-P", "-t", "r", "-p", "0", "-X", "batch.num.messages=500"],
            stdin: Data(text.utf8)
        )
        #expect(produced.status == 0)
        #expect(try await broker.terminate() == .exited(0))

        let directory = "\(broker.dataDirectory)/r-0"
        let logPath = "\(directory)/00000000000000000000.log"
        let original = try Data(contentsOf: URL(fileURLWithPath: logPath))
        // The start of a batch (its header claims more bytes than follow), as a crash mid-write
        // leaves it.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try handle.seekToEnd()
        try handle.write(contentsOf: original.prefix(200))
        try handle.close()
        for index in ["00000000000000000000.index", "00000000000000000000.timeindex"] {
            try FileManager.default.removeItem(atPath: "\(directory)/\(index)")
        }

        try await broker.start()
        let recovered = try Data(contentsOf: URL(fileURLWithPath: logPath))
        #expect(recovered == original)
        #expect(FileManager.default.fileExists(atPath: "\(directory)/00000000000000000000.index"))
        #expect(FileManager.default.fileExists(atPath: "\(directory)/00000000000000000000.timeindex"))
        let consumed = try await broker.kcat(["-C", "-t", "r", "-p", "0", "-o", "beginning", "-e", "-q"])
        #expect(consumed.stdout == Data(text.utf8))
        // Reading from the middle goes through the rebuilt index.
        let middle = try await broker.kcat(["-C", "-t", "r", "-p", "0", "-o", "4321", "-c", "1", "-q"])
        #expect(middle.stdoutText == text.split(separator: "\n")[4321] + "\n")
    }

    @Test func committedOffsetSurvivesKill9() async throws {
        let broker = try BrokerProcess()
        defer { broker.remove() }
        try await broker.start()
        do {
            let client = try KafkaSocketClient(port: broker.port)
            _ = try await client.request(
                TestRequests.produce(topic: "c", records: TestRequests.batch(["a", "b", "c"])),
                version: 7
            )
            let commit = OffsetCommitRequest(
                groupID: "simple",
                topics: [
                    .init(
                        name: "c",
                        partitions: [.init(partitionIndex: 0, committedOffset: 2, committedMetadata: "meta")]
                    )
                ]
            )
            let answer = try await client.request(commit, version: 2)
            #expect(answer.topics.first?.partitions.first?.errorCode == KafkaErrorCode.none)
        }
        try await broker.kill9()
        try await broker.start()
        let client = try KafkaSocketClient(port: broker.port)
        let fetched = try await client.request(
            OffsetFetchRequest(groupID: "simple", topics: [.init(name: "c", partitionIndexes: [0])]),
            version: 1
        )
        let partition = try #require(fetched.topics.first?.partitions.first)
        #expect(partition.committedOffset == 2)
        #expect(partition.metadata == "meta")
        #expect(partition.errorCode == KafkaErrorCode.none)
    }

    /// Retention and interval fsyncs run on their own schedule in the process: segments below a
    /// live group's committed offset go once old, the one holding it stays until the group stops
    /// committing for a retention period.
    @Test func retentionKeepsSegmentsAboveALiveGroupAndIntervalFsyncsRun() async throws {
        let broker = try BrokerProcess(extraArguments: [
            "--segment-bytes", "4KiB", "--retention", "2s", "--retention-check-interval", "100ms",
            "--fsync", "interval", "--fsync-interval", "50ms",
        ])
        defer { broker.remove() }
        try await broker.start()
        let client = try await KafkaSocketClient.connecting(port: broker.port)
        for index in 0..<80 {
            let values = (0..<10).map { "r\(index)-\($0)-" + String(repeating: "q", count: 20) }
            let answer = try await client.request(
                TestRequests.produce(topic: "ret", records: TestRequests.batch(values)), version: 7)
            #expect(answer.topics.first?.partitions.first?.errorCode == KafkaErrorCode.none)
        }
        let directory = "\(broker.dataDirectory)/ret-0"
        func bases() throws -> [Int64] {
            try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".log") }
                .compactMap { Int64($0.dropLast(4)) }.sorted()
        }
        let before = try bases()
        try #require(before.count >= 5)
        // A live consumer commits every 300 ms while the data ages past the retention. It commits
        // from a thread of its own: a commit loop on the test's task could stall for a whole
        // retention period while other tests keep the cooperative pool busy, and the group would
        // then rightly count as gone.
        let consumer = CommittingConsumer(
            port: broker.port, group: "live", topic: "ret", offset: (before[2] + before[3]) / 2,
            every: .milliseconds(300))
        consumer.start()
        var deadline = ContinuousClock.now + .seconds(15)
        while try bases().first != before[2], ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try bases() == Array(before[2...]), "only segments wholly below the committed offset go")
        // Five more commits: the segment holding the committed offset stays.
        let commitsSoFar = consumer.commits
        while consumer.commits < commitsSoFar + 5, consumer.failures.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try bases() == Array(before[2...]))
        await consumer.stopAndWait()
        #expect(consumer.failures.isEmpty, "\(consumer.failures)")
        // The group goes quiet: after a retention period it no longer holds anything back.
        deadline = ContinuousClock.now + .seconds(15)
        while try bases().count > 1, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(try bases() == [before.last!])
        // The counter moves after the files are gone: give the scrape a moment to see it.
        let deletedWanted = Double(before.count - 1)
        var deleted = try await broker.metrics().total("edgelog_broker_retention_deleted_segments_total")
        deadline = ContinuousClock.now + .seconds(5)
        while deleted != deletedWanted, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            deleted = try await broker.metrics().total("edgelog_broker_retention_deleted_segments_total")
        }
        #expect(deleted == deletedWanted)
        #expect(try await broker.metrics().total("edgelog_broker_fsyncs_total") ?? 0 > 0)
    }

    @Test func connectionsFromOutsideTheAllowListAreClosedAtAccept() async throws {
        let broker = try BrokerProcess(extraArguments: ["--allow-networks", "10.0.0.0/8"])
        defer { broker.remove() }
        try await broker.start()
        let client = try await KafkaSocketClient.connecting(port: broker.port, timeout: .seconds(5))
        let closed = await client.waitForClose()
        #expect(closed)
        try await broker.process?.waitUntilOutput(
            contains: "refused a connection from outside allow-networks",
            timeout: .seconds(5)
        )
    }
}

/// Produces one single-record batch after another on its own connection and thread until
/// stopped, counting acknowledged batches; record `n` has value `steady n`.
final class SteadyProducer: @unchecked Sendable {
    private let port: Int
    private let topic: String
    private let lock = NSLock()
    private var _successes = 0
    private var _failures: [String] = []
    private var _stopped = false
    /// The producer's loop, on a thread of its own started at once, off the cooperative pool.
    private var runner: BackgroundThread?

    init(port: Int, topic: String) {
        self.port = port
        self.topic = topic
    }

    var successes: Int { lock.withLock { _successes } }
    var failures: [String] { lock.withLock { _failures } }
    private var stopped: Bool { lock.withLock { _stopped } }

    func start() {
        runner = BackgroundThread(name: "steady-producer") { [self] in run() }
    }

    func stop() {
        lock.withLock { _stopped = true }
    }

    /// Stops and waits until the request in flight (if any) is answered and counted.
    func stopAndWait() async {
        stop()
        await runner?.finished()
    }

    func waitForSuccesses(atLeast count: Int, timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        while successes < count {
            guard ContinuousClock.now < deadline, failures.isEmpty else {
                throw TestFailure("steady producer at \(successes) successes, failures: \(failures)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private func run() {
        do {
            let client = try KafkaSocketClient(port: port)
            var sequence = 0
            while !stopped {
                let batch = try TestRequests.batch(["steady \(sequence)"])
                let response = try client.request(TestRequests.produce(topic: topic, records: batch), version: 7)
                let partition = response.topics.first?.partitions.first
                guard partition?.errorCode == KafkaErrorCode.none, partition?.baseOffset == Int64(sequence) else {
                    lock.withLock { _failures.append("batch \(sequence): \(String(describing: partition))") }
                    return
                }
                sequence += 1
                lock.withLock { _successes = sequence }
                Thread.sleep(forTimeInterval: 0.005)
            }
        } catch {
            lock.withLock { _failures.append("\(error)") }
        }
    }
}

/// A consumer group that only commits: `offset` for partition 0 of `topic`, every `interval`, on
/// its own connection and thread until stopped, so its commits keep their rhythm however busy
/// the cooperative pool is.
final class CommittingConsumer: Sendable {
    private struct Progress {
        var commits = 0
        var failures: [String] = []
        var stopped = false
    }

    private let port: Int
    private let request: OffsetCommitRequest
    private let interval: Duration
    private let progress = Mutex(Progress())
    private let runner = Mutex<BackgroundThread?>(nil)

    init(port: Int, group: String, topic: String, offset: Int64, every interval: Duration) {
        self.port = port
        self.interval = interval
        self.request = OffsetCommitRequest(
            groupID: group,
            topics: [
                .init(name: topic, partitions: [.init(partitionIndex: 0, committedOffset: offset, committedMetadata: nil)])
            ]
        )
    }

    /// Commits answered without an error so far.
    var commits: Int { progress.withLock { $0.commits } }
    var failures: [String] { progress.withLock { $0.failures } }

    func start() {
        runner.withLock { $0 = BackgroundThread(name: "committing-consumer") { self.run() } }
    }

    /// Stops and waits until the commit in flight (if any) is answered.
    func stopAndWait() async {
        progress.withLock { $0.stopped = true }
        await runner.withLock { $0 }?.finished()
    }

    private func run() {
        do {
            let client = try KafkaSocketClient(port: port)
            while !progress.withLock({ $0.stopped }) {
                let answer = try client.request(request, version: 2).topics.first?.partitions.first?.errorCode
                let failed = answer != KafkaErrorCode.none
                progress.withLock {
                    if failed {
                        $0.failures.append("commit answered \(String(describing: answer))")
                    } else {
                        $0.commits += 1
                    }
                }
                if failed { return }
                Thread.sleep(forTimeInterval: interval / .seconds(1))
            }
        } catch {
            progress.withLock { $0.failures.append("\(error)") }
        }
    }
}
