import KafkaProtocol

/// Why a request through ``KafkaConnection`` or ``KafkaClient`` did not produce an answer.
///
/// Transport failures (``connectionClosed(reason:)``, ``requestTimedOut(api:correlationID:)``,
/// ``connectFailed(host:port:reason:)``) leave a produce's outcome unknown: the broker may or may
/// not have appended the batch, so an idempotent producer resends it with the same sequence
/// (DESIGN §10.4). ``broker(api:code:)`` is a definite answer.
public enum KafkaClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The TCP connection could not be opened.
    case connectFailed(host: String, port: Int, reason: String)
    /// The connection closed (or failed) while the request was in flight or before it was sent.
    case connectionClosed(reason: String)
    /// No response within the request timeout. The connection is closed with it, because a late
    /// answer would otherwise be matched to the next request (responses come in order).
    case requestTimedOut(api: ApiKey, correlationID: Int32)
    /// A response arrived whose correlation id is not the one of the oldest request in flight:
    /// the broker broke the in-order rule, or the stream is out of step. Fatal for the connection.
    case correlationMismatch(expected: Int32?, received: Int32)
    /// The ApiVersions handshake failed: an error code, a malformed answer, or no overlapping
    /// ApiVersions version.
    case handshakeFailed(reason: String)
    /// The broker advertises no version of `api` that this client speaks (or does not list it).
    case unsupportedApi(api: ApiKey, broker: ClosedRange<Int16>?, client: ClosedRange<Int16>?)
    /// A request could not be encoded (a name too long for its field, ...).
    case encodingFailed(api: ApiKey, KafkaProtocolError)
    /// A response frame could not be decoded at the negotiated version.
    case malformedResponse(api: ApiKey, KafkaProtocolError)
    /// The response does not mention the topic-partition the request asked about.
    case missingPartition(api: ApiKey, topic: String, partition: Int32)
    /// The broker answered with an error where the error is the whole answer (InitProducerId,
    /// ListOffsets, OffsetCommit, OffsetFetch, FindCoordinator).
    case broker(api: ApiKey, code: KafkaErrorCode)
    /// A request that gets no response (Produce with acks=0) was sent through an API that
    /// waits for one.
    case noResponseExpected(api: ApiKey)
    /// The client was shut down.
    case shutDown
    /// The waiting task was cancelled (during a reconnect backoff).
    case cancelled
    /// A bootstrap address that is not `host:port`.
    case invalidBootstrap(String)
    /// While the partition's leader was unreachable, Metadata named another broker as its
    /// leader: nothing was sent; route the request again.
    case leaderMoved(topic: String, partition: Int32)

    public var description: String {
        switch self {
        case .connectFailed(let host, let port, let reason):
            "kafka client: cannot connect to \(host):\(port): \(reason)"
        case .connectionClosed(let reason): "kafka client: connection closed: \(reason)"
        case .requestTimedOut(let api, let correlationID):
            "kafka client: \(api) request \(correlationID) timed out"
        case .correlationMismatch(let expected, let received):
            "kafka client: response correlation id \(received), expected \(expected.map(String.init) ?? "none")"
        case .handshakeFailed(let reason): "kafka client: ApiVersions handshake failed: \(reason)"
        case .unsupportedApi(let api, let broker, let client):
            "kafka client: no common \(api) version (broker \(broker.map { "\($0)" } ?? "none"), "
                + "client \(client.map { "\($0)" } ?? "none"))"
        case .encodingFailed(let api, let error): "kafka client: cannot encode \(api) request: \(error)"
        case .malformedResponse(let api, let error): "kafka client: malformed \(api) response: \(error)"
        case .missingPartition(let api, let topic, let partition):
            "kafka client: \(api) response has no entry for \(topic)-\(partition)"
        case .broker(let api, let code): "kafka client: \(api) failed: \(code)"
        case .noResponseExpected(let api): "kafka client: \(api) request expects no response"
        case .shutDown: "kafka client: shut down"
        case .cancelled: "kafka client: cancelled"
        case .invalidBootstrap(let text): "kafka client: bootstrap address \"\(text)\" is not host:port"
        case .leaderMoved(let topic, let partition):
            "kafka client: the leader of \(topic)-\(partition) moved while its broker was unreachable"
        }
    }
}
