import KafkaProtocol
import NIOCore
import Testing

/// Bytes laid out by hand from ListGroupsResponse.json.
struct ListGroupsResponseTests {
    static let response = ListGroupsResponse(
        throttleTimeMs: 5,
        errorCode: .coordinatorLoadInProgress,
        groups: [
            ListGroupsResponse.Group(groupID: "g", protocolType: "c"),
            ListGroupsResponse.Group(groupID: "h"),
        ]
    )

    static let v0: [UInt8] =
        [0, 14]  // error_code
        + [0, 0, 0, 2]  // groups count
        + [0, 1, 0x67] + [0, 1, 0x63]  // group_id "g", protocol_type "c"
        + [0, 1, 0x68] + [0, 0]  // group_id "h", protocol_type ""
    static let v2: [UInt8] = [0, 0, 0, 5] + v0  // throttle_time_ms first

    @Test func layoutV0() throws {
        #expect(try encodedBody(Self.response, version: 0) == Self.v0)
        var expected = Self.response
        expected.throttleTimeMs = 0
        #expect(try decodedBody(ListGroupsResponse.self, Self.v0, version: 0) == expected)
    }

    @Test(arguments: 1...2 as ClosedRange<Int16>)
    func layoutV1V2(_ version: Int16) throws {
        #expect(try encodedBody(Self.response, version: version) == Self.v2)
        #expect(try decodedBody(ListGroupsResponse.self, Self.v2, version: version) == Self.response)
    }

    @Test func roundTrip() throws {
        try expectRoundTrip(Self.response) { response, version in
            var expected = response
            if version < 1 { expected.throttleTimeMs = 0 }
            return expected
        }
        expectVersionsOutsideRangeRejected(Self.response)
    }

    @Test func everyTruncationThrows() {
        expectEveryTruncationThrows(ListGroupsResponse.self, Self.v0, version: 0)
        expectEveryTruncationThrows(ListGroupsResponse.self, Self.v2, version: 2)
    }
}
