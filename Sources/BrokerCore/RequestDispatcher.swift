import KafkaProtocol
import Logging
import NIOCore

/// One request frame after its header was read: the header and the body bytes behind it.
public struct KafkaRequest: Sendable {
    public var header: RequestHeader
    /// The body, starting right after the header.
    public var body: ByteBuffer
    /// Where the request came from, as Kafka shows a member's host in DescribeGroups
    /// (`/127.0.0.1`); empty when unknown.
    public var clientHost: String = ""

    public init(header: RequestHeader, body: ByteBuffer) {
        self.header = header
        self.body = body
    }

    /// Splits a frame (size prefix already removed) into header and body.
    public init(frame: ByteBuffer, clientHost: String = "") throws(KafkaProtocolError) {
        var body = frame
        self.header = try RequestHeader(from: &body)
        self.body = body
        self.clientHost = clientHost
    }
}

/// What the broker does with one request once it ran.
public enum DispatchOutcome: Sendable {
    /// A whole size-prefixed response frame, to be written in request order.
    case response(ByteBuffer)
    /// Nothing is written (Produce with acks=0), but the request still keeps its place in order.
    case noResponse
    /// A Fetch held until data arrives or its wait ends; its response comes from the future.
    case held(EventLoopFuture<ByteBuffer>)
    /// Nothing is written, and the connection closes once every earlier response is written: a
    /// Produce with acks=0 that failed for some partition. The producer expects no answer, so
    /// a closed connection is the only way it learns to refresh its metadata (Kafka does the
    /// same).
    case close(String)
}

/// Whether a request is one the broker answers at all (README §2).
public enum RequestAdmission: Sendable, Equatable {
    /// An API and version we advertise: dispatch it.
    case accepted(ApiKey)
    /// ApiVersions above our version: answered with the v0 UNSUPPORTED_VERSION reply.
    case unsupportedApiVersions
    /// Unknown API key or a version we do not advertise: the client cannot understand any
    /// answer, so the connection is closed (and the reason logged).
    case rejected(String)
}

/// Runs requests against a ``BrokerNode``: decodes the body, does the work (storage work on the
/// ``StorageExecutor``, never on the event loop), and encodes the response frame.
///
/// One method per API lives in `Handlers/`. Any ``KafkaProtocolError`` from decoding a body
/// fails the returned future; the connection handler then closes that one connection.
public final class RequestDispatcher: Sendable {
    /// The APIs implemented here: the comfortable table restricted to them. The group APIs
    /// (JoinGroup, SyncGroup, Heartbeat, LeaveGroup, ListGroups, DescribeGroups) make the broker
    /// its own group coordinator (`GroupCoordinator`), so `kcat -G` and client libraries'
    /// group consumers work. FindCoordinator keeps min version 0 (librdkafka enables LZ4 only
    /// then) and InitProducerId 0–1.
    public static let implementedApis: Set<ApiKey> = [
        .produce, .fetch, .listOffsets, .metadata, .offsetCommit, .offsetFetch, .findCoordinator, .apiVersions,
        .initProducerId, .joinGroup, .syncGroup, .heartbeat, .leaveGroup, .listGroups, .describeGroups,
        .createTopics, .deleteTopics, .deleteGroups,
    ]

    /// What ApiVersions advertises: the comfortable table restricted to ``implementedApis``, except
    /// that Produce is advertised from v0 (``advertisedProduceVersions``).
    public static let advertisedVersions = ApiVersionsTable(
        ApiVersionsTable.comfortable.restricted(to: implementedApis).ranges
            + [ApiVersionRange(.produce, advertisedProduceVersions)]
    )

    /// Produce v0–v7, although only v3–v7 (RecordBatch v2) are answered. librdkafka 2.0.2
    /// compresses with LZ4 only when the broker's Produce range includes v0
    /// (`rd_kafka_msgset_writer_select_MsgVersion` asks `rd_kafka_broker_ApiVersion_supported`
    /// for Produce 0..0), on top of the FindCoordinator v0 feature check; without it `kcat -z lz4`
    /// silently sends uncompressed batches. Clients that know v3 always use the highest common
    /// version, so v0–v2 only reach us from clients that write legacy message sets, and such a
    /// request closes its connection (``admit(_:)``).
    public static let advertisedProduceVersions: ClosedRange<Int16> = 0...ProduceRequest.versions.upperBound

    public let node: BrokerNode
    let executor: any StorageExecutor
    let logger: Logger

    public init(node: BrokerNode, executor: any StorageExecutor) {
        self.node = node
        self.executor = executor
        self.logger = node.logger
    }

    var metrics: BrokerMetrics { node.metrics }
    var configuration: BrokerConfiguration { node.configuration }

    /// Decides from the header alone whether a request is answered.
    public func admit(_ header: RequestHeader) -> RequestAdmission {
        guard let apiKey = header.apiKey else { return .rejected("unknown api key \(header.apiKeyCode)") }
        if apiKey == .produce, !ProduceRequest.versions.contains(header.apiVersion) {
            return .rejected(
                "Produce v\(header.apiVersion) carries legacy message sets, which this broker does not store"
            )
        }
        if Self.advertisedVersions.supports(apiKey, version: header.apiVersion) { return .accepted(apiKey) }
        if apiKey == .apiVersions { return .unsupportedApiVersions }
        return .rejected("\(apiKey) v\(header.apiVersion) is not advertised")
    }

