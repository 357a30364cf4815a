import KafkaProtocol
import NIOCore

/// The client end of one Kafka connection, behind `ByteToMessageHandler(KafkaFrameDecoder())`.
///
/// Outbound it takes ``KafkaRequestEnvelope``s, stamps each with the next correlation id and
/// writes its frame; any number may be in flight (pipelining). Inbound it takes whole response
/// frames and hands each to the oldest request in flight — Kafka brokers answer in request order
/// — after checking that the frame's correlation id is that request's.
///
/// Invariants: ``inFlight`` holds exactly the requests written and expecting a response that
/// have not been answered, oldest first, with strictly increasing (wrapping) correlation ids.
/// Any violation of the protocol — a correlation id that is not the oldest one's, a frame too
/// short to hold one, a decoder error, a timeout — is fatal to the connection: every request in
/// flight fails, later writes fail at once, and the channel is closed. A connection in an unknown
/// state cannot be trusted to match later answers to requests.
public final class KafkaClientHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = Never
    public typealias OutboundIn = KafkaRequestEnvelope
    public typealias OutboundOut = ByteBuffer

    private struct Pending {
        var correlationID: Int32
        var apiKey: ApiKey
        var promise: EventLoopPromise<ByteBuffer?>
        var timeoutTask: Scheduled<Void>?
    }

    private var inFlight = CircularBuffer<Pending>()
    private var nextCorrelationID: Int32
    /// Set once the connection is unusable; every later write fails with it.
    private var failure: KafkaClientError?

    /// - Parameter firstCorrelationID: the id of the first request; ids count up from it and wrap
    ///   from `Int32.max` to 0 (Kafka ids are non-negative by convention).
    public init(firstCorrelationID: Int32 = 0) {
        self.nextCorrelationID = max(firstCorrelationID, 0)
    }

    /// Requests written and waiting for their response.
    public var inFlightCount: Int { inFlight.count }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise writePromise: EventLoopPromise<Void>?) {
        let envelope = unwrapOutboundIn(data)
        if let failure {
            envelope.promise.fail(failure)
            writePromise?.fail(failure)
            return
        }
        let correlationID = nextCorrelationID
        nextCorrelationID = correlationID == .max ? 0 : correlationID + 1

        var frame = context.channel.allocator.buffer(capacity: 128)
        do {
            try envelope.writeFrame(correlationID, &frame)
        } catch {
            let encodingError = KafkaClientError.encodingFailed(api: envelope.apiKey, error)
            envelope.promise.fail(encodingError)
            writePromise?.fail(encodingError)
            return
        }

        let written = context.eventLoop.makePromise(of: Void.self)
        if let writePromise { written.futureResult.cascade(to: writePromise) }
        let loopBoundSelf = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        if envelope.expectsResponse {
            var timeoutTask: Scheduled<Void>?
            if let timeout = envelope.timeout {
                timeoutTask = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
                    loopBoundSelf.value.requestTimedOut(correlationID, context: loopBoundContext.value)
                }
            }
            inFlight.append(
                Pending(
                    correlationID: correlationID,
                    apiKey: envelope.apiKey,
                    promise: envelope.promise,
                    timeoutTask: timeoutTask
                )
            )
            written.futureResult.assumeIsolated().whenFailure { error in
                loopBoundSelf.value.fail(
                    .connectionClosed(reason: "write failed: \(error)"),
                    context: loopBoundContext.value
                )
            }
        } else {
            let responsePromise = envelope.promise
            written.futureResult.assumeIsolated().whenComplete { result in
                switch result {
                case .success: responsePromise.succeed(nil)
                case .failure(let error):
                    responsePromise.fail(KafkaClientError.connectionClosed(reason: "write failed: \(error)"))
                }
            }
        }
        context.write(wrapOutboundOut(frame), promise: written)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard let correlationID = frame.getInteger(at: frame.readerIndex, as: Int32.self) else {
            fail(
                .connectionClosed(reason: "response frame of \(frame.readableBytes) bytes has no header"),
                context: context
            )
            return
        }
        guard let oldest = inFlight.first, oldest.correlationID == correlationID else {
            fail(
                .correlationMismatch(expected: inFlight.first?.correlationID, received: correlationID),
                context: context
            )
            return
        }
        inFlight.removeFirst()
        oldest.timeoutTask?.cancel()
        oldest.promise.succeed(frame)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        failAll(failure ?? .connectionClosed(reason: "connection closed"))
        context.fireChannelInactive()
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let reason = (error as? KafkaClientError) ?? .connectionClosed(reason: "\(error)")
        fail(reason, context: context)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        failAll(failure ?? .connectionClosed(reason: "client handler removed"))
    }

    // MARK: - Failure

    private func requestTimedOut(_ correlationID: Int32, context: ChannelHandlerContext) {
        guard let index = inFlight.firstIndex(where: { $0.correlationID == correlationID }) else { return }
        let timedOut = inFlight[index]
        fail(.requestTimedOut(api: timedOut.apiKey, correlationID: correlationID), context: context)
    }

    /// Marks the connection unusable with `error`, fails everything in flight and closes.
    private func fail(_ error: KafkaClientError, context: ChannelHandlerContext) {
        guard failure == nil else { return }
        failure = error
        failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: KafkaClientError) {
        if failure == nil { failure = error }
        while let pending = inFlight.popFirst() {
            pending.timeoutTask?.cancel()
            pending.promise.fail(error)
        }
    }
}

@available(*, unavailable)
extension KafkaClientHandler: Sendable {}
