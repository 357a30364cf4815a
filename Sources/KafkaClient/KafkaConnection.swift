import KafkaProtocol
import Logging
import NIOCore
import NIOPosix

/// One TCP connection to a Kafka broker, after the ApiVersions handshake.
///
/// Pipeline: `ByteToMessageHandler(KafkaFrameDecoder)` → ``KafkaClientHandler``. Requests are
/// pipelined: ``send(_:timeout:)`` returns as soon as the request is queued, and any number may
/// be in flight. Frames reach the wire in the order `send` is called from one thread (or one
/// actor), which is the order the broker answers them in — the property an idempotent producer
/// with several batches in flight relies on.
///
/// The connection never reconnects; when it closes, everything in flight fails with
/// ``KafkaClientError/connectionClosed(reason:)`` and ``KafkaClient`` opens a new one.
public final class KafkaConnection: Sendable {
    public struct Configuration: Sendable {
        /// Sent in every request header (brokers log it).
        public var clientID: String?
        public var connectTimeout: TimeAmount
        /// Default bound on the wait for one response, beyond any wait the request itself asks
        /// the broker for (Produce timeout, Fetch max wait).
        public var requestTimeout: TimeAmount
        /// The largest response frame accepted (Kafka's default request limit is the same).
        public var maxResponseFrameBytes: Int
        /// The versions this side offers; narrowing them is for tests and for pinning.
        public var clientVersions: [ApiKey: ClosedRange<Int16>]
        /// APIs the connection is useless without: the handshake fails when one has no common
        /// version, rather than the first request of that kind.
        public var requiredApis: Set<ApiKey>

        public init(
            clientID: String? = "edgelog",
            connectTimeout: TimeAmount = .seconds(10),
            requestTimeout: TimeAmount = .seconds(30),
            maxResponseFrameBytes: Int = KafkaFrameDecoder.defaultMaxFrameBytes,
            clientVersions: [ApiKey: ClosedRange<Int16>] = NegotiatedVersions.clientRanges,
            requiredApis: Set<ApiKey> = []
        ) {
            self.clientID = clientID
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.maxResponseFrameBytes = maxResponseFrameBytes
            self.clientVersions = clientVersions
            self.requiredApis = requiredApis
        }
    }

    public let channel: any Channel
    public let versions: NegotiatedVersions
    public let configuration: Configuration

    private init(channel: any Channel, versions: NegotiatedVersions, configuration: Configuration) {
        self.channel = channel
        self.versions = versions
        self.configuration = configuration
    }