    /// Admits and runs one request: ``dispatch(_:admitted:on:)`` with ``admit(_:)``'s verdict.
    public func dispatch(_ request: KafkaRequest, on eventLoop: any EventLoop) -> EventLoopFuture<DispatchOutcome> {
        dispatch(request, admitted: admit(request.header), on: eventLoop)
    }

    /// Runs one request that ``admit(_:)`` judged already (the connection handler admits each
    /// request once, when it arrives, so that a rejected one closes the connection in order);
    /// the future fails only for a request that must close the connection (a body that does
    /// not decode, an API that was not admitted).
    public func dispatch(
        _ request: KafkaRequest,
        admitted admission: RequestAdmission,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<DispatchOutcome> {
        metrics.countRequest(request.header.apiKeyCode)
        switch admission {
        case .rejected(let reason):
            return eventLoop.makeFailedFuture(DispatchError.rejected(reason))
        case .unsupportedApiVersions:
            return eventLoop.makeCompletedFuture { try answerUnsupportedApiVersions(request.header) }
        case .accepted(let apiKey):
            switch apiKey {
            case .apiVersions: return eventLoop.makeCompletedFuture { try apiVersions(request) }
            case .findCoordinator: return eventLoop.makeCompletedFuture { try findCoordinator(request) }
            case .offsetFetch: return eventLoop.makeCompletedFuture { try offsetFetch(request) }
            case .fetch: return fetch(request, on: eventLoop)
            case .metadata: return onStorage(eventLoop) { try self.metadata(request) }
            case .produce: return trackingProduce(eventLoop) { try self.produce(request, on: eventLoop) }
            case .listOffsets: return onStorage(eventLoop) { try self.listOffsets(request) }
            case .offsetCommit: return onStorage(eventLoop) { try self.offsetCommit(request) }
            case .initProducerId: return onStorage(eventLoop) { try self.initProducerId(request) }
            case .joinGroup: return eventLoop.makeCompletedFuture { try joinGroup(request, on: eventLoop) }
            case .syncGroup: return eventLoop.makeCompletedFuture { try syncGroup(request, on: eventLoop) }
            case .heartbeat: return eventLoop.makeCompletedFuture { try heartbeat(request) }
            case .leaveGroup: return eventLoop.makeCompletedFuture { try leaveGroup(request) }
            case .listGroups: return eventLoop.makeCompletedFuture { try listGroups(request) }
            case .describeGroups: return eventLoop.makeCompletedFuture { try describeGroups(request) }
            case .createTopics: return onStorage(eventLoop) { try self.createTopics(request) }
            case .deleteTopics: return onStorage(eventLoop) { try self.deleteTopics(request) }
            case .deleteGroups: return onStorage(eventLoop) { try self.deleteGroups(request) }
            default: return eventLoop.makeFailedFuture(DispatchError.rejected("\(apiKey) has no handler"))
            }
        }
    }

    private func onStorage(
        _ eventLoop: any EventLoop,
        _ work: @escaping @Sendable () throws -> DispatchOutcome
    ) -> EventLoopFuture<DispatchOutcome> {
        executor.submit(on: eventLoop, work)
    }

    /// Runs a Produce on the storage executor, counted in the in-flight gauge from dispatch until
    /// its answer is ready (or it ends without one).
    private func trackingProduce(
        _ eventLoop: any EventLoop,
        _ work: @escaping @Sendable () throws -> DispatchOutcome
    ) -> EventLoopFuture<DispatchOutcome> {
        let metrics = self.metrics
        metrics.produceInFlight(1)
        let outcome = executor.submit(on: eventLoop, work)
        outcome.whenComplete { result in
            guard case .success(.held(let answer)) = result else {
                metrics.produceInFlight(-1)
                return
            }
            answer.whenComplete { _ in metrics.produceInFlight(-1) }
        }
        return outcome
    }

    /// Encodes `response` as a frame answering `header`.
    func frame<Response: KafkaResponseMessage>(
        _ response: Response,
        answering header: RequestHeader,
        version: Int16? = nil
    ) throws(KafkaProtocolError) -> ByteBuffer {
        var buffer = ByteBuffer()
        try KafkaFrame.writeResponse(
            response,
            version: version ?? header.apiVersion,
            correlationID: header.correlationID,
            into: &buffer
        )
        return buffer
    }

    /// Counts `code` in the error metric and returns it (for building responses inline).
    func answered(_ code: KafkaErrorCode) -> KafkaErrorCode {
        metrics.countError(code)
        return code
    }
}

/// Why a dispatched request ends its connection.
public enum DispatchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not an API and version we advertise.
    case rejected(String)

    public var description: String {
        switch self {
        case .rejected(let reason): "request rejected: \(reason)"
        }
    }
}
