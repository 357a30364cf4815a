import KafkaProtocol
import NIOCore
import Testing

/// Bytes laid out by hand from Kafka's DeleteGroupsResponse (v0–v1: `throttle_time_ms int32 |
/// results ARRAY<group_id STRING | error_code int16>`; unlike DeleteTopics, v0 already has the
/// throttle time); each group has its own error code so a swapped field order shows.
struct DeleteGroupsResponseTests {
    static let response = DeleteGroupsResponse(
        throttleTimeMs: 9,
        results: [
            .init(groupID: "g", errorCode: .nonEmptyGroup),
            .init(groupID: "hi", errorCode: .groupIDNotFound),
            .init(groupID: "ok"),
        ]
    )

    static let body: [UInt8] =
        [0, 0, 0, 9]  // throttle_time_ms
        + [0, 0, 0, 3]  // results count
        + [0, 1, 0x67] + [0, 68]  // "g", NON_EMPTY_GROUP
        + [0, 2, 0x68, 0x69] + [0, 69]  // "hi", GROUP_ID_NOT_FOUND
        + [0, 2, 0x6F, 0x6B] + [0, 0]  // "ok", NONE

    @Test(arguments: 0...1 as ClosedRange<Int16>)
    func layout(_ version: Int16) throws {
        #expect(try encodedBody(Self.response, version: version) == Self.body)
        #expect(try decodedBody(DeleteGroupsResponse.self, Self.body, version: version) == Self.response)
    }

    @Test func defaults() {
        #expect(DeleteGroupsResponse.Result(groupID: "g").errorCode == .none)
        let response = DeleteGroupsResponse()
        #expect(response.throttleTimeMs == 0)
        #expect(response.results.isEmpty)
    }

    @Test func roundTrip() throws {
        try expectRoundTrip(Self.response)
        expectVersionsOutsideRangeRejected(Self.response)
    }

    @Test func everyTruncationThrows() {
        expectEveryTruncationThrows(DeleteGroupsResponse.self, Self.body, version: 0)
        expectEveryTruncationThrows(DeleteGroupsResponse.self, Self.body, version: 1)
    }
}
