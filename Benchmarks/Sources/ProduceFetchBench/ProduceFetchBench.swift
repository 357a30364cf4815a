import BrokerCore
import Foundation
import KafkaClient
import KafkaProtocol
import Logging
import NIOCore
import TrafficGenerator

/// Produce and fetch throughput of the edgelog broker over loopback TCP, beside a raw sequential
/// write of the same batch bytes measured in the same run (issue 4).
///
/// The broker runs in this process on an ephemeral port with its data directory under /tmp; the
/// client is our `KafkaClient` with `--in-flight` produce requests pipelined on one connection,
/// acks=-1 (answered once the batch is in the page cache: issue 4's durability level).
@main
struct ProduceFetchBench {
    struct Options {
        var records = 1_000_000
        var batchBytes = 1_000_000  // below the broker's default max batch (1,048,588 bytes, as Kafka)
        var inFlight = 8
        var compression = RecordCompression.none
        var directory = "/tmp/edgelog-produce-fetch-bench"
        var durability = DurabilityPolicy.beforeAck
    }

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next() else { throw BenchError("\(flag) needs a value") }
            switch flag {
            case "--records": options.records = Int(value) ?? options.records
            case "--batch-bytes": options.batchBytes = Int(value) ?? options.batchBytes
            case "--in-flight": options.inFlight = max(1, Int(value) ?? options.inFlight)
            case "--compression": options.compression = value == "lz4" ? .lz4 : .none
            case "--directory": options.directory = value
            case "--fsync":
                guard let policy = DurabilityPolicy(word: value, intervalMilliseconds: 100) else {
                    throw BenchError("--fsync ack|interval|never")
                }
                options.durability = policy
            default:
                throw BenchError(
                    "unknown flag \(flag); flags: --records --batch-bytes --in-flight --compression none|lz4 --fsync ack|interval|never --directory")
            }
        }
        return options
    }

    static func main() async throws {
        let options = try parse(CommandLine.arguments)
        try? FileManager.default.removeItem(atPath: options.directory)
        try FileManager.default.createDirectory(atPath: options.directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: options.directory) }

        // Batches of generated nginx lines (key = site), built once so every measurement moves
        // exactly the same bytes.
        let batches = try makeBatches(options)
        let totalBytes = batches.reduce(0) { $0 + $1.bytes.readableBytes }
        print("workload: \(options.records) records in \(batches.count) batches, \(totalBytes) bytes, "
            + "compression \(options.compression), \(options.inFlight) produce requests in flight, fsync \(options.durability)")

        let raw = try rawSequentialWrite(batches, path: options.directory + "/raw.bin")

        var logger = Logger(label: "bench.broker")
        logger.logLevel = .warning
        let service = try await BrokerService.start(
            configuration: BrokerConfiguration(
                port: 0, dataDirectory: options.directory + "/broker", durability: options.durability),
            logger: logger)
        let brokerTask = Task { try await service.run() }
        let client = KafkaClient(
            configuration: try KafkaClient.Configuration(bootstrap: "127.0.0.1:\(service.port)"), logger: logger)
        _ = try await client.metadata(topics: ["bench"])

        let produceStart = ContinuousClock.now
        do {
            var pending: [EventLoopFuture<ProduceResult>] = []
            for batch in batches {
                pending.append(try await client.enqueueProduce(topic: "bench", partition: 0, batch: batch.bytes))
                if pending.count >= options.inFlight {
                    let result = try await pending.removeFirst().get()
                    guard result.errorCode == .none else { throw BenchError("produce: \(result.errorCode)") }
                }
            }
            for future in pending {
                let result = try await future.get()
                guard result.errorCode == .none else { throw BenchError("produce: \(result.errorCode)") }
            }
        }
        let produce = seconds(ContinuousClock.now - produceStart)

        var fetchedRecords = 0
        var fetchedBytes = 0
        let fetchStart = ContinuousClock.now
        do {
            var offset: Int64 = 0
            while fetchedRecords < options.records {
                let result = try await client.fetch(
                    topic: "bench", partition: 0, offset: offset, maxBytes: Int32(4 << 20), maxWait: .milliseconds(100))
                guard result.errorCode == .none else { throw BenchError("fetch: \(result.errorCode)") }
                for batch in try result.batches() {
                    fetchedRecords += Int(batch.header.recordsCount)
                    fetchedBytes += batch.bytes.readableBytes
                    offset = batch.header.lastOffset + 1
                }
            }
        }
        let fetch = seconds(ContinuousClock.now - fetchStart)
        await client.shutdown()
        brokerTask.cancel()
        _ = try? await brokerTask.value

        func row(_ name: String, _ seconds: Double, _ bytes: Int, _ records: Int) -> String {
            String(format: "| %@ | %.3f | %.0f | %.2f M |", name, seconds, Double(bytes) / seconds / 1e6,
                   Double(records) / seconds / 1e6)
        }
        print("| path | seconds | MB/s | records/s |")
        print("|---|---:|---:|---:|")
        print(row("raw sequential write(2) of the batch bytes (page cache)", raw, totalBytes, options.records))
        print(row("produce, acks=-1, over loopback", produce, totalBytes, options.records))
        print(row("fetch from offset 0 to the end", fetch, fetchedBytes, fetchedRecords))
    }

    static func makeBatches(_ options: Options) throws -> [RecordBatch] {
        var generator = try TrafficGenerator(profile: TrafficProfile(), format: "edge")
        var batches: [RecordBatch] = []
        var builder = RecordBatchBuilder()
        let codec: (any RecordsCodec)? = options.compression == .lz4 ? try LZ4RecordsCodec() : nil
        var line: [UInt8] = []
        for _ in 0..<options.records {
            line.removeAll(keepingCapacity: true)
            guard let request = generator.appendLine(to: &line) else { continue }
            builder.append(timestamp: request.timeMs, key: Array(request.site.utf8), value: line)
            if builder.uncompressedRecordsByteCount >= options.batchBytes {
                batches.append(try RecordBatch(validating: try builder.build(compression: options.compression, codec: codec)))
                builder.reset()
            }
        }
        if !builder.isEmpty {
            batches.append(try RecordBatch(validating: try builder.build(compression: options.compression, codec: codec)))
        }
        return batches
    }

    /// The floor for the broker's append path: the same bytes written with write(2) in order.
    static func rawSequentialWrite(_ batches: [RecordBatch], path: String) throws -> Double {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw BenchError("open \(path): errno \(errno)") }
        defer { close(fd) }
        let start = ContinuousClock.now
        for batch in batches {
            let written = batch.bytes.withUnsafeReadableBytes { write(fd, $0.baseAddress, $0.count) }
            guard written == batch.bytes.readableBytes else { throw BenchError("short write") }
        }
        return seconds(ContinuousClock.now - start)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
