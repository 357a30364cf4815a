import BrokerCore
import Foundation
import KafkaClient
import KafkaProtocol
import Logging
import NIOCore
import TrafficGenerator

/// Produce throughput of the edgelog broker with fsync before ack (group commit) for 1, 4 and
/// 16 concurrent idempotent producers, each beside a raw write of the same bytes with the same
/// fsync cadence, measured in the same run (issue 5).
///
/// Per producer count: a fresh broker in this process (default settings: fsync=ack), one topic
/// with one partition (all producers share it, so group commit has something to share), each
/// producer its own `KafkaClient` connection and producer id with `--in-flight` requests
/// pipelined, acks=-1. The reference then writes the same batch bytes to one file with write(2)
/// and calls fdatasync as many times as the broker fsynced the log, evenly spread: the floor
/// for that durability cadence on this disk.
@main
struct BrokerBench {
    struct Options {
        var records = 400_000
        var batchBytes = 64 * 1024
        var inFlight = 5
        var producerCounts = [1, 4, 16]
        var compression = RecordCompression.none
        var directory = "/tmp/edgelog-broker-bench"
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
            case "--producers": options.producerCounts = value.split(separator: ",").compactMap { Int($0) }
            case "--compression": options.compression = value == "lz4" ? .lz4 : .none
            case "--directory": options.directory = value
            default:
                throw BenchError(
                    "unknown flag \(flag); flags: --records --batch-bytes --in-flight --producers 1,4,16 "
                        + "--compression none|lz4 --directory")
            }
        }
        return options
    }

    static func main() async throws {
        let options = try parse(CommandLine.arguments)
        let workload = try makeWorkload(options)
        let totalBytes = workload.reduce(0) { $0 + $1.uncompressedBytes }
        print(
            "workload: \(options.records) generated nginx records in \(workload.count) batches of ~\(options.batchBytes) "
                + "bytes (\(totalBytes) bytes of records), compression \(options.compression), "
                + "\(options.inFlight) requests in flight per producer, acks=-1, fsync=ack")
        print("| producers | path | seconds | MB/s | records/s | fsyncs | produce requests per fsync |")
        print("|---:|---|---:|---:|---:|---:|---:|")
        for producers in options.producerCounts {
            try await run(producers: producers, workload: workload, options: options)
        }
    }

    /// One batch's records, built into a batch per producer (their ids differ) before timing.
    struct WorkloadBatch {
        var records: [(timestamp: Int64, key: [UInt8], value: [UInt8])]
        var uncompressedBytes: Int
    }

    static func makeWorkload(_ options: Options) throws -> [WorkloadBatch] {
        var generator = try TrafficGenerator(profile: TrafficProfile(), format: "edge")
        var batches: [WorkloadBatch] = []
        var current = WorkloadBatch(records: [], uncompressedBytes: 0)
        var line: [UInt8] = []
        for _ in 0..<options.records {
            line.removeAll(keepingCapacity: true)
            guard let request = generator.appendLine(to: &line) else { continue }
            current.records.append((request.timeMs, Array(request.site.utf8), line))
            current.uncompressedBytes += line.count + request.site.utf8.count
            if current.uncompressedBytes >= options.batchBytes {
                batches.append(current)
                current = WorkloadBatch(records: [], uncompressedBytes: 0)
            }
        }
        if !current.records.isEmpty { batches.append(current) }
        return batches
    }

    static func run(producers: Int, workload: [WorkloadBatch], options: Options) async throws {
        let directory = "\(options.directory)/p\(producers)"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        var logger = Logger(label: "bench.broker")
        logger.logLevel = .warning
        let metrics = BrokerMetrics()
        let service = try await BrokerService.start(
            configuration: BrokerConfiguration(port: 0, dataDirectory: directory + "/broker"),
            metrics: metrics,
            logger: logger)
        let brokerTask = Task { try await service.run() }

        // Producer i sends batches i, i+P, i+2P, …, built with its own id and sequences.
        var clients: [KafkaClient] = []
        var perProducer: [[ByteBuffer]] = []
        let codec: (any RecordsCodec)? = options.compression == .lz4 ? try LZ4RecordsCodec() : nil
        for index in 0..<producers {
            let client = KafkaClient(
                configuration: try KafkaClient.Configuration(bootstrap: "127.0.0.1:\(service.port)"), logger: logger)
            _ = try await client.metadata(topics: ["bench"])
            let identity = try await client.initProducerId()
            var sequence: Int32 = 0
            var batches: [ByteBuffer] = []
            for batch in stride(from: index, to: workload.count, by: producers).map({ workload[$0] }) {
                var builder = RecordBatchBuilder(
                    producerID: identity.producerID, producerEpoch: identity.epoch, baseSequence: sequence)
                for record in batch.records {
                    builder.append(timestamp: record.timestamp, key: record.key, value: record.value)
                }
                batches.append(try builder.build(compression: options.compression, codec: codec))
                sequence += Int32(batch.records.count)
            }
            clients.append(client)
            perProducer.append(batches)
        }
        let batchBytes = perProducer.joined().reduce(0) { $0 + $1.readableBytes }
        let records = workload.reduce(0) { $0 + $1.records.count }

        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (client, batches) in zip(clients, perProducer) {
                group.addTask {
                    var pending: [EventLoopFuture<ProduceResult>] = []
                    for batch in batches {
                        pending.append(try await client.enqueueProduce(topic: "bench", partition: 0, batch: batch))
                        if pending.count >= options.inFlight {
                            try check(try await pending.removeFirst().get())
                        }
                    }
                    for future in pending { try check(try await future.get()) }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = seconds(ContinuousClock.now - start)
        let fsyncs = Int(metrics.fsyncsTotal)
        for client in clients { await client.shutdown() }
        brokerTask.cancel()
        _ = try? await brokerTask.value

        let raw = try rawWrite(Array(perProducer.joined()), syncs: fsyncs, path: directory + "/raw.bin")
        func row(_ path: String, _ seconds: Double, _ syncs: Int, perSync: String) -> String {
            String(
                format: "| %d | %@ | %.3f | %.1f | %.0f k | %d | %@ |", producers, path, seconds,
                Double(batchBytes) / seconds / 1e6, Double(records) / seconds / 1e3, syncs, perSync)
        }
        let requests = perProducer.reduce(0) { $0 + $1.count }
        print(
            row(
                "produce, fsync before ack", elapsed, fsyncs,
                perSync: String(format: "%.1f", Double(requests) / Double(max(fsyncs, 1)))))
        print(row("raw write(2) + fdatasync, same cadence", raw, fsyncs, perSync: "-"))
    }

    static func check(_ result: ProduceResult) throws {
        guard result.errorCode == .none else { throw BenchError("produce: \(result.errorCode)") }
    }

    /// The batch bytes written in order with write(2), with `syncs` fdatasyncs spread evenly
    /// (the last one after the last batch).
    static func rawWrite(_ batches: [ByteBuffer], syncs: Int, path: String) throws -> Double {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw BenchError("open \(path): errno \(errno)") }
        defer { close(fd) }
        let syncs = max(1, min(syncs, batches.count))
        let start = ContinuousClock.now
        var done = 0
        for (index, batch) in batches.enumerated() {
            let written = batch.withUnsafeReadableBytes { write(fd, $0.baseAddress, $0.count) }
            guard written == batch.readableBytes else { throw BenchError("short write") }
            // Sync k happens after batch ceil(k * n / syncs) - 1.
            while done < syncs, (index + 1) * syncs >= (done + 1) * batches.count {
                guard fdatasync(fd) == 0 else { throw BenchError("fdatasync: errno \(errno)") }
                done += 1
            }
        }
        return seconds(ContinuousClock.now - start)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
