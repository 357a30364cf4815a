import KafkaProtocol
import NIOCore
import Testing

/// Bytes laid out by hand from JoinGroupResponse.json; leader and member id differ so a swapped
/// field order shows.
struct JoinGroupResponseTests {
    static let response = JoinGroupResponse(
        throttleTimeMs: 5,
        errorCode: .none,
        generationID: 2,
        protocolName: "r",
        leader: "l",
        memberID: "m",
        members: [
            JoinGroupResponse.Member(memberID: "l", groupInstanceID: "i", metadata: [7]),
            JoinGroupResponse.Member(memberID: "m", groupInstanceID: nil, metadata: []),
        ]
    )

    static let head: [UInt8] =
        [0, 0]  // error_code
        + [0, 0, 0, 2]  // generation_id
        + [0, 1, 0x72]  // protocol_name "r"
        + [0, 1, 0x6C]  // leader "l"
        + [0, 1, 0x6D]  // member_id "m"

    static let v0: [UInt8] =
        head
        + [0, 0, 0, 2]  // members count
        + [0, 1, 0x6C] + [0, 0, 0, 1, 7]  // member_id "l", metadata
        + [0, 1, 0x6D] + [0, 0, 0, 0]  // member_id "m", empty metadata

    static let v5: [UInt8] =
        [0, 0, 0, 5]  // throttle_time_ms
        + head
        + [0, 0, 0, 2]  // members count
        + [0, 1, 0x6C] + [0, 1, 0x69] + [0, 0, 0, 1, 7]  // member_id, group_instance_id "i", metadata
        + [0, 1, 0x6D] + [0xFF, 0xFF] + [0, 0, 0, 0]  // member_id, null group_instance_id, metadata

    static func normalize(_ response: JoinGroupResponse, _ version: Int16) -> JoinGroupResponse {
        var expected = response
        if version < 2 { expected.throttleTimeMs = 0 }
        if version < 5 {
            expected.members = response.members.map { member in
                var member = member
                member.groupInstanceID = nil
                return member
            }
        }
        return expected
    }

    @Test(arguments: 0...1 as ClosedRange<Int16>)
    func layoutV0V1(_ version: Int16) throws {
        #expect(try encodedBody(Self.response, version: version) == Self.v0)
        #expect(
            try decodedBody(JoinGroupResponse.self, Self.v0, version: version) == Self.normalize(Self.response, version)
        )
    }

    /// v2 adds throttle_time_ms in front; v2–v4 members have no instance id.
    @Test func layoutV2() throws {
        let v0Members = Array(Self.v0[Self.head.count...])
        #expect(try encodedBody(Self.response, version: 2) == [0, 0, 0, 5] + Self.head + v0Members)
    }

    @Test func layoutV5() throws {
        #expect(try encodedBody(Self.response, version: 5) == Self.v5)
        #expect(try decodedBody(JoinGroupResponse.self, Self.v5, version: 5) == Self.response)
    }

    @Test func errorDefaults() throws {
        let response = JoinGroupResponse(errorCode: .unknownMemberId)
        #expect(response.generationID == -1)
        #expect(
            try encodedBody(response, version: 0)
                == [0, 25] + [0xFF, 0xFF, 0xFF, 0xFF] + [0, 0] + [0, 0] + [0, 0] + [0, 0, 0, 0]
        )
    }

    @Test func roundTrip() throws {
        try expectRoundTrip(Self.response, normalize: Self.normalize)
        expectVersionsOutsideRangeRejected(Self.response)
    }

    @Test func everyTruncationThrows() {
        expectEveryTruncationThrows(JoinGroupResponse.self, Self.v0, version: 0)
        expectEveryTruncationThrows(JoinGroupResponse.self, Self.v5, version: 5)
    }
}