    /// Opens a TCP connection to `host:port` and performs the ApiVersions handshake.
    public static func connect(
        host: String,
        port: Int,
        configuration: Configuration = Configuration(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) async throws(KafkaClientError) -> KafkaConnection {
        let maxFrameBytes = configuration.maxResponseFrameBytes
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(configuration.connectTimeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers(
                            ByteToMessageHandler(KafkaFrameDecoder(maxFrameBytes: maxFrameBytes)),
                            KafkaClientHandler()
                        )
                    }
                }
                .connect(host: host, port: port)
                .get()
        } catch {
            throw .connectFailed(host: host, port: port, reason: "\(error)")
        }
        logger.debug("kafka connection open", metadata: ["kafka.broker": "\(host):\(port)"])
        return try await handshake(on: channel, configuration: configuration, logger: logger)
    }

    /// Performs the ApiVersions handshake on a channel whose pipeline already ends in
    /// `ByteToMessageHandler(KafkaFrameDecoder())` → ``KafkaClientHandler``; closes it on failure.
    ///
    /// ApiVersions goes out at v2 (our highest non-flexible version). Its answer is read as v0,
    /// whose body is a prefix of v1 and v2, so an error-35 reply — which a broker always writes as
    /// v0 — parses too; then the request is repeated once at the broker's highest ApiVersions
    /// version (README §2, rule 1).
    public static func handshake(
        on channel: any Channel,
        configuration: Configuration = Configuration(),
        logger: Logger
    ) async throws(KafkaClientError) -> KafkaConnection {
        do {
            let table = try await exchangeApiVersions(on: channel, configuration: configuration)
            let versions = NegotiatedVersions(broker: table, client: configuration.clientVersions)
            for apiKey in configuration.requiredApis.sorted(by: { $0.rawValue < $1.rawValue }) {
                _ = try versions.version(of: apiKey)
            }
            logger.debug(
                "kafka versions negotiated",
                metadata: [
                    "kafka.versions": .string(
                        versions.versions.sorted { $0.key.rawValue < $1.key.rawValue }
                            .map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                    )
                ]
            )
            return KafkaConnection(channel: channel, versions: versions, configuration: configuration)
        } catch {
            channel.close(promise: nil)
            throw error
        }
    }

    private static func exchangeApiVersions(
        on channel: any Channel,
        configuration: Configuration
    ) async throws(KafkaClientError) -> ApiVersionsTable {
        let ours = configuration.clientVersions[.apiVersions] ?? 0...2
        var version = ours.upperBound
        for _ in 0..<2 {
            let promise = channel.eventLoop.makePromise(of: ByteBuffer?.self)
            let envelope = KafkaRequestEnvelope(
                ApiVersionsRequest(),
                version: version,
                clientID: configuration.clientID,
                timeout: configuration.requestTimeout,
                promise: promise
            )
            channel.writeAndFlush(envelope).whenFailure { promise.fail($0) }
            guard var frame = try await awaitValue(promise.futureResult) else {
                throw .handshakeFailed(reason: "no ApiVersions response")
            }
            let response: ApiVersionsResponse
            do {
                response = try KafkaFrame.readResponse(ApiVersionsResponse.self, version: 0, from: &frame).body
            } catch {
                throw .malformedResponse(api: .apiVersions, error)
            }
            if response.errorCode == .none { return ApiVersionsTable(response.apiKeys) }
            let brokerMax = response.apiKeys.first { $0.apiKey == .apiVersions }?.maxVersion
            guard response.errorCode == .unsupportedVersion, let brokerMax, brokerMax < version else {
                throw .handshakeFailed(reason: "ApiVersions v\(version) answered \(response.errorCode)")
            }
            guard brokerMax >= ours.lowerBound else {
                throw .unsupportedApi(
                    api: .apiVersions,
                    broker: response.apiKeys.first { $0.apiKey == .apiVersions }?.versions,
                    client: ours
                )
            }
            version = brokerMax
        }
        throw .handshakeFailed(reason: "broker refused ApiVersions twice")
    }

    // MARK: - Requests

    /// Whether the channel is still open.
    public var isActive: Bool { channel.isActive }

    /// Completes when the connection has closed, for whatever reason.
    public var closeFuture: EventLoopFuture<Void> { channel.closeFuture }

    public func close() async {
        try? await channel.close()
    }

    /// Sends `request` at the negotiated version and returns its typed response.
    ///
    /// The frame is queued before this returns, so calls made in sequence reach the wire in
    /// sequence. The future fails with a ``KafkaClientError``.
    ///
    /// - Parameter timeout: the wait for the response; `nil` means
    ///   ``Configuration/requestTimeout``.
    public func send<Request: KafkaRequestMessage>(
        _ request: Request,
        timeout: TimeAmount? = nil
    ) -> EventLoopFuture<Request.Response> {
        let eventLoop = channel.eventLoop
        if let produce = request as? ProduceRequest, !produce.expectsResponse {
            return eventLoop.makeFailedFuture(KafkaClientError.noResponseExpected(api: .produce))
        }
        let version: Int16
        do {
            version = try versions.version(of: Request.apiKey)
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        let promise = eventLoop.makePromise(of: ByteBuffer?.self)
        let envelope = KafkaRequestEnvelope(
            request,
            version: version,
            clientID: configuration.clientID,
            timeout: timeout ?? configuration.requestTimeout,
            promise: promise
        )
        channel.writeAndFlush(envelope).whenFailure { promise.fail(Self.transportError($0)) }
        return promise.futureResult.flatMapThrowing { frame -> Request.Response in
            guard var frame else { throw KafkaClientError.connectionClosed(reason: "no response frame") }
            do throws(KafkaProtocolError) {
                return try KafkaFrame.readResponse(Request.Response.self, version: version, from: &frame).body
            } catch {
                throw KafkaClientError.malformedResponse(api: Request.apiKey, error)
            }
        }
    }

    /// Sends a request the broker does not answer (Produce with acks=0). The future succeeds
    /// once the frame is written to the socket — which says nothing about whether the broker
    /// stored it.
    public func sendWithoutResponse<Request: KafkaRequestMessage>(_ request: Request) -> EventLoopFuture<Void> {
        let eventLoop = channel.eventLoop
        let version: Int16
        do {
            version = try versions.version(of: Request.apiKey)
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        let promise = eventLoop.makePromise(of: ByteBuffer?.self)
        let envelope = KafkaRequestEnvelope(
            request,
            version: version,
            clientID: configuration.clientID,
            expectsResponse: false,
            timeout: nil,
            promise: promise
        )
        channel.writeAndFlush(envelope).whenFailure { promise.fail(Self.transportError($0)) }
        return promise.futureResult.map { _ in () }
    }

    /// ``send(_:timeout:)``, awaited.
    public func request<Request: KafkaRequestMessage>(
        _ request: Request,
        timeout: TimeAmount? = nil
    ) async throws(KafkaClientError) -> Request.Response {
        try await Self.awaitValue(send(request, timeout: timeout))
    }

    // MARK: - Futures to typed errors

    static func transportError(_ error: any Error) -> KafkaClientError {
        (error as? KafkaClientError) ?? .connectionClosed(reason: "\(error)")
    }

    static func awaitValue<Value: Sendable>(_ future: EventLoopFuture<Value>) async throws(KafkaClientError) -> Value {
        do {
            return try await future.get()
        } catch {
            throw transportError(error)
        }
    }
}
