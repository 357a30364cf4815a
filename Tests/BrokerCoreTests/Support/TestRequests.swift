import FileStorage
import BrokerCore
import Foundation
import KafkaProtocol
import Logging
import MetricsTestKit
import NIOCore
import NIOEmbedded
import SegmentStore
import Testing

/// Client-side helpers for broker tests: request frames built with KafkaProtocol's encoders (the
/// reverse direction of what the broker decodes), response frames split and decoded, and record
/// batches built with `RecordBatchBuilder`.
enum TestRequests {
    static let clientID = "broker-tests"

    /// A whole size-prefixed request frame.
    static func frame<Request: KafkaRequestMessage>(
        _ request: Request,
        version: Int16,
        correlationID: Int32
    ) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        try KafkaFrame.writeRequest(
            request,
            version: version,
            correlationID: correlationID,
            clientID: clientID,
            into: &buffer
        )
        return buffer
    }

    /// One batch of `values` (keys null), timestamps from `timestamp` on, 1 ms apart.
    static func batch(_ values: [String], timestamp: Int64 = 1_700_000_000_000) throws -> ByteBuffer {
        var builder = RecordBatchBuilder()
        for (index, value) in values.enumerated() {
            builder.append(timestamp: timestamp + Int64(index), key: nil, value: Array(value.utf8))
        }
        return try builder.build()
    }

    /// One idempotent producer's batch of `values` starting at `baseSequence`.
    static func batch(
        _ values: [String],
        producerID: Int64,
        epoch: Int16 = 0,
        baseSequence: Int32,
        compression: RecordCompression = .none,
        timestamp: Int64 = 1_700_000_000_000
    ) throws -> ByteBuffer {
        var builder = RecordBatchBuilder(producerID: producerID, producerEpoch: epoch, baseSequence: baseSequence)
        for (index, value) in values.enumerated() {
            builder.append(timestamp: timestamp + Int64(index), key: Array("k".utf8), value: Array(value.utf8))
        }
        return try builder.build(compression: compression, codec: compression == .lz4 ? try LZ4RecordsCodec() : nil)
    }

    static func produce(
        topic: String,
        partition: Int32 = 0,
        records: ByteBuffer?,
        acks: Int16 = 1
    ) -> ProduceRequest {
        ProduceRequest(
            acks: acks,
            timeoutMs: 5000,
            topics: [.init(name: topic, partitions: [.init(index: partition, records: records)])]
        )
    }

    static func fetch(
        topic: String,
        partition: Int32 = 0,
        offset: Int64,
        maxWaitMs: Int32 = 0,
        minBytes: Int32 = 1
    ) -> FetchRequest {
        FetchRequest(
            maxWaitMs: maxWaitMs,
            minBytes: minBytes,
            maxBytes: 1 << 20,
            topics: [
                .init(
                    name: topic,
                    partitions: [.init(partition: partition, fetchOffset: offset, partitionMaxBytes: 1 << 20)]
                )
            ]
        )
    }

    /// Decodes a response frame (size prefix included) of `Response` at `version`.
    static func decode<Response: KafkaResponseMessage>(
        _ type: Response.Type,
        version: Int16,
        frame: ByteBuffer
    ) throws -> (correlationID: Int32, body: Response) {
        var frame = frame
        guard let size = frame.readInteger(as: Int32.self), Int(size) == frame.readableBytes else {
            throw TestFailure("response frame size prefix does not match its bytes")
        }
        let (header, body) = try KafkaFrame.readResponse(type, version: version, from: &frame)
        return (header.correlationID, body)
    }

    /// The correlation id of a response frame (bytes 4..<8).
    static func correlationID(of frame: ByteBuffer) -> Int32? {
        frame.getInteger(at: frame.readerIndex + 4, as: Int32.self)
    }

    /// Values of every record in `records` (batches back to back), in offset order.
    static func values(in records: ByteBuffer?) throws -> [String] {
        guard let records, records.readableBytes > 0 else { return [] }
        var values: [String] = []
        for batch in try RecordBatch.split(records, allowingTrailingPartialBatch: true) {
            for record in try batch.records() {
                values.append(record.value.map { String(buffer: $0) } ?? "")
            }
        }
        return values
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A broker node on an in-memory file system, with test metrics.
struct TestNode {
    let node: BrokerNode
    let fileSystem: InMemoryFileSystem
    let metrics: TestMetrics

    static let dataDirectory = "/data"

    init(
        fileSystem: InMemoryFileSystem = InMemoryFileSystem(),
        clock: WallClock = .system,
        configure: (inout BrokerConfiguration) -> Void = { _ in }
    ) throws {
        var configuration = BrokerConfiguration(port: 0, dataDirectory: Self.dataDirectory)
        configure(&configuration)
        let metrics = TestMetrics()
        self.fileSystem = fileSystem
        self.metrics = metrics
        self.node = try BrokerNode(
            configuration: configuration,
            fileSystem: fileSystem,
            metrics: BrokerMetrics(factory: metrics),
            clock: clock,
            logger: Logger(label: "broker-tests", factory: { _ in SwiftLogNoOpLogHandler() })
        )
    }

    /// Dispatches `request` inline and decodes the answer (a Produce held for its fsync is
    /// already answered: the inline executor ran the sync).
    func roundTrip<Request: KafkaRequestMessage>(_ request: Request, version: Int16) throws -> Request.Response {
        var frame = try TestRequests.frame(request, version: version, correlationID: 7)
        frame.moveReaderIndex(forwardBy: 4)
        let loop = EmbeddedEventLoop()
        let outcome = try dispatcher.dispatch(try KafkaRequest(frame: frame), on: loop).wait()
        let response: ByteBuffer
        switch outcome {
        case .response(let frame): response = frame
        case .held(let answer): response = try answer.wait()
        case .noResponse: throw TestFailure("no response")
        case .close(let reason): throw TestFailure("closed: \(reason)")
        }
        return try TestRequests.decode(Request.Response.self, version: version, frame: response).body
    }

    /// Produces `records` to one partition; the partition's answer.
    func produce(_ records: ByteBuffer, topic: String = "t", partition: Int32 = 0) throws -> ProduceResponse.Partition {
        let response = try roundTrip(
            TestRequests.produce(topic: topic, partition: partition, records: records, acks: -1),
            version: 7
        )
        return try #require(response.topics.first?.partitions.first)
    }

    /// Every record value of one partition from `offset` to its high watermark, read through Fetch.
    func values(topic: String = "t", partition: Int32 = 0, from offset: Int64 = 0) throws -> [String] {
        var values: [String] = []
        var next = offset
        while true {
            let response = try roundTrip(
                TestRequests.fetch(topic: topic, partition: partition, offset: next), version: 4)
            let answer = try #require(response.topics.first?.partitions.first)
            guard answer.errorCode == .none else { throw TestFailure("fetch at \(next): \(answer.errorCode)") }
            var skipped: [String] = []
            for batch in try RecordBatch.split(answer.records ?? ByteBuffer()) {
                for record in try batch.records(decompressingWith: try LZ4RecordsCodec()) where record.offset >= next {
                    skipped.append(record.value.map { String(buffer: $0) } ?? "")
                    next = record.offset + 1
                }
            }
            values += skipped
            if skipped.isEmpty || next >= answer.highWatermark { return values }
        }
    }

    func counter(_ label: String, _ dimensions: [(String, String)] = []) -> Int64 {
        (try? metrics.expectCounter(label, dimensions).totalValue) ?? 0
    }

    var dispatcher: RequestDispatcher { RequestDispatcher(node: node, executor: InlineStorageExecutor()) }
}
