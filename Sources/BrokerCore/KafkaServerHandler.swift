import Foundation
import KafkaProtocol
import Logging
import NIOCore

/// One client connection: request frames in (from `ByteToMessageHandler(KafkaFrameDecoder)`),
/// response frames out, strictly in request order.
///
/// - Requests *run* in arrival order, one after another (a chain of futures), so pipelined
///   Produce requests append in the order they were sent; a held Fetch does not hold the chain.
/// - Responses are *written* in arrival order (``ResponseSequencer``): whatever finishes early
///   waits for what came before it.
/// - A header that does not decode, an unknown API key or a version we do not advertise, a body
///   that does not decode, or a frame the decoder refuses (too large, negative size) closes this
///   connection — after the responses owed before it — and nothing else (README §2.3).
/// - At most `maxInFlight` requests are pending; reading from the socket pauses beyond that, so
///   a client cannot queue unbounded work.
/// - `ChannelShouldQuiesceEvent` (graceful shutdown): stop reading, answer what is pending,
///   then close.
///
/// Event-loop confined, like every `ChannelHandler`.
public final class KafkaServerHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private let dispatcher: RequestDispatcher
    private let maxInFlight: Int
    private var logger: Logger
    private var sequencer = ResponseSequencer()
    private var executionTail: EventLoopFuture<Void>?
    /// No new request is dispatched: a fatal request was read, or the channel is going away.
    private var isClosing = false
    private var isQuiescing = false
    private var readHeld = false

    public init(dispatcher: RequestDispatcher, maxInFlight: Int) {
        precondition(maxInFlight >= 1, "at least one request must be allowed in flight")
        self.dispatcher = dispatcher
        self.maxInFlight = maxInFlight
        self.logger = dispatcher.node.logger
    }

    public func channelActive(context: ChannelHandlerContext) {
        logger[metadataKey: "peer"] = "\(context.remoteAddress.map { "\($0)" } ?? "?")"
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        isClosing = true
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !isClosing, !isQuiescing else { return }
        let frame = unwrapInboundIn(data)
        let sequence = sequencer.enqueue()
        let request: KafkaRequest
        do {
            request = try KafkaRequest(frame: frame, clientHost: clientHost(of: context))
        } catch {
            dispatcher.metrics.countRequest(-1)
            refuse(sequence, reason: "malformed request header: \(error)", context: context)
            return
        }
        let admission = dispatcher.admit(request.header)
        if case .rejected(let reason) = admission {
            dispatcher.metrics.countRequest(request.header.apiKeyCode)
            refuse(sequence, reason: reason, context: context)
            return
        }
        let eventLoop = context.eventLoop
        let dispatcher = self.dispatcher
        let previous = executionTail ?? eventLoop.makeSucceededVoidFuture()
        let outcome = previous.flatMap { dispatcher.dispatch(request, admitted: admission, on: eventLoop) }
        executionTail = outcome.map { _ in () }.recover { _ in () }
        let completion: EventLoopFuture<ResponseSequencer.Completion> = outcome.flatMap { outcome in
            switch outcome {
            case .response(let frame): eventLoop.makeSucceededFuture(.response(frame))
            case .noResponse: eventLoop.makeSucceededFuture(.noResponse)
            case .held(let future): future.map { .response($0) }
            case .close(let reason): eventLoop.makeSucceededFuture(.close(reason))
            }
        }
        let bound = NIOLoopBound((self, context), eventLoop: eventLoop)
        let header = request.header
        completion.whenComplete { result in
            let (handler, context) = bound.value
            switch result {
            case .success(let completion):
                handler.complete(sequence, with: completion, context: context)
            case .failure(let error):
                let reason =
                    "\(header.apiKey.map { "\($0)" } ?? "api \(header.apiKeyCode)") v\(header.apiVersion) "
                    + "correlation \(header.correlationID): \(error)"
                handler.complete(sequence, with: .close(reason), context: context)
            }
        }
    }

    /// Closes the connection (in order) because of request `sequence`.
    /// The peer's address as Kafka writes a member's host: `/` and the IP.
    private func clientHost(of context: ChannelHandlerContext) -> String {
        context.remoteAddress?.ipAddress.map { "/\($0)" } ?? ""
    }

    private func refuse(_ sequence: UInt64, reason: String, context: ChannelHandlerContext) {
        isClosing = true
        complete(sequence, with: .close(reason), context: context)
    }

    private func complete(
        _ sequence: UInt64,
        with completion: ResponseSequencer.Completion,
        context: ChannelHandlerContext
    ) {
        let release = sequencer.complete(sequence, with: completion)
        if !release.writes.isEmpty, context.channel.isActive {
            for frame in release.writes { context.write(wrapOutboundOut(frame), promise: nil) }
            context.flush()
        }
        if let reason = release.closeReason {
            isClosing = true
            dispatcher.metrics.protocolErrorCloses.increment()
            logger.info("closing connection after a request it cannot answer", metadata: ["reason": "\(reason)"])
            context.close(promise: nil)
            return
        }
        if isQuiescing, sequencer.pendingCount == 0 {
            context.close(promise: nil)
            return
        }
        if readHeld, sequencer.pendingCount < maxInFlight {
            readHeld = false
            context.read()
        }
    }

    public func read(context: ChannelHandlerContext) {
        if isQuiescing || sequencer.pendingCount >= maxInFlight {
            readHeld = true
            return
        }
        context.read()
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        isQuiescing = true
        if sequencer.pendingCount == 0 { context.close(promise: nil) }
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !isClosing || context.channel.isActive else { return }
        isClosing = true
        // The peer went away (a reset, a broken pipe): not a protocol error. librdkafka resets
        // its connections when a process exits without closing them, or when it refuses a
        // response larger than its receive.message.max.bytes; these used to be counted and
        // logged as framing errors.
        if let ioError = error as? IOError, Self.peerGoneErrnos.contains(ioError.errnoCode) {
            logger.debug("connection reset by the client", metadata: ["error": "\(error)"])
            context.close(promise: nil)
            return
        }
        // The frame decoder gave up (oversized or negative size, bytes left at EOF): the stream
        // can no longer be split into requests, so nothing more can be answered.
        dispatcher.metrics.protocolErrorCloses.increment()
        logger.info("closing connection on a framing error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    /// Socket errors that mean the client closed or lost the connection.
    static let peerGoneErrnos: Set<Int32> = [ECONNRESET, EPIPE, ETIMEDOUT]
}

@available(*, unavailable)
extension KafkaServerHandler: Sendable {}
