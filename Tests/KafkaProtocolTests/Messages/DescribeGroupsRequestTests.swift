import KafkaProtocol
import NIOCore
import Testing

/// Bytes laid out by hand from DescribeGroupsRequest.json.
struct DescribeGroupsRequestTests {
    static let request = DescribeGroupsRequest(groups: ["g", "h"], includeAuthorizedOperations: true)

    static let v0: [UInt8] = [0, 0, 0, 2] + [0, 1, 0x67] + [0, 1, 0x68]  // groups ["g", "h"]
    static let v3: [UInt8] = v0 + [1]  // + include_authorized_operations

    @Test(arguments: 0...2 as ClosedRange<Int16>)
    func layoutV0ToV2(_ version: Int16) throws {
        #expect(try encodedBody(Self.request, version: version) == Self.v0)
        #expect(
            try decodedBody(DescribeGroupsRequest.self, Self.v0, version: version)
                == DescribeGroupsRequest(groups: ["g", "h"])
        )
    }

    @Test(arguments: 3...4 as ClosedRange<Int16>)
    func layoutV3V4(_ version: Int16) throws {
        #expect(try encodedBody(Self.request, version: version) == Self.v3)
        #expect(try decodedBody(DescribeGroupsRequest.self, Self.v3, version: version) == Self.request)
        #expect(try encodedBody(DescribeGroupsRequest(groups: []), version: version) == [0, 0, 0, 0, 0])
    }

    @Test func roundTrip() throws {
        try expectRoundTrip(Self.request) { request, version in
            var expected = request
            if version < 3 { expected.includeAuthorizedOperations = false }
            return expected
        }
        expectVersionsOutsideRangeRejected(Self.request)
    }

    @Test func everyTruncationThrows() {
        expectEveryTruncationThrows(DescribeGroupsRequest.self, Self.v0, version: 0)
        expectEveryTruncationThrows(DescribeGroupsRequest.self, Self.v3, version: 4)
    }
}
