import KafkaProtocol
import NIOCore
import Testing

struct ProduceResponseTests {
    @Test func goldenV3() throws {
        let (response, body) = try goldenResponseBody("ProduceResponse_v3", as: ProduceResponse.self)
        let expected = ProduceResponse(
            topics: [ProduceResponse.Topic(name: "t", partitions: [ProduceResponse.Partition(index: 0, baseOffset: 0)])]
        )
        #expect(response == expected)
        #expect(try encodedBody(expected, version: 3) == body)
    }

    /// v5+ add log_start_offset after log_append_time_ms.
    @Test func version5AddsLogStartOffset() throws {
        let response = ProduceResponse(
            topics: [
                ProduceResponse.Topic(
                    name: "t",
                    partitions: [
                        ProduceResponse.Partition(
                            index: 1,
                            errorCode: .corruptMessage,
                            baseOffset: 258,
                            logAppendTimeMs: -1,
                            logStartOffset: 7
                        )
                    ]
                )
            ],
            throttleTimeMs: 2
        )
        let common: [UInt8] = [0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 1, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 1, 2]
        let appendTime: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        let logStart: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 7]
        let throttle: [UInt8] = [0, 0, 0, 2]
        #expect(try encodedBody(response, version: 4) == common + appendTime + throttle)
        #expect(try encodedBody(response, version: 5) == common + appendTime + logStart + throttle)
        try expectRoundTrip(response) { response, version in
            var expected = response
            if version < 5 { expected.topics[0].partitions[0].logStartOffset = -1 }
            return expected
        }
        expectVersionsOutsideRangeRejected(response)
    }
}
