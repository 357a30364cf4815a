import KafkaProtocol
import NIOCore
import Testing

struct ApiVersionsResponseTests {
    /// README §4: the exact reply for the minimal table, kafka-python's encoder.
    @Test func goldenV2MinimalTable() throws {
        let (response, _) = try goldenResponseBody("ApiVersionsResponse_v2_minimal_table", as: ApiVersionsResponse.self)
        #expect(response.errorCode == .none)
        #expect(response.throttleTimeMs == 0)
        #expect(ApiVersionsTable(response.apiKeys) == ApiVersionsTable.minimal)

        var out = ByteBuffer()
        try KafkaFrame.writeResponse(ApiVersionsResponse(table: .minimal), version: 2, correlationID: 7, into: &out)
        #expect(out.bytes == ReferenceVectors.wireSample("ApiVersionsResponse_v2_minimal_table").framed)
    }

    /// README §2 rule 1: `00000010 00000007 0023 00000001 0012 0000 0002`.
    @Test func goldenError35Reply() throws {
        var out = ByteBuffer()
        try KafkaFrame.writeResponse(
            ApiVersionsResponse.unsupportedVersion(table: .minimal),
            version: 0,
            correlationID: 7,
            into: &out
        )
        #expect(
            out.bytes
                == ReferenceVectors.wireSample("ApiVersionsResponse_v0_error35_reply_to_unsupported_version").framed
        )
    }

    @Test func error35ReplyWithComfortableTableAdvertisesV3() throws {
        let reply = ApiVersionsResponse.unsupportedVersion(table: .comfortable)
        #expect(try encodedBody(reply, version: 0) == [0x00, 0x23, 0, 0, 0, 1, 0x00, 0x12, 0x00, 0x00, 0x00, 0x03])
    }

    /// v3 laid out by hand from LAYOUTS.md: error, COMPACT_ARRAY (count+1), entries with a tag
    /// buffer each, throttle, top-level tag buffer.
    @Test func version3IsFlexible() throws {
        let response = ApiVersionsResponse(apiKeys: [ApiVersionRange(.apiVersions, 0...3)], throttleTimeMs: 5)
        let expected: [UInt8] = [
            0x00, 0x00, 0x02, 0x00, 0x12, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00,
        ]
        #expect(try encodedBody(response, version: 3) == expected)
        #expect(try decodedBody(ApiVersionsResponse.self, expected, version: 3) == response)
    }

    /// A real broker's v3 reply carries tagged feature fields; they are skipped.
    @Test func version3SkipsTaggedFeatures() throws {
        let bytes: [UInt8] = [
            0x00, 0x00, 0x02, 0x00, 0x12, 0x00, 0x00, 0x00, 0x03,
            0x01, 0x09, 0x01, 0xEE,  // entry tag buffer: one field (tag 9, 1 byte)
            0x00, 0x00, 0x00, 0x00,
            0x02, 0x01, 0x08, 0, 0, 0, 0, 0, 0, 0, 1, 0x03, 0x01, 0x01,  // FinalizedFeaturesEpoch, ZkMigrationReady
        ]
        let response = try decodedBody(ApiVersionsResponse.self, bytes, version: 3)
        #expect(response.apiKeys == [ApiVersionRange(.apiVersions, 0...3)])
    }

    @Test func version0HasNoThrottle() throws {
        let response = ApiVersionsResponse(apiKeys: [ApiVersionRange(.produce, 3...7)], throttleTimeMs: 9)
        #expect(try encodedBody(response, version: 0) == [0, 0, 0, 0, 0, 1, 0, 0, 0, 3, 0, 7])
        #expect(try encodedBody(response, version: 1) == [0, 0, 0, 0, 0, 1, 0, 0, 0, 3, 0, 7, 0, 0, 0, 9])
    }

    @Test func everyVersionRoundTrips() throws {
        let response = ApiVersionsResponse(
            apiKeys: ApiVersionsTable.comfortable.ranges + [
                ApiVersionRange(apiKeyCode: 999, minVersion: 0, maxVersion: 1)
            ],
            throttleTimeMs: 12
        )
        try expectRoundTrip(response) { response, version in
            var expected = response
            if version == 0 { expected.throttleTimeMs = 0 }
            return expected
        }
        expectVersionsOutsideRangeRejected(response)
    }

    @Test func hostileArrayCountDoesNotAllocate() {
        // error 0, count 0x7FFFFFFF, nothing else.
        var buffer = ByteBuffer(bytes: [0, 0, 0x7F, 0xFF, 0xFF, 0xFF])
        #expect(throws: KafkaProtocolError.truncated(field: "ApiVersionsResponse.api_keys")) {
            try ApiVersionsResponse(from: &buffer, version: 2)
        }
    }
}
