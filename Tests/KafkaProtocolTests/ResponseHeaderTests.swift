import KafkaProtocol
import NIOCore
import Testing

struct ResponseHeaderTests {
    @Test func version0IsTheCorrelationIDOnly() throws {
        var out = ByteBuffer()
        ResponseHeader(correlationID: 0x0102_0304).encode(into: &out, headerVersion: 0)
        #expect(out.bytes == [1, 2, 3, 4])
        var input = out
        #expect(try ResponseHeader(from: &input, headerVersion: 0).correlationID == 0x0102_0304)
        #expect(input.readableBytes == 0)
    }

    @Test func version1AddsATagBuffer() throws {
        var out = ByteBuffer()
        ResponseHeader(correlationID: -1).encode(into: &out, headerVersion: 1)
        #expect(out.bytes == [0xFF, 0xFF, 0xFF, 0xFF, 0x00])
        var tagged = ByteBuffer(bytes: [0, 0, 0, 9, 0x01, 0x00, 0x02, 0xAB, 0xCD, 0x77])
        #expect(try ResponseHeader(from: &tagged, headerVersion: 1).correlationID == 9)
        #expect(tagged.bytes == [0x77])
    }

    @Test func goldenResponsesCarryCorrelationSeven() throws {
        for sample in ReferenceVectors.wireSamples where !sample.isRequest {
            var frame = sample.frame
            let header = try ResponseHeader(from: &frame, headerVersion: 0)
            #expect(header.correlationID == 7, "\(sample.name)")
        }
    }

    @Test func truncatedThrows() {
        var short = ByteBuffer(bytes: [0, 0, 7])
        #expect(throws: KafkaProtocolError.truncated(field: "ResponseHeader.correlation_id")) {
            try ResponseHeader(from: &short, headerVersion: 0)
        }
    }
}
