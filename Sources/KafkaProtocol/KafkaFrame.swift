import NIOCore

/// Whole frames: `int32 size | header | body`, in the header version each API and version calls
/// for (README §2). The counterpart of ``KafkaFrameDecoder``, which strips the size prefix.
///
/// Server side: ``RequestHeader/init(from:)`` on a frame, then `SomeRequest(from:version:)` on
/// the rest, then ``writeResponse(_:version:correlationID:into:)``.
/// Client side: ``writeRequest(_:version:correlationID:clientID:into:)``, then
/// ``readResponse(_:version:from:)`` on each frame the decoder emits.
public enum KafkaFrame {
    /// Appends a size-prefixed request frame. On error `buffer` is left as it was.
    public static func writeRequest<Request: KafkaRequestMessage>(
        _ request: Request,
        version: Int16,
        correlationID: Int32,
        clientID: String?,
        into buffer: inout ByteBuffer
    ) throws(KafkaProtocolError) {
        let header = RequestHeader(
            apiKey: Request.apiKey,
            apiVersion: version,
            correlationID: correlationID,
            clientID: clientID
        )
        try writeSizePrefixed(into: &buffer) { (frame: inout ByteBuffer) throws(KafkaProtocolError) in
            try requireVersion(version, Request.versions, Request.apiKey)
            try header.encode(into: &frame)
            try request.encode(into: &frame, version: version)
        }
    }

    /// Appends a size-prefixed response frame; ApiVersions responses get header v0 at every
    /// version. On error `buffer` is left as it was.
    public static func writeResponse<Response: KafkaResponseMessage>(
        _ response: Response,
        version: Int16,
        correlationID: Int32,
        into buffer: inout ByteBuffer
    ) throws(KafkaProtocolError) {
        let headerVersion = Response.apiKey.responseHeaderVersion(version)
        try writeSizePrefixed(into: &buffer) { (frame: inout ByteBuffer) throws(KafkaProtocolError) in
            try requireVersion(version, Response.versions, Response.apiKey)
            ResponseHeader(correlationID: correlationID).encode(into: &frame, headerVersion: headerVersion)
            try response.encode(into: &frame, version: version)
        }
    }

    /// Reads the header and body of a response frame (size prefix already removed).
    public static func readResponse<Response: KafkaResponseMessage>(
        _ type: Response.Type,
        version: Int16,
        from frame: inout ByteBuffer
    ) throws(KafkaProtocolError) -> (header: ResponseHeader, body: Response) {
        let header = try ResponseHeader(from: &frame, headerVersion: Response.apiKey.responseHeaderVersion(version))
        let body = try Response(from: &frame, version: version)
        return (header, body)
    }

    /// Reads the header and body of a request frame of a known type (size prefix already
    /// removed). A server dispatching on the API key reads ``RequestHeader`` itself instead.
    public static func readRequest<Request: KafkaRequestMessage>(
        _ type: Request.Type,
        from frame: inout ByteBuffer
    ) throws(KafkaProtocolError) -> (header: RequestHeader, body: Request) {
        let header = try RequestHeader(from: &frame)
        guard header.apiKeyCode == Request.apiKey.rawValue else { throw .unknownApiKey(header.apiKeyCode) }
        let body = try Request(from: &frame, version: header.apiVersion)
        return (header, body)
    }

    private static func writeSizePrefixed(
        into buffer: inout ByteBuffer,
        _ body: (inout ByteBuffer) throws(KafkaProtocolError) -> Void
    ) throws(KafkaProtocolError) {
        let start = buffer.writerIndex
        buffer.writeInteger(Int32(0))
        do {
            try body(&buffer)
        } catch {
            buffer.moveWriterIndex(to: start)
            throw error
        }
        let size = buffer.writerIndex - start - 4
        guard size <= Int(Int32.max) else {
            buffer.moveWriterIndex(to: start)
            throw .unencodable(field: "frame size", reason: "\(size) bytes exceed Int32.max")
        }
        buffer.setInteger(Int32(size), at: start)
    }
}
