import KafkaClient
import KafkaProtocol
import NIOCore
import NIOEmbedded
import Testing

/// The handler on an `EmbeddedChannel`: frames out are read back with KafkaProtocol's server
/// side (`RequestHeader(from:)`), answers are written with `KafkaFrame.writeResponse`.
struct KafkaClientHandlerTests {
    private func makeChannel(firstCorrelationID: Int32 = 0) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers(
            ByteToMessageHandler(KafkaFrameDecoder()),
            KafkaClientHandler(firstCorrelationID: firstCorrelationID)
        )
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9092)).wait()
        #expect(channel.isActive)
        return channel
    }

    private func metadataEnvelope(
        _ topic: String,
        on channel: EmbeddedChannel,
        timeout: TimeAmount? = nil
    ) -> (KafkaRequestEnvelope, EventLoopFuture<ByteBuffer?>) {
        let promise = channel.eventLoop.makePromise(of: ByteBuffer?.self)
        let envelope = KafkaRequestEnvelope(
            MetadataRequest(topics: [topic]),
            version: 4,
            clientID: "test",
            timeout: timeout,
            promise: promise
        )
        return (envelope, promise.futureResult)
    }

    /// Reads one outbound frame: its header and Metadata topics.
    private func readMetadataRequest(_ channel: EmbeddedChannel) throws -> (RequestHeader, [String]?) {
        var frame = try #require(try channel.readOutbound(as: ByteBuffer.self))
        let prefix = frame.readInteger(as: Int32.self)
        let size = try #require(prefix)
        #expect(Int(size) == frame.readableBytes)
        let header = try RequestHeader(from: &frame)
        let body = try MetadataRequest(from: &frame, version: header.apiVersion)
        return (header, body.topics)
    }

    private func metadataResponse(clusterID: String, correlationID: Int32, into buffer: inout ByteBuffer) throws {
        let response = MetadataResponse(brokers: [], clusterID: clusterID, controllerID: 0, topics: [])
        try KafkaFrame.writeResponse(response, version: 4, correlationID: correlationID, into: &buffer)
    }

    @Test func pipelinedRequestsAreMatchedInOrder() throws {
        let channel = try makeChannel()
        let requests = (0..<3).map { metadataEnvelope("topic-\($0)", on: channel) }
        for (envelope, _) in requests { channel.write(envelope, promise: nil) }
        channel.flush()

        for index in 0..<3 {
            let (header, topics) = try readMetadataRequest(channel)
            #expect(header.correlationID == Int32(index))
            #expect(header.apiKey == .metadata)
            #expect(header.apiVersion == 4)
            #expect(header.clientID == "test")
            #expect(topics == ["topic-\(index)"])
        }
        // All three answers in one TCP read.
        var inbound = ByteBuffer()
        for index in 0..<3 {
            try metadataResponse(clusterID: "cluster-\(index)", correlationID: Int32(index), into: &inbound)
        }
        try channel.writeInbound(inbound)

        for (index, (_, future)) in requests.enumerated() {
            var frame = try #require(try Outcome.of(future))
            let response = try KafkaFrame.readResponse(MetadataResponse.self, version: 4, from: &frame)
            #expect(response.header.correlationID == Int32(index))
            #expect(response.body.clusterID == "cluster-\(index)")
        }
        #expect(try channel.finish().isClean)
    }

    /// An answer to the second request before the first breaks Kafka's in-order rule: every
    /// request in flight fails and the connection closes.
    @Test func outOfOrderCorrelationIdFailsTheConnection() throws {
        let channel = try makeChannel()
        let first = metadataEnvelope("a", on: channel)
        let second = metadataEnvelope("b", on: channel)
        channel.write(first.0, promise: nil)
        channel.writeAndFlush(second.0, promise: nil)
        var inbound = ByteBuffer()
        try metadataResponse(clusterID: "x", correlationID: 1, into: &inbound)
        try channel.writeInbound(inbound)

        let mismatch = KafkaClientError.correlationMismatch(expected: 0, received: 1)
        #expect(throws: mismatch) { try Outcome.of(first.1) }
        #expect(throws: mismatch) { try Outcome.of(second.1) }
        #expect(!channel.isActive)
        // Later requests fail at once with the same reason.
        let late = metadataEnvelope("c", on: channel)
        channel.writeAndFlush(late.0, promise: nil)
        #expect(throws: mismatch) { try Outcome.of(late.1) }
    }

    @Test func answerWithNothingInFlightFailsTheConnection() throws {
        let channel = try makeChannel()
        var inbound = ByteBuffer()
        try metadataResponse(clusterID: "x", correlationID: 5, into: &inbound)
        try channel.writeInbound(inbound)
        #expect(!channel.isActive)
        let late = metadataEnvelope("c", on: channel)
        channel.writeAndFlush(late.0, promise: nil)
        #expect(throws: KafkaClientError.correlationMismatch(expected: nil, received: 5)) { try Outcome.of(late.1) }
    }

    /// A 2-byte frame cannot hold a correlation id.
    @Test func frameWithoutHeaderFailsTheConnection() throws {
        let channel = try makeChannel()
        let request = metadataEnvelope("a", on: channel)
        channel.writeAndFlush(request.0, promise: nil)
        try channel.writeInbound(ByteBuffer(bytes: [0, 0, 0, 2, 0, 0]))
        #expect(throws: KafkaClientError.self) { try Outcome.of(request.1) }
        #expect(!channel.isActive)
    }

    /// A negative size prefix (the decoder's error) fails what is in flight and closes.
    @Test func frameDecoderErrorFailsTheConnection() throws {
        let channel = try makeChannel()
        let request = metadataEnvelope("a", on: channel)
        channel.writeAndFlush(request.0, promise: nil)
        try channel.writeInbound(ByteBuffer(bytes: [0xff, 0xff, 0xff, 0xff]))
        let error = try #require(try Outcome.error(of: request.1))
        guard case .connectionClosed(let reason) = error else {
            Issue.record("expected connectionClosed, got \(error)")
            return
        }
        #expect(reason.contains("negative frame length"))
        #expect(!channel.isActive)
    }

    @Test func connectionCloseFailsEverythingInFlight() throws {
        let channel = try makeChannel()
        let requests = (0..<4).map { metadataEnvelope("t\($0)", on: channel) }
        for (envelope, _) in requests { channel.writeAndFlush(envelope, promise: nil) }
        // The first is answered; three remain in flight when the peer closes.
        var inbound = ByteBuffer()
        try metadataResponse(clusterID: "ok", correlationID: 0, into: &inbound)
        try channel.writeInbound(inbound)
        try channel.close().wait()

        #expect(try Outcome.of(requests[0].1) != nil)
        for (_, future) in requests.dropFirst() {
            let error = try #require(try Outcome.error(of: future))
            guard case .connectionClosed = error else {
                Issue.record("expected connectionClosed, got \(error)")
                continue
            }
        }
    }

    /// acks=0: the request completes when written, takes a correlation id but no slot in the
    /// in-flight queue, so the next answer matches the next request.
    @Test func acksZeroProduceCompletesOnWrite() throws {
        let channel = try makeChannel()
        let handler = try channel.pipeline.syncOperations.handler(type: KafkaClientHandler.self)
        let producePromise = channel.eventLoop.makePromise(of: ByteBuffer?.self)
        let produce = ProduceRequest(
            acks: 0,
            timeoutMs: 1000,
            topics: [ProduceRequest.Topic(name: "t", partitions: [])]
        )
        channel.writeAndFlush(
            KafkaRequestEnvelope(
                produce,
                version: 3,
                clientID: nil,
                expectsResponse: false,
                timeout: .seconds(1),
                promise: producePromise
            ),
            promise: nil
        )
        #expect(try Outcome.of(producePromise.futureResult) == nil)
        #expect(handler.inFlightCount == 0)
        var produceFrame = try #require(try channel.readOutbound(as: ByteBuffer.self))
        _ = produceFrame.readInteger(as: Int32.self)
        let produceHeader = try RequestHeader(from: &produceFrame)
        #expect(produceHeader.apiKey == .produce)
        #expect(produceHeader.correlationID == 0)
        #expect(try ProduceRequest(from: &produceFrame, version: 3) == produce)

        let metadata = metadataEnvelope("m", on: channel)
        channel.writeAndFlush(metadata.0, promise: nil)
        #expect(try readMetadataRequest(channel).0.correlationID == 1)
        var inbound = ByteBuffer()
        try metadataResponse(clusterID: "after-acks-0", correlationID: 1, into: &inbound)
        try channel.writeInbound(inbound)
        var frame = try #require(try Outcome.of(metadata.1))
        #expect(
            try KafkaFrame.readResponse(MetadataResponse.self, version: 4, from: &frame).body.clusterID
                == "after-acks-0"
        )
        // Time passing does not fire the acks=0 request's (unused) timeout.
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        #expect(channel.isActive)
        #expect(try channel.finish().isClean)
    }

    /// A request not answered in time fails, and so does the connection: a late answer would
    /// otherwise be taken for the next request's.
    @Test func requestTimeoutFailsTheConnection() throws {
        let channel = try makeChannel()
        let slow = metadataEnvelope("slow", on: channel, timeout: .seconds(2))
        let other = metadataEnvelope("other", on: channel, timeout: .seconds(60))
        channel.writeAndFlush(slow.0, promise: nil)
        channel.writeAndFlush(other.0, promise: nil)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(throws: KafkaClientError.requestTimedOut(api: .metadata, correlationID: 0)) { try Outcome.of(slow.1) }
        #expect(throws: KafkaClientError.requestTimedOut(api: .metadata, correlationID: 0)) { try Outcome.of(other.1) }
        #expect(!channel.isActive)
    }

    /// An answered request's timer is cancelled.
    @Test func answeredRequestDoesNotTimeOut() throws {
        let channel = try makeChannel()
        let request = metadataEnvelope("a", on: channel, timeout: .seconds(1))
        channel.writeAndFlush(request.0, promise: nil)
        #expect(try readMetadataRequest(channel).0.correlationID == 0)
        var inbound = ByteBuffer()
        try metadataResponse(clusterID: "x", correlationID: 0, into: &inbound)
        try channel.writeInbound(inbound)
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(channel.isActive)
        #expect(try Outcome.of(request.1) != nil)
        #expect(try channel.finish().isClean)
    }

    /// A request that cannot be encoded fails alone; the connection carries on.
    @Test func unencodableRequestFailsAlone() throws {
        let channel = try makeChannel()
        let tooLong = metadataEnvelope(String(repeating: "x", count: 40_000), on: channel)
        channel.writeAndFlush(tooLong.0, promise: nil)
        let error = try #require(try Outcome.error(of: tooLong.1))
        guard case .encodingFailed(let api, _) = error else {
            Issue.record("expected encodingFailed, got \(error)")
            return
        }
        #expect(api == .metadata)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)

        let fine = metadataEnvelope("fine", on: channel)
        channel.writeAndFlush(fine.0, promise: nil)
        let (header, _) = try readMetadataRequest(channel)
        var inbound = ByteBuffer()
        try metadataResponse(clusterID: "x", correlationID: header.correlationID, into: &inbound)
        try channel.writeInbound(inbound)
        #expect(try Outcome.of(fine.1) != nil)
        #expect(try channel.finish().isClean)
    }

    @Test func correlationIdsWrapToZero() throws {
        let channel = try makeChannel(firstCorrelationID: .max)
        let first = metadataEnvelope("a", on: channel)
        let second = metadataEnvelope("b", on: channel)
        channel.writeAndFlush(first.0, promise: nil)
        channel.writeAndFlush(second.0, promise: nil)
        #expect(try readMetadataRequest(channel).0.correlationID == .max)
        #expect(try readMetadataRequest(channel).0.correlationID == 0)
        var inbound = ByteBuffer()
        try metadataResponse(clusterID: "x", correlationID: .max, into: &inbound)
        try metadataResponse(clusterID: "y", correlationID: 0, into: &inbound)
        try channel.writeInbound(inbound)
        #expect(try Outcome.of(first.1) != nil)
        #expect(try Outcome.of(second.1) != nil)
        #expect(try channel.finish().isClean)
    }
}

/// Reads the outcome of a future on an `EmbeddedEventLoop`, where callbacks run inline.
enum Outcome {
    private final class Box<Value>: @unchecked Sendable {
        var result: Result<Value, any Error>?
    }

    struct Pending: Error {}

    /// The value, or the error it failed with; throws ``Pending`` if it has not completed.
    static func of<Value>(_ future: EventLoopFuture<Value>) throws -> Value {
        let box = Box<Value>()
        future.whenComplete { box.result = $0 }
        guard let result = box.result else { throw Pending() }
        return try result.get()
    }

    /// The ``KafkaClientError`` the future failed with, `nil` if it succeeded.
    static func error<Value>(of future: EventLoopFuture<Value>) throws -> KafkaClientError? {
        do {
            _ = try of(future)
            return nil
        } catch let error as KafkaClientError {
            return error
        }
    }
}
