import KafkaProtocol
import NIOCore
import Testing

/// Bytes laid out by hand from DescribeGroupsResponse.json; every string differs so a swapped
/// field order shows.
struct DescribeGroupsResponseTests {
    static let response = DescribeGroupsResponse(
        throttleTimeMs: 5,
        groups: [
            DescribeGroupsResponse.Group(
                errorCode: .none,
                groupID: "g",
                groupState: "S",
                protocolType: "c",
                protocolData: "r",
                members: [
                    DescribeGroupsResponse.Member(
                        memberID: "m",
                        groupInstanceID: "i",
                        clientID: "k",
                        clientHost: "h",
                        memberMetadata: [1],
                        memberAssignment: [2, 3]
                    )
                ],
                authorizedOperations: 8
            ),
            DescribeGroupsResponse.Group(errorCode: .notCoordinator, groupID: "x"),
        ]
    )

    static let groupHead: [UInt8] =
        [0, 0]  // error_code
        + [0, 1, 0x67]  // group_id "g"
        + [0, 1, 0x53]  // group_state "S"
        + [0, 1, 0x63]  // protocol_type "c"
        + [0, 1, 0x72]  // protocol_data "r"
        + [0, 0, 0, 1]  // members count
        + [0, 1, 0x6D]  // member_id "m"
    static let memberTail: [UInt8] =
        [0, 1, 0x6B]  // client_id "k"
        + [0, 1, 0x68]  // client_host "h"
        + [0, 0, 0, 1, 1]  // member_metadata
        + [0, 0, 0, 2, 2, 3]  // member_assignment
    /// The NOT_COORDINATOR group: error_code 16, group_id "x", empty state, type and data, no members.
    static let errorGroup: [UInt8] = [0, 16] + [0, 1, 0x78] + [0, 0] + [0, 0] + [0, 0] + [0, 0, 0, 0]

    static let v0: [UInt8] = [0, 0, 0, 2] + groupHead + memberTail + errorGroup
    static let v3: [UInt8] =
        [0, 0, 0, 5]  // throttle_time_ms
        + [0, 0, 0, 2] + groupHead + memberTail + [0, 0, 0, 8]  // + authorized_operations 8
        + errorGroup + [0x80, 0, 0, 0]  // authorized_operations Int32.min
    static let v4: [UInt8] =
        [0, 0, 0, 5]
        + [0, 0, 0, 2] + groupHead + [0, 1, 0x69] + memberTail + [0, 0, 0, 8]  // group_instance_id "i"
        + errorGroup + [0x80, 0, 0, 0]

    static func normalize(_ response: DescribeGroupsResponse, _ version: Int16) -> DescribeGroupsResponse {
        var expected = response
        if version < 1 { expected.throttleTimeMs = 0 }
        expected.groups = response.groups.map { group in
            var group = group
            if version < 3 { group.authorizedOperations = DescribeGroupsResponse.authorizedOperationsOmitted }
            if version < 4 {
                group.members = group.members.map { member in
                    var member = member
                    member.groupInstanceID = nil
                    return member
                }
            }
            return group
        }
        return expected
    }

    @Test func layoutV0() throws {
        #expect(try encodedBody(Self.response, version: 0) == Self.v0)
        #expect(try decodedBody(DescribeGroupsResponse.self, Self.v0, version: 0) == Self.normalize(Self.response, 0))
    }

    @Test func layoutV1V2() throws {
        for version: Int16 in 1...2 {
            #expect(try encodedBody(Self.response, version: version) == [0, 0, 0, 5] + Self.v0)
        }
    }

    @Test func layoutV3() throws {
        #expect(try encodedBody(Self.response, version: 3) == Self.v3)
        #expect(try decodedBody(DescribeGroupsResponse.self, Self.v3, version: 3) == Self.normalize(Self.response, 3))
    }

    @Test func layoutV4() throws {
        #expect(try encodedBody(Self.response, version: 4) == Self.v4)
        #expect(try decodedBody(DescribeGroupsResponse.self, Self.v4, version: 4) == Self.response)
    }

    @Test func defaults() {
        let group = DescribeGroupsResponse.Group(groupID: "g")
        #expect(group.authorizedOperations == Int32.min)
        #expect(group.errorCode == .none)
        #expect(group.members.isEmpty)
    }

    @Test func roundTrip() throws {
        try expectRoundTrip(Self.response, normalize: Self.normalize)
        expectVersionsOutsideRangeRejected(Self.response)
    }

    @Test func everyTruncationThrows() {
        expectEveryTruncationThrows(DescribeGroupsResponse.self, Self.v0, version: 0)
        expectEveryTruncationThrows(DescribeGroupsResponse.self, Self.v4, version: 4)
    }
}
