import KafkaProtocol
import NIOCore
import Testing

/// The body bytes of `message` at `version`.
func encodedBody<Message: KafkaMessage>(_ message: Message, version: Int16) throws -> [UInt8] {
    var buffer = ByteBuffer()
    try message.encode(into: &buffer, version: version)
    return buffer.bytes
}

/// Decodes a body and expects every byte to be consumed.
func decodedBody<Message: KafkaMessage>(
    _ type: Message.Type,
    _ bytes: [UInt8],
    version: Int16,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> Message {
    var buffer = ByteBuffer(bytes: bytes)
    let message = try Message(from: &buffer, version: version)
    #expect(buffer.readableBytes == 0, "bytes left after the body", sourceLocation: sourceLocation)
    return message
}

/// The body of a golden request sample, after its header.
func goldenRequestBody<Request: KafkaRequestMessage>(_ name: String, as type: Request.Type) throws -> (
    RequestHeader, Request, bodyBytes: [UInt8]
) {
    let sample = ReferenceVectors.wireSample(name)
    var frame = sample.frame
    let header = try RequestHeader(from: &frame)
    let body = frame.bytes
    let request = try decodedBody(type, body, version: header.apiVersion)
    return (header, request, body)
}

/// The body of a golden response sample, after its header.
func goldenResponseBody<Response: KafkaResponseMessage>(_ name: String, as type: Response.Type) throws -> (
    Response, bodyBytes: [UInt8]
) {
    let sample = ReferenceVectors.wireSample(name)
    var frame = sample.frame
    _ = try ResponseHeader(from: &frame, headerVersion: type.apiKey.responseHeaderVersion(sample.version))
    let body = frame.bytes
    return (try decodedBody(type, body, version: sample.version), body)
}

/// Every version of `Message`'s codec round-trips `message` (with fields a version lacks set
/// to their defaults by `normalize`).
func expectRoundTrip<Message: KafkaMessage>(
    _ message: Message,
    normalize: (Message, Int16) -> Message = { message, _ in message },
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    for version in Message.versions {
        let bytes = try encodedBody(message, version: version)
        let back = try decodedBody(Message.self, bytes, version: version, sourceLocation: sourceLocation)
        #expect(back == normalize(message, version), "v\(version)", sourceLocation: sourceLocation)
    }
}

/// Versions outside the codec's range are refused both ways.
func expectVersionsOutsideRangeRejected<Message: KafkaMessage>(
    _ message: Message,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    for version in [Message.versions.lowerBound - 1, Message.versions.upperBound + 1] where version >= 0 {
        let expected = KafkaProtocolError.unsupportedVersion(api: Message.apiKey, version: version)
        #expect(throws: expected, sourceLocation: sourceLocation) { try encodedBody(message, version: version) }
        #expect(throws: expected, sourceLocation: sourceLocation) {
            var empty = ByteBuffer()
            _ = try Message(from: &empty, version: version)
        }
    }
}

/// Every strict prefix of `bytes` (a whole body of `version`) fails to decode with a
/// ``KafkaProtocolError``, never a crash.
func expectEveryTruncationThrows<Message: KafkaMessage>(
    _ type: Message.Type,
    _ bytes: [UInt8],
    version: Int16,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    for length in 0..<bytes.count {
        #expect(throws: KafkaProtocolError.self, "v\(version) cut at \(length)", sourceLocation: sourceLocation) {
            var buffer = ByteBuffer(bytes: bytes[..<length])
            _ = try Message(from: &buffer, version: version)
        }
    }
}
