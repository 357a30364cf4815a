import KafkaProtocol
import NIOCore
import Testing

/// Bytes laid out by hand from SyncGroupResponse.json.
struct SyncGroupResponseTests {
    static let response = SyncGroupResponse(throttleTimeMs: 5, errorCode: .rebalanceInProgress, assignment: [1, 2, 3])

    static let v0: [UInt8] = [0, 27] + [0, 0, 0, 3, 1, 2, 3]  // error_code, assignment
    static let v3: [UInt8] = [0, 0, 0, 5] + v0  // throttle_time_ms first

    @Test func layoutV0() throws {
        #expect(try encodedBody(Self.response, version: 0) == Self.v0)
        #expect(
            try decodedBody(SyncGroupResponse.self, Self.v0, version: 0)
                == SyncGroupResponse(errorCode: .rebalanceInProgress, assignment: [1, 2, 3])
        )
    }

    @Test(arguments: 1...3 as ClosedRange<Int16>)
    func layoutV1ToV3(_ version: Int16) throws {
        #expect(try encodedBody(Self.response, version: version) == Self.v3)
        #expect(try decodedBody(SyncGroupResponse.self, Self.v3, version: version) == Self.response)
    }

    @Test func emptyAssignment() throws {
        #expect(try encodedBody(SyncGroupResponse(), version: 0) == [0, 0, 0, 0, 0, 0])
    }

    /// BYTES is not nullable here: a -1 length is malformed, not "no assignment".
    @Test func nullAssignmentIsRejected() {
        #expect(throws: KafkaProtocolError.invalidLength(field: "SyncGroupResponse.assignment", length: -1)) {
            try decodedBody(SyncGroupResponse.self, [0, 0, 0xFF, 0xFF, 0xFF, 0xFF], version: 0)
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
        expectEveryTruncationThrows(SyncGroupResponse.self, Self.v0, version: 0)
        expectEveryTruncationThrows(SyncGroupResponse.self, Self.v3, version: 3)
    }
}
