import KafkaProtocol
import NIOCore
import Testing

struct RequestHeaderTests {
    @Test func version1FromGoldenApiVersionsV0() throws {
        var frame = ReferenceVectors.wireSample("ApiVersionsRequest_v0").frame
        let header = try RequestHeader(from: &frame)
        #expect(header == RequestHeader(apiKey: .apiVersions, apiVersion: 0, correlationID: 7, clientID: "tester"))
        #expect(header.headerVersion == 1)
        #expect(frame.readableBytes == 0)
    }

    /// Flexible (v2) headers: client_id keeps its int16 length, then a tag buffer is skipped.
    @Test(arguments: ["ApiVersionsRequest_v3", "ApiVersionsRequest_v4"])
    func version2FromGoldenProbes(_ name: String) throws {
        let sample = ReferenceVectors.wireSample(name)
        var frame = sample.frame
        let header = try RequestHeader(from: &frame)
        #expect(header.apiKey == .apiVersions)
        #expect(header.apiVersion == sample.version)
        #expect(header.correlationID == 7)
        #expect(header.clientID == "tester")
        #expect(header.headerVersion == 2)
        // The body starts with COMPACT_STRING "tester": length+1 = 7.
        #expect(frame.bytes == [0x07] + Array("tester".utf8) + [0x04] + Array("1.0".utf8) + [0x00])
    }

    @Test func version2SkipsUnknownTaggedFields() throws {
        // api 18 v3, corr 1, client_id null, then 2 tagged fields: (tag 5, 3 bytes), (tag 300, 0 bytes).
        var buffer = ByteBuffer(bytes: [
            0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0xFF, 0xFF,
            0x02, 0x05, 0x03, 0xAA, 0xBB, 0xCC, 0xAC, 0x02, 0x00,
            0x42,
        ])
        let header = try RequestHeader(from: &buffer)
        #expect(header == RequestHeader(apiKey: .apiVersions, apiVersion: 3, correlationID: 1, clientID: nil))
        #expect(buffer.bytes == [0x42])
    }

    @Test func truncatedTaggedFieldThrows() {
        var buffer = ByteBuffer(bytes: [
            0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0xFF, 0xFF, 0x01, 0x05, 0x09, 0xAA,
        ])
        #expect(throws: KafkaProtocolError.self) { try RequestHeader(from: &buffer) }
    }

    @Test func unknownApiKeyIsReadAsVersion1() throws {
        var buffer = ByteBuffer(bytes: [0x7F, 0x00, 0x00, 0x63, 0x00, 0x00, 0x00, 0x09, 0x00, 0x01, 0x78, 0x00])
        let header = try RequestHeader(from: &buffer)
        #expect(header.apiKeyCode == 0x7F00)
        #expect(header.apiKey == nil)
        #expect(header.apiVersion == 99)
        #expect(header.clientID == "x")
        #expect(buffer.bytes == [0x00])  // no tag buffer consumed
    }

    @Test func groupApiHeaderParses() throws {
        var frame = ReferenceVectors.wireSample("HeartbeatRequest_v0").frame
        let header = try RequestHeader(from: &frame)
        #expect(header.apiKey == .heartbeat)
        #expect(header.correlationID == 7)
    }

    @Test func negativeClientIDLengthOtherThanNullThrows() {
        var buffer = ByteBuffer(bytes: [0x00, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0xFF, 0xFE])
        #expect(throws: KafkaProtocolError.invalidLength(field: "RequestHeader.client_id", length: -2)) {
            try RequestHeader(from: &buffer)
        }
    }

    @Test func encodesBothVersions() throws {
        var v1 = ByteBuffer()
        try RequestHeader(apiKey: .metadata, apiVersion: 4, correlationID: 258, clientID: nil).encode(into: &v1)
        #expect(v1.bytes == [0x00, 0x03, 0x00, 0x04, 0x00, 0x00, 0x01, 0x02, 0xFF, 0xFF])
        var v2 = ByteBuffer()
        try RequestHeader(apiKey: .apiVersions, apiVersion: 3, correlationID: 1, clientID: "c").encode(into: &v2)
        #expect(v2.bytes == [0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x63, 0x00])
    }
}
