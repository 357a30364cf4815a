import KafkaProtocol
import NIOCore
import Testing

struct FindCoordinatorRequestTests {
    @Test func goldenV0() throws {
        let (_, request, body) = try goldenRequestBody("FindCoordinatorRequest_v0", as: FindCoordinatorRequest.self)
        #expect(request == FindCoordinatorRequest(key: "g1"))
        #expect(body == [0, 2, 0x67, 0x31])
    }

    @Test func version1AddsKeyType() throws {
        let request = FindCoordinatorRequest(key: "g1", keyType: 1)
        #expect(try encodedBody(request, version: 1) == [0, 2, 0x67, 0x31, 1])
        try expectRoundTrip(request) { request, version in
            var expected = request
            if version < 1 { expected.keyType = 0 }
            return expected
        }
        expectVersionsOutsideRangeRejected(request)
    }
}
