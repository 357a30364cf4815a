import KafkaProtocol
import NIOCore
import Testing

/// Bytes laid out by hand from LeaveGroupResponse.json.
struct LeaveGroupResponseTests {
    static let response = LeaveGroupResponse(
        throttleTimeMs: 5,
        errorCode: .none,
        members: [
            LeaveGroupResponse.Member(memberID: "m", groupInstanceID: "i", errorCode: .unknownMemberId),
            LeaveGroupResponse.Member(memberID: "n"),
        ]
    )

    static let v0: [UInt8] = [0, 0]  // error_code
    static let v1: [UInt8] = [0, 0, 0, 5] + [0, 0]  // throttle_time_ms, error_code
    static let v3: [UInt8] =
        v1
        + [0, 0, 0, 2]  // members count
        + [0, 1, 0x6D] + [0, 1, 0x69] + [0, 25]  // member_id "m", group_instance_id "i", error_code
        + [0, 1, 0x6E] + [0xFF, 0xFF] + [0, 0]  // member_id "n", null group_instance_id, error_code

    static func normalize(_ response: LeaveGroupResponse, _ version: Int16) -> LeaveGroupResponse {
        var expected = response
        if version < 1 { expected.throttleTimeMs = 0 }
        if version < 3 { expected.members = [] }
        return expected
    }

    @Test func layouts() throws {
        #expect(try encodedBody(Self.response, version: 0) == Self.v0)
        #expect(try decodedBody(LeaveGroupResponse.self, Self.v0, version: 0) == Self.normalize(Self.response, 0))
        for version: Int16 in 1...2 {
            #expect(try encodedBody(Self.response, version: version) == Self.v1)
            #expect(
                try decodedBody(LeaveGroupResponse.self, Self.v1, version: version)
                    == Self.normalize(Self.response, version)
            )
        }
        #expect(try encodedBody(Self.response, version: 3) == Self.v3)
        #expect(try decodedBody(LeaveGroupResponse.self, Self.v3, version: 3) == Self.response)
    }

    @Test func roundTrip() throws {
        try expectRoundTrip(Self.response, normalize: Self.normalize)
        expectVersionsOutsideRangeRejected(Self.response)
    }

    @Test func everyTruncationThrows() {
        expectEveryTruncationThrows(LeaveGroupResponse.self, Self.v0, version: 0)
        expectEveryTruncationThrows(LeaveGroupResponse.self, Self.v3, version: 3)
    }
}
