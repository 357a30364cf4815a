import KafkaProtocol
import NIOCore
import Testing

struct MetadataRequestTests {
    @Test func goldenOneTopic() throws {
        let (header, request, _) = try goldenRequestBody("MetadataRequest_v4_one_topic", as: MetadataRequest.self)
        #expect(header.apiVersion == 4)
        #expect(request == MetadataRequest(topics: ["t"], allowAutoTopicCreation: false))
    }

    /// `kcat -L`: a null topics array at v4 means all topics.
    @Test func goldenAllTopicsIsNull() throws {
        let (_, request, body) = try goldenRequestBody(
            "MetadataRequest_v4_all_topics(null array)",
            as: MetadataRequest.self
        )
        #expect(request.topics == nil)
        #expect(request.allowAutoTopicCreation)
        #expect(body == [0xFF, 0xFF, 0xFF, 0xFF, 0x01])
    }

    /// v0 has no null array: empty asks for every topic, and "no topic" cannot be said.
    @Test func version0EmptyArrayMeansAllTopics() throws {
        #expect(try decodedBody(MetadataRequest.self, [0, 0, 0, 0], version: 0).topics == nil)
        #expect(try encodedBody(MetadataRequest(topics: nil), version: 0) == [0, 0, 0, 0])
        #expect(throws: KafkaProtocolError.self) { try encodedBody(MetadataRequest(topics: []), version: 0) }
        #expect(try decodedBody(MetadataRequest.self, [0, 0, 0, 1, 0, 1, 0x74], version: 0).topics == ["t"])
    }

    @Test func emptyArrayMeansNoTopics() throws {
        let request = try decodedBody(MetadataRequest.self, [0, 0, 0, 0], version: 1)
        #expect(request.topics == [])
    }

    /// v1–v3 have no allow_auto_topic_creation byte and mean `true`.
    @Test func versionsBefore4OmitAutoCreation() throws {
        let request = MetadataRequest(topics: ["a", "b"], allowAutoTopicCreation: false)
        #expect(try encodedBody(request, version: 3) == [0, 0, 0, 2, 0, 1, 0x61, 0, 1, 0x62])
        try expectRoundTrip(request) { request, version in
            var expected = request
            if version < 4 { expected.allowAutoTopicCreation = true }
            return expected
        }
        expectVersionsOutsideRangeRejected(request)
    }
}
