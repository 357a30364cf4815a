import KafkaProtocol
import NIOCore
import Testing

/// No golden sample exists for JoinGroup; bytes are laid out by hand from JoinGroupRequest.json.
/// Every string field has its own value so a swapped field order shows.
struct JoinGroupRequestTests {
    static let request = JoinGroupRequest(
        groupID: "g",
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 30_000,
        memberID: "m",
        groupInstanceID: "i",
        protocolType: "c",
        protocols: [.init(name: "r", metadata: [1, 2]), .init(name: "s", metadata: [])]
    )

    static let protocols: [UInt8] =
        [0, 0, 0, 2]  // protocols count
        + [0, 1, 0x72] + [0, 0, 0, 2, 1, 2]  // name "r", metadata
        + [0, 1, 0x73] + [0, 0, 0, 0]  // name "s", empty metadata

    static let v0: [UInt8] =
        [0, 1, 0x67]  // group_id "g"
        + [0, 0, 0x27, 0x10]  // session_timeout_ms 10000
        + [0, 1, 0x6D]  // member_id "m"
        + [0, 1, 0x63]  // protocol_type "c"
        + protocols

    static let v1: [UInt8] =
        [0, 1, 0x67]  // group_id
        + [0, 0, 0x27, 0x10]  // session_timeout_ms
        + [0, 0, 0x75, 0x30]  // rebalance_timeout_ms 30000
        + [0, 1, 0x6D]  // member_id
        + [0, 1, 0x63]  // protocol_type
        + protocols

    static let v5: [UInt8] =
        [0, 1, 0x67]  // group_id
        + [0, 0, 0x27, 0x10]  // session_timeout_ms
        + [0, 0, 0x75, 0x30]  // rebalance_timeout_ms
        + [0, 1, 0x6D]  // member_id
        + [0, 1, 0x69]  // group_instance_id "i"
        + [0, 1, 0x63]  // protocol_type
        + protocols

    static func normalize(_ request: JoinGroupRequest, _ version: Int16) -> JoinGroupRequest {
        var expected = request
        if version < 1 { expected.rebalanceTimeoutMs = -1 }
        if version < 5 { expected.groupInstanceID = nil }
        return expected
    }

    @Test func layoutV0() throws {
        #expect(try encodedBody(Self.request, version: 0) == Self.v0)
        #expect(try decodedBody(JoinGroupRequest.self, Self.v0, version: 0) == Self.normalize(Self.request, 0))
    }

    /// v1–v4 share one layout: rebalance_timeout_ms after the session timeout.
    @Test(arguments: 1...4 as ClosedRange<Int16>)
    func layoutV1ToV4(_ version: Int16) throws {
        #expect(try encodedBody(Self.request, version: version) == Self.v1)
        #expect(
            try decodedBody(JoinGroupRequest.self, Self.v1, version: version) == Self.normalize(Self.request, version)
        )
    }

    @Test func layoutV5() throws {
        #expect(try encodedBody(Self.request, version: 5) == Self.v5)
        #expect(try decodedBody(JoinGroupRequest.self, Self.v5, version: 5) == Self.request)
    }

    @Test func nullGroupInstanceID() throws {
        var request = Self.request
        request.groupInstanceID = nil
        let bytes = try encodedBody(request, version: 5)
        #expect(Array(bytes[14..<16]) == [0xFF, 0xFF])
        #expect(try decodedBody(JoinGroupRequest.self, bytes, version: 5) == request)
    }

    @Test func defaults() {
        let request = JoinGroupRequest(groupID: "g", sessionTimeoutMs: 1, protocolType: "c", protocols: [])
        #expect(request.rebalanceTimeoutMs == -1)
        #expect(request.memberID == "")
        #expect(request.groupInstanceID == nil)
    }

    @Test func roundTrip() throws {
        try expectRoundTrip(Self.request, normalize: Self.normalize)
        expectVersionsOutsideRangeRejected(Self.request)
    }

    @Test func everyTruncationThrows() {
        expectEveryTruncationThrows(JoinGroupRequest.self, Self.v0, version: 0)
        expectEveryTruncationThrows(JoinGroupRequest.self, Self.v5, version: 5)
    }

    @Test func nullMetadataIsRejected() {
        let bytes: [UInt8] = [0, 1, 0x67, 0, 0, 0x27, 0x10, 0, 1, 0x6D, 0, 1, 0x63]
            + [0, 0, 0, 1, 0, 1, 0x72, 0xFF, 0xFF, 0xFF, 0xFF]
        #expect(throws: KafkaProtocolError.invalidLength(field: "JoinGroupRequestProtocol.metadata", length: -1)) {
            try decodedBody(JoinGroupRequest.self, bytes, version: 0)
        }
    }
}
