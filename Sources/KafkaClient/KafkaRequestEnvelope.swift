import KafkaProtocol
import NIOCore

/// One request on its way into ``KafkaClientHandler``: how to write its frame once the handler
/// has picked a correlation id, whether an answer will come, and where the answer goes.
///
/// The correlation id is chosen by the handler, not the caller, so ids follow the order in which
/// frames reach the wire — the order in which a broker answers (README §2).
public struct KafkaRequestEnvelope: Sendable {
    public let apiKey: ApiKey
    /// `false` for Produce with acks=0: the broker sends nothing back, so ``promise`` is
    /// completed with `nil` as soon as the frame is written.
    public let expectsResponse: Bool
    /// How long to wait for the response after the frame is handed to the channel; `nil` waits
    /// forever (or until the connection closes).
    public let timeout: TimeAmount?
    /// Completed with the response frame (header + body, size prefix removed, correlation id
    /// already checked), with `nil` for a request that expects no response, or failed with a
    /// ``KafkaClientError``.
    public let promise: EventLoopPromise<ByteBuffer?>
    let writeFrame: @Sendable (_ correlationID: Int32, _ buffer: inout ByteBuffer) throws(KafkaProtocolError) -> Void

    /// An envelope for `request` at `version`, framed by
    /// ``KafkaFrame/writeRequest(_:version:correlationID:clientID:into:)``.
    public init<Request: KafkaRequestMessage>(
        _ request: Request,
        version: Int16,
        clientID: String?,
        expectsResponse: Bool = true,
        timeout: TimeAmount?,
        promise: EventLoopPromise<ByteBuffer?>
    ) {
        self.apiKey = Request.apiKey
        self.expectsResponse = expectsResponse
        self.timeout = timeout
        self.promise = promise
        self.writeFrame = { (correlationID: Int32, buffer: inout ByteBuffer) throws(KafkaProtocolError) in
            try KafkaFrame.writeRequest(
                request,
                version: version,
                correlationID: correlationID,
                clientID: clientID,
                into: &buffer
            )
        }
    }
}
