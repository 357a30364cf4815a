import KafkaProtocol
import NIOCore
import Testing

struct HeartbeatRequestTests {
    @Test func goldenV0() throws {
        let (header, request, body) = try goldenRequestBody("HeartbeatRequest_v0", as: HeartbeatRequest.self)
        #expect(header.apiKey == .heartbeat)
        #expect(header.apiVersion == 0)
        #expect(request == HeartbeatRequest(groupID: "g1", generationID: 1, memberID: "m-1"))
        #expect(request.groupInstanceID == nil)
        // group_id "g1" | generation_id 1 | member_id "m-1"
        #expect(body == [0, 2, 0x67, 0x31] + [0, 0, 0, 1] + [0, 3, 0x6D, 0x2D, 0x31])
        #expect(try encodedBody(request, version: 0) == body)
    }

    static let request = HeartbeatRequest(groupID: "g", generationID: 3, memberID: "m", groupInstanceID: "i")

    static let v0: [UInt8] = [0, 1, 0x67] + [0, 0, 0, 3] + [0, 1, 0x6D]  // group_id, generation_id, member_id
    static let v3: [UInt8] = v0 + [0, 1, 0x69]  // + group_instance_id "i"

    @Test(arguments: 0...2 as ClosedRange<Int16>)
    func layoutV0ToV2(_ version: Int16) throws {
        #expect(try encodedBody(Self.request, version: version) == Self.v0)
        #expect(
            try decodedBody(HeartbeatRequest.self, Self.v0, version: version)
                == HeartbeatRequest(groupID: "g", generationID: 3, memberID: "m")
        )
    }

    @Test func layoutV3() throws {
        #expect(try encodedBody(Self.request, version: 3) == Self.v3)
        #expect(try decodedBody(HeartbeatRequest.self, Self.v3, version: 3) == Self.request)
        let dynamic = HeartbeatRequest(groupID: "g", generationID: 3, memberID: "m")
        #expect(try encodedBody(dynamic, version: 3) == Self.v0 + [0xFF, 0xFF])
    }

    @Test func roundTrip() throws {
        try expectRoundTrip(Self.request) { request, version in
            var expected = request
            if version < 3 { expected.groupInstanceID = nil }
            return expected
        }
        expectVersionsOutsideRangeRejected(Self.request)
    }

    @Test func everyTruncationThrows() {
        expectEveryTruncationThrows(HeartbeatRequest.self, Self.v0, version: 0)
        expectEveryTruncationThrows(HeartbeatRequest.self, Self.v3, version: 3)
    }
}
