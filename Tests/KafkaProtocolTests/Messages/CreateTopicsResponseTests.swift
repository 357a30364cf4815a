import KafkaProtocol
import NIOCore
import Testing

/// Bytes laid out by hand from CreateTopicsResponse.json; the two topics have different error
/// codes and only one has a message, so a swapped field order shows.
struct CreateTopicsResponseTests {
    static let response = CreateTopicsResponse(
        throttleTimeMs: 9,
        topics: [
            .init(name: "a", errorCode: .topicAlreadyExists, errorMessage: "x"),
            .init(name: "b", errorCode: .none, errorMessage: nil),
        ]
    )

    static let v0: [UInt8] =
        [0, 0, 0, 2]  // topics count
        + [0, 1, 0x61] + [0, 36]  // name "a", TOPIC_ALREADY_EXISTS
        + [0, 1, 0x62] + [0, 0]  // name "b", NONE

    static let v1: [UInt8] =
        [0, 0, 0, 2]  // topics count
        + [0, 1, 0x61] + [0, 36] + [0, 1, 0x78]  // name, error_code, error_message "x"
        + [0, 1, 0x62] + [0, 0] + [0xFF, 0xFF]  // name, error_code, null error_message

    static let v2: [UInt8] =
        [0, 0, 0, 9]  // throttle_time_ms
        + v1

    static func normalize(_ response: CreateTopicsResponse, _ version: Int16) -> CreateTopicsResponse {
        var expected = response
        if version < 2 { expected.throttleTimeMs = 0 }
        if version < 1 {
            expected.topics = response.topics.map { topic in
                var topic = topic
                topic.errorMessage = nil
                return topic
            }
        }
        return expected
    }

    @Test func layoutV0() throws {
        #expect(try encodedBody(Self.response, version: 0) == Self.v0)
        #expect(try decodedBody(CreateTopicsResponse.self, Self.v0, version: 0) == Self.normalize(Self.response, 0))
    }

    /// v1 adds error_message, still without throttle time.
    @Test func layoutV1() throws {
        #expect(try encodedBody(Self.response, version: 1) == Self.v1)
        #expect(try decodedBody(CreateTopicsResponse.self, Self.v1, version: 1) == Self.normalize(Self.response, 1))
    }

    /// v2–v4 share one layout: throttle_time_ms in front.
    @Test(arguments: 2...4 as ClosedRange<Int16>)
    func layoutV2ToV4(_ version: Int16) throws {
        #expect(try encodedBody(Self.response, version: version) == Self.v2)
        #expect(try decodedBody(CreateTopicsResponse.self, Self.v2, version: version) == Self.response)
    }

    @Test func defaults() {
        let topic = CreateTopicsResponse.Topic(name: "t")
        #expect(topic.errorCode == .none)
        #expect(topic.errorMessage == nil)
        let response = CreateTopicsResponse()
        #expect(response.throttleTimeMs == 0)
        #expect(response.topics.isEmpty)
    }

    @Test func unnamedErrorCodesSurvive() throws {
        let response = CreateTopicsResponse(topics: [.init(name: "a", errorCode: KafkaErrorCode(rawValue: 999))])
        let bytes = try encodedBody(response, version: 4)
        #expect(try decodedBody(CreateTopicsResponse.self, bytes, version: 4) == response)
    }

    @Test func roundTrip() throws {
        try expectRoundTrip(Self.response, normalize: Self.normalize)
        expectVersionsOutsideRangeRejected(Self.response)
    }

    @Test func everyTruncationThrows() {
        expectEveryTruncationThrows(CreateTopicsResponse.self, Self.v0, version: 0)
        expectEveryTruncationThrows(CreateTopicsResponse.self, Self.v1, version: 1)
        expectEveryTruncationThrows(CreateTopicsResponse.self, Self.v2, version: 4)
    }
}
