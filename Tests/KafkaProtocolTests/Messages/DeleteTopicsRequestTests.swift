import KafkaProtocol
import NIOCore
import Testing

/// Bytes laid out by hand from Kafka's DeleteTopicsRequest (v0–v3: `topic_names ARRAY<STRING>
/// | timeout_ms int32`); names of different lengths so a misread length prefix shows.
struct DeleteTopicsRequestTests {
    static let request = DeleteTopicsRequest(topicNames: ["a", "bc"], timeoutMs: 5_000)

    static let body: [UInt8] =
        [0, 0, 0, 2]  // topic_names count
        + [0, 1, 0x61]  // "a"
        + [0, 2, 0x62, 0x63]  // "bc"
        + [0, 0, 0x13, 0x88]  // timeout_ms 5000

    /// v0–v3 share one layout (they differ only in the response).
    @Test(arguments: 0...3 as ClosedRange<Int16>)
    func layout(_ version: Int16) throws {
        #expect(try encodedBody(Self.request, version: version) == Self.body)
        #expect(try decodedBody(DeleteTopicsRequest.self, Self.body, version: version) == Self.request)
    }

    @Test func defaults() {
        #expect(DeleteTopicsRequest(timeoutMs: 1).topicNames.isEmpty)
    }

    @Test func roundTrip() throws {
        try expectRoundTrip(Self.request)
        try expectRoundTrip(DeleteTopicsRequest(timeoutMs: -1))
        expectVersionsOutsideRangeRejected(Self.request)
    }

    @Test func everyTruncationThrows() {
        expectEveryTruncationThrows(DeleteTopicsRequest.self, Self.body, version: 0)
        expectEveryTruncationThrows(DeleteTopicsRequest.self, Self.body, version: 3)
    }

    @Test func nullTopicNameIsRejected() {
        let bytes: [UInt8] = [0, 0, 0, 1, 0xFF, 0xFF, 0, 0, 0, 0]
        #expect(throws: KafkaProtocolError.invalidLength(field: "DeleteTopicsRequest.topic_names", length: -1)) {
            try decodedBody(DeleteTopicsRequest.self, bytes, version: 0)
        }
    }

    @Test func nullTopicArrayIsRejected() {
        let bytes: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]
        #expect(throws: KafkaProtocolError.invalidLength(field: "DeleteTopicsRequest.topic_names", length: -1)) {
            try decodedBody(DeleteTopicsRequest.self, bytes, version: 1)
        }
    }
}
