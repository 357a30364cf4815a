import KafkaProtocol
import NIOCore
import Testing

/// ListGroupsRequest v0–v2 has no fields (the filters arrive in v4/v5).
struct ListGroupsRequestTests {
    @Test(arguments: ListGroupsRequest.versions)
    func emptyBody(_ version: Int16) throws {
        #expect(try encodedBody(ListGroupsRequest(), version: version) == [])
        #expect(try decodedBody(ListGroupsRequest.self, [], version: version) == ListGroupsRequest())
    }

    /// Decoding reads nothing: bytes after the (empty) body are left for the caller.
    @Test func trailingBytesAreNotConsumed() throws {
        var buffer = ByteBuffer(bytes: [1, 2])
        _ = try ListGroupsRequest(from: &buffer, version: 2)
        #expect(buffer.readableBytes == 2)
    }

    @Test func roundTrip() throws {
        try expectRoundTrip(ListGroupsRequest())
        expectVersionsOutsideRangeRejected(ListGroupsRequest())
    }
}
