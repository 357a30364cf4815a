import KafkaProtocol
import NIOCore
import Testing

struct InitProducerIdRequestTests {
    @Test func goldenV0() throws {
        let (_, request, _) = try goldenRequestBody("InitProducerIdRequest_v0", as: InitProducerIdRequest.self)
        #expect(request == InitProducerIdRequest(transactionalID: nil, transactionTimeoutMs: -1))
    }

    @Test func versionsShareOneLayout() throws {
        let request = InitProducerIdRequest(transactionalID: "tx", transactionTimeoutMs: 60_000)
        #expect(try encodedBody(request, version: 0) == [0, 2, 0x74, 0x78, 0, 0, 0xEA, 0x60])
        #expect(try encodedBody(request, version: 1) == [0, 2, 0x74, 0x78, 0, 0, 0xEA, 0x60])
        try expectRoundTrip(request)
        expectVersionsOutsideRangeRejected(request)
    }
}
