import KafkaProtocol
import NIOCore
import Testing

/// Bytes laid out by hand from Kafka's DeleteTopicsResponse (v0: `responses ARRAY<name STRING
/// | error_code int16>`; v1–v3: `throttle_time_ms int32` in front); each topic has its own
/// error code so a swapped field order shows.
struct DeleteTopicsResponseTests {
    static let response = DeleteTopicsResponse(
        throttleTimeMs: 9,
        responses: [
            .init(name: "a", errorCode: .topicDeletionDisabled),
            .init(name: "bc", errorCode: .unknownTopicOrPartition),
        ]
    )

    static let v0: [UInt8] =
        [0, 0, 0, 2]  // responses count
        + [0, 1, 0x61] + [0, 73]  // name "a", TOPIC_DELETION_DISABLED
        + [0, 2, 0x62, 0x63] + [0, 3]  // name "bc", UNKNOWN_TOPIC_OR_PARTITION

    static let v1: [UInt8] =
        [0, 0, 0, 9]  // throttle_time_ms
        + v0

    static func normalize(_ response: DeleteTopicsResponse, _ version: Int16) -> DeleteTopicsResponse {
        var expected = response
        if version < 1 { expected.throttleTimeMs = 0 }
        return expected
    }

    @Test func layoutV0() throws {
        #expect(try encodedBody(Self.response, version: 0) == Self.v0)
        #expect(try decodedBody(DeleteTopicsResponse.self, Self.v0, version: 0) == Self.normalize(Self.response, 0))
    }

    /// v1–v3 share one layout: throttle_time_ms in front.
    @Test(arguments: 1...3 as ClosedRange<Int16>)
    func layoutV1ToV3(_ version: Int16) throws {
        #expect(try encodedBody(Self.response, version: version) == Self.v1)
        #expect(try decodedBody(DeleteTopicsResponse.self, Self.v1, version: version) == Self.response)
    }

    @Test func defaults() {
        #expect(DeleteTopicsResponse.Response(name: "t").errorCode == .none)
        let response = DeleteTopicsResponse()
        #expect(response.throttleTimeMs == 0)
        #expect(response.responses.isEmpty)
    }

    @Test func roundTrip() throws {
        try expectRoundTrip(Self.response, normalize: Self.normalize)
        expectVersionsOutsideRangeRejected(Self.response)
    }

    @Test func everyTruncationThrows() {
        expectEveryTruncationThrows(DeleteTopicsResponse.self, Self.v0, version: 0)
        expectEveryTruncationThrows(DeleteTopicsResponse.self, Self.v1, version: 3)
    }
}
