import KafkaProtocol
import NIOCore
import Testing

struct KafkaFrameTests {
    /// A client's request frame, byte for byte kafka-python's.
    @Test func writeRequestMatchesGolden() throws {
        var out = ByteBuffer()
        try KafkaFrame.writeRequest(
            MetadataRequest(topics: ["t"], allowAutoTopicCreation: false),
            version: 4,
            correlationID: 7,
            clientID: "tester",
            into: &out
        )
        #expect(out.bytes == ReferenceVectors.wireSample("MetadataRequest_v4_one_topic").framed)
    }

    /// ApiVersions v3 requests are flexible: header v2 with a tag buffer.
    @Test func flexibleRequestGetsHeaderV2() throws {
        var out = ByteBuffer()
        try KafkaFrame.writeRequest(
            ApiVersionsRequest(clientSoftwareName: "tester", clientSoftwareVersion: "1.0"),
            version: 3,
            correlationID: 7,
            clientID: "tester",
            into: &out
        )
        #expect(out.bytes == ReferenceVectors.wireSample("ApiVersionsRequest_v3").framed)
    }

    @Test func readResponseMatchesGolden() throws {
        var frame = ReferenceVectors.wireSample("FindCoordinatorResponse_v0").frame
        let (header, body) = try KafkaFrame.readResponse(FindCoordinatorResponse.self, version: 0, from: &frame)
        #expect(header.correlationID == 7)
        #expect(body.port == 9092)
    }

    @Test func readRequestChecksTheApiKey() throws {
        var frame = ReferenceVectors.wireSample("FetchRequest_v4").frame
        let (header, body) = try KafkaFrame.readRequest(FetchRequest.self, from: &frame)
        #expect(header.apiVersion == 4)
        #expect(body.maxWaitMs == 500)
        var wrong = ReferenceVectors.wireSample("FetchRequest_v4").frame
        #expect(throws: KafkaProtocolError.unknownApiKey(1)) {
            try KafkaFrame.readRequest(ProduceRequest.self, from: &wrong)
        }
    }

    /// A failed encode leaves earlier frames in the buffer intact and adds nothing.
    @Test func failedEncodeLeavesTheBufferAsItWas() throws {
        var out = ByteBuffer(bytes: [1, 2, 3])
        #expect(throws: KafkaProtocolError.unsupportedVersion(api: .fetch, version: 12)) {
            try KafkaFrame.writeResponse(FetchResponse(topics: []), version: 12, correlationID: 1, into: &out)
        }
        #expect(out.bytes == [1, 2, 3])
        let longName = String(repeating: "x", count: 40_000)
        #expect(throws: KafkaProtocolError.self) {
            try KafkaFrame.writeRequest(
                MetadataRequest(topics: [longName]),
                version: 4,
                correlationID: 1,
                clientID: nil,
                into: &out
            )
        }
        #expect(out.bytes == [1, 2, 3])
    }

    /// Frames written back to back come apart again through the decoder.
    @Test func framesSplitAgain() throws {
        var stream = ByteBuffer()
        for correlationID in Int32(1)...3 {
            try KafkaFrame.writeResponse(
                InitProducerIdResponse(producerID: Int64(correlationID), producerEpoch: 0),
                version: 1,
                correlationID: correlationID,
                into: &stream
            )
        }
        let decoder = KafkaFrameDecoder()
        for correlationID in Int32(1)...3 {
            var frame = try #require(try decoder.nextFrame(&stream))
            let (header, body) = try KafkaFrame.readResponse(InitProducerIdResponse.self, version: 1, from: &frame)
            #expect(header.correlationID == correlationID)
            #expect(body.producerID == Int64(correlationID))
        }
        #expect(stream.readableBytes == 0)
    }
}
