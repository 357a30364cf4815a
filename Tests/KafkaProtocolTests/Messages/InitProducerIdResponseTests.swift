import KafkaProtocol
import NIOCore
import Testing

struct InitProducerIdResponseTests {
    @Test func goldenV0() throws {
        let (response, body) = try goldenResponseBody("InitProducerIdResponse_v0", as: InitProducerIdResponse.self)
        let expected = InitProducerIdResponse(producerID: 1000, producerEpoch: 0)
        #expect(response == expected)
        #expect(try encodedBody(expected, version: 0) == body)
        try expectRoundTrip(
            InitProducerIdResponse(throttleTimeMs: 3, errorCode: .unknownServerError, producerID: -1, producerEpoch: -1)
        )
        expectVersionsOutsideRangeRejected(expected)
    }
}
