import NIOCore

/// A request or response body of one Kafka API, readable and writable at every version in
/// ``versions``.
///
/// Both directions exist for every message: the broker decodes requests and encodes responses,
/// our shipper and consumer encode requests and decode responses. Decoding reads from the
/// buffer's reader index and leaves it just past the body; bytes after the body are left for the
/// caller to judge (``KafkaFrame`` ignores them, as Kafka does).
public protocol KafkaMessage: Sendable, Equatable {
    /// The API this message belongs to.
    static var apiKey: ApiKey { get }
    /// The versions this codec reads and writes; anything else throws
    /// ``KafkaProtocolError/unsupportedVersion(api:version:)``.
    static var versions: ClosedRange<Int16> { get }

    /// Reads the body of `version` from `buffer`. Records fields become slices of `buffer`
    /// (no copy).
    init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError)

    /// Appends the body of `version` to `buffer`.
    func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError)
}

/// The body of a request; `Response` is the body of its answer.
public protocol KafkaRequestMessage: KafkaMessage {
    associatedtype Response: KafkaResponseMessage
}

/// The body of a response.
public protocol KafkaResponseMessage: KafkaMessage {}
