import KafkaProtocol
import NIOCore
import Testing

/// Bytes laid out by hand from LeaveGroupRequest.json: v0–v2 carry one member_id, v3 an array.
struct LeaveGroupRequestTests {
    static let single = LeaveGroupRequest(
        groupID: "g",
        members: [LeaveGroupRequest.Member(memberID: "m", groupInstanceID: "i")]
    )
    static let several = LeaveGroupRequest(
        groupID: "g",
        members: [
            LeaveGroupRequest.Member(memberID: "m", groupInstanceID: "i"),
            LeaveGroupRequest.Member(memberID: "n"),
        ]
    )

    static let v0: [UInt8] = [0, 1, 0x67] + [0, 1, 0x6D]  // group_id "g", member_id "m"
    static let v3: [UInt8] =
        [0, 1, 0x67]  // group_id
        + [0, 0, 0, 2]  // members count
        + [0, 1, 0x6D] + [0, 1, 0x69]  // member_id "m", group_instance_id "i"
        + [0, 1, 0x6E] + [0xFF, 0xFF]  // member_id "n", null group_instance_id

    /// The v0–v2 form drops the instance id and decodes as one member without one.
    @Test(arguments: 0...2 as ClosedRange<Int16>)
    func layoutV0ToV2(_ version: Int16) throws {
        #expect(try encodedBody(Self.single, version: version) == Self.v0)
        #expect(
            try decodedBody(LeaveGroupRequest.self, Self.v0, version: version)
                == LeaveGroupRequest(groupID: "g", members: [LeaveGroupRequest.Member(memberID: "m")])
        )
    }

    @Test func layoutV3() throws {
        #expect(try encodedBody(Self.several, version: 3) == Self.v3)
        #expect(try decodedBody(LeaveGroupRequest.self, Self.v3, version: 3) == Self.several)
        // One member in v3 is still an array.
        #expect(try encodedBody(Self.single, version: 3) == [0, 1, 0x67, 0, 0, 0, 1, 0, 1, 0x6D, 0, 1, 0x69])
    }

    /// v0–v2 can name exactly one member; any other count is refused rather than cut down.
    @Test(arguments: 0...2 as ClosedRange<Int16>)
    func versionsWithOneMemberRefuseOtherCounts(_ version: Int16) throws {
        #expect(
            throws: KafkaProtocolError.unencodable(
                field: "LeaveGroupRequest.member_id",
                reason: "v\(version) carries exactly one member, not 2"
            )
        ) {
            try encodedBody(Self.several, version: version)
        }
        #expect(throws: KafkaProtocolError.self) {
            try encodedBody(LeaveGroupRequest(groupID: "g", members: []), version: version)
        }
        // v3 takes any count, none included.
        #expect(try encodedBody(LeaveGroupRequest(groupID: "g", members: []), version: 3) == [0, 1, 0x67, 0, 0, 0, 0])
    }

    @Test func roundTrip() throws {
        try expectRoundTrip(Self.single) { request, version in
            var expected = request
            if version < 3 { expected.members = [LeaveGroupRequest.Member(memberID: "m")] }
            return expected
        }
        let bytes = try encodedBody(Self.several, version: 3)
        #expect(try decodedBody(LeaveGroupRequest.self, bytes, version: 3) == Self.several)
        expectVersionsOutsideRangeRejected(Self.single)
    }

    @Test func everyTruncationThrows() {
        expectEveryTruncationThrows(LeaveGroupRequest.self, Self.v0, version: 0)
        expectEveryTruncationThrows(LeaveGroupRequest.self, Self.v3, version: 3)
    }
}
