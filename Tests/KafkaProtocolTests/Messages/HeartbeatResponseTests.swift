import KafkaProtocol
import NIOCore
import Testing

/// Bytes laid out by hand from HeartbeatResponse.json.
struct HeartbeatResponseTests {
    static let response = HeartbeatResponse(throttleTimeMs: 5, errorCode: .rebalanceInProgress)

    @Test func layouts() throws {
        #expect(try encodedBody(Self.response, version: 0) == [0, 27])  // error_code
        #expect(
            try decodedBody(HeartbeatResponse.self, [0, 27], version: 0)
                == HeartbeatResponse(errorCode: .rebalanceInProgress)
        )
        for version: Int16 in 1...3 {
            // throttle_time_ms | error_code
            #expect(try encodedBody(Self.response, version: version) == [0, 0, 0, 5, 0, 27])
            #expect(try decodedBody(HeartbeatResponse.self, [0, 0, 0, 5, 0, 27], version: version) == Self.response)
        }
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
        expectEveryTruncationThrows(HeartbeatResponse.self, [0, 27], version: 0)
        expectEveryTruncationThrows(HeartbeatResponse.self, [0, 0, 0, 5, 0, 27], version: 3)
    }
}
