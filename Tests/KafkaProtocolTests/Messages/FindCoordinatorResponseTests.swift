import KafkaProtocol
import NIOCore
import Testing

struct FindCoordinatorResponseTests {
    @Test func goldenV0() throws {
        let (response, body) = try goldenResponseBody("FindCoordinatorResponse_v0", as: FindCoordinatorResponse.self)
        let expected = FindCoordinatorResponse(nodeID: 1, host: "127.0.0.1", port: 9092)
        #expect(response == expected)
        #expect(try encodedBody(expected, version: 0) == body)
    }

    /// v1+: throttle first, then error, error_message, node.
    @Test func version1AddsThrottleAndMessage() throws {
        let response = FindCoordinatorResponse(
            throttleTimeMs: 1,
            errorCode: .coordinatorNotAvailable,
            errorMessage: "x",
            nodeID: 2,
            host: "h",
            port: 3
        )
        #expect(try encodedBody(response, version: 0) == [0, 15, 0, 0, 0, 2, 0, 1, 0x68, 0, 0, 0, 3])
        #expect(
            try encodedBody(response, version: 1) == [
                0, 0, 0, 1, 0, 15, 0, 1, 0x78, 0, 0, 0, 2, 0, 1, 0x68, 0, 0, 0, 3,
            ]
        )
        try expectRoundTrip(response) { response, version in
            var expected = response
            if version < 1 {
                expected.throttleTimeMs = 0
                expected.errorMessage = nil
            }
            return expected
        }
        expectVersionsOutsideRangeRejected(response)
    }
}
