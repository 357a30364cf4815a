import KafkaProtocol
import NIOCore
import Testing

/// Bytes laid out by hand from Kafka's DeleteGroupsRequest (v0–v1: `groups_names
/// ARRAY<STRING>`); names of different lengths so a misread length prefix shows.
struct DeleteGroupsRequestTests {
    static let request = DeleteGroupsRequest(groupsNames: ["g", "hi"])

    static let body: [UInt8] =
        [0, 0, 0, 2]  // groups_names count
        + [0, 1, 0x67]  // "g"
        + [0, 2, 0x68, 0x69]  // "hi"

    /// v0 and v1 share one layout (they differ only in when the response is throttled).
    @Test(arguments: 0...1 as ClosedRange<Int16>)
    func layout(_ version: Int16) throws {
        #expect(try encodedBody(Self.request, version: version) == Self.body)
        #expect(try decodedBody(DeleteGroupsRequest.self, Self.body, version: version) == Self.request)
    }

    @Test func roundTrip() throws {
        try expectRoundTrip(Self.request)
        try expectRoundTrip(DeleteGroupsRequest())
        expectVersionsOutsideRangeRejected(Self.request)
    }

    @Test func everyTruncationThrows() {
        expectEveryTruncationThrows(DeleteGroupsRequest.self, Self.body, version: 0)
        expectEveryTruncationThrows(DeleteGroupsRequest.self, Self.body, version: 1)
    }

    @Test func nullGroupNameIsRejected() {
        let bytes: [UInt8] = [0, 0, 0, 1, 0xFF, 0xFF]
        #expect(throws: KafkaProtocolError.invalidLength(field: "DeleteGroupsRequest.groups_names", length: -1)) {
            try decodedBody(DeleteGroupsRequest.self, bytes, version: 0)
        }
    }
}
