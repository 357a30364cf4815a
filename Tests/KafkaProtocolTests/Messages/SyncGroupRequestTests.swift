import KafkaProtocol
import NIOCore
import Testing

/// Bytes laid out by hand from SyncGroupRequest.json.
struct SyncGroupRequestTests {
    static let request = SyncGroupRequest(
        groupID: "g",
        generationID: 2,
        memberID: "m",
        groupInstanceID: "i",
        assignments: [
            SyncGroupRequest.Assignment(memberID: "a", assignment: [9, 8]),
            SyncGroupRequest.Assignment(memberID: "b", assignment: []),
        ]
    )

    static let assignments: [UInt8] =
        [0, 0, 0, 2]  // assignments count
        + [0, 1, 0x61] + [0, 0, 0, 2, 9, 8]  // member_id "a", assignment
        + [0, 1, 0x62] + [0, 0, 0, 0]  // member_id "b", empty assignment

    static let v0: [UInt8] =
        [0, 1, 0x67]  // group_id "g"
        + [0, 0, 0, 2]  // generation_id
        + [0, 1, 0x6D]  // member_id "m"
        + assignments

    static let v3: [UInt8] =
        [0, 1, 0x67]  // group_id
        + [0, 0, 0, 2]  // generation_id
        + [0, 1, 0x6D]  // member_id
        + [0, 1, 0x69]  // group_instance_id "i"
        + assignments

    static func normalize(_ request: SyncGroupRequest, _ version: Int16) -> SyncGroupRequest {
        var expected = request
        if version < 3 { expected.groupInstanceID = nil }
        return expected
    }

    @Test(arguments: 0...2 as ClosedRange<Int16>)
    func layoutV0ToV2(_ version: Int16) throws {
        #expect(try encodedBody(Self.request, version: version) == Self.v0)
        #expect(
            try decodedBody(SyncGroupRequest.self, Self.v0, version: version) == Self.normalize(Self.request, version)
        )
    }

    @Test func layoutV3() throws {
        #expect(try encodedBody(Self.request, version: 3) == Self.v3)
        #expect(try decodedBody(SyncGroupRequest.self, Self.v3, version: 3) == Self.request)
    }

    /// A follower: no assignments, no instance id.
    @Test func follower() throws {
        let request = SyncGroupRequest(groupID: "g", generationID: 2, memberID: "m")
        #expect(
            try encodedBody(request, version: 3)
                == [0, 1, 0x67, 0, 0, 0, 2, 0, 1, 0x6D, 0xFF, 0xFF, 0, 0, 0, 0]
        )
    }

    @Test func roundTrip() throws {
        try expectRoundTrip(Self.request, normalize: Self.normalize)
        expectVersionsOutsideRangeRejected(Self.request)
    }

    @Test func everyTruncationThrows() {
        expectEveryTruncationThrows(SyncGroupRequest.self, Self.v0, version: 0)
        expectEveryTruncationThrows(SyncGroupRequest.self, Self.v3, version: 3)
    }
}
