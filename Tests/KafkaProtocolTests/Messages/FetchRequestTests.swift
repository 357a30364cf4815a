import KafkaProtocol
import NIOCore
import Testing

struct FetchRequestTests {
    @Test func goldenV4() throws {
        let (header, request, _) = try goldenRequestBody("FetchRequest_v4", as: FetchRequest.self)
        #expect(header.apiVersion == 4)
        let expected = FetchRequest(
            replicaID: -1,
            maxWaitMs: 500,
            minBytes: 1,
            maxBytes: 52_428_800,
            isolationLevel: 0,
            topics: [
                FetchRequest.Topic(
                    name: "t",
                    partitions: [FetchRequest.Partition(partition: 0, fetchOffset: 0, partitionMaxBytes: 1_048_576)]
                )
            ]
        )
        #expect(request == expected)
    }

    /// v5 inserts log_start_offset between fetch_offset and partition_max_bytes.
    @Test func version5AddsLogStartOffset() throws {
        let request = FetchRequest(
            maxWaitMs: 1,
            minBytes: 2,
            maxBytes: 3,
            isolationLevel: 1,
            topics: [
                FetchRequest.Topic(
                    name: "t",
                    partitions: [
                        FetchRequest.Partition(partition: 4, fetchOffset: 5, logStartOffset: 6, partitionMaxBytes: 7)
                    ]
                )
            ]
        )
        let head: [UInt8] = [
            0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 1, 0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 1, 0, 0, 0,
            4,
        ]
        let fetchOffset: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 5]
        let logStart: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 6]
        let maxBytes: [UInt8] = [0, 0, 0, 7]
        #expect(try encodedBody(request, version: 4) == head + fetchOffset + maxBytes)
        #expect(try encodedBody(request, version: 5) == head + fetchOffset + logStart + maxBytes)
        #expect(try encodedBody(request, version: 6) == head + fetchOffset + logStart + maxBytes)
        try expectRoundTrip(request) { request, version in
            var expected = request
            if version < 5 { expected.topics[0].partitions[0].logStartOffset = -1 }
            return expected
        }
        expectVersionsOutsideRangeRejected(request)
    }

    /// v7–v11 field by field as FetchRequest.json places them: session_id and session_epoch after
    /// isolation_level (v7), current_leader_epoch before fetch_offset (v9), forgotten_topics_data
    /// after the topics (v7), rack_id last (v11); v8 and v10 change nothing on the wire.
    @Test func versions7To11AddSessionLeaderEpochAndRack() throws {
        let request = FetchRequest(
            maxWaitMs: 1,
            minBytes: 2,
            maxBytes: 3,
            isolationLevel: 1,
            sessionID: 8,
            sessionEpoch: 9,
            topics: [
                FetchRequest.Topic(
                    name: "t",
                    partitions: [
                        FetchRequest.Partition(
                            partition: 4, currentLeaderEpoch: 10, fetchOffset: 5, logStartOffset: 6,
                            partitionMaxBytes: 7)
                    ]
                )
            ],
            forgottenTopics: [FetchRequest.ForgottenTopic(name: "f", partitions: [1, 2])],
            rackID: "r1"
        )
        let head: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 1]
        let session: [UInt8] = [0, 0, 0, 8, 0, 0, 0, 9]
        let topic: [UInt8] = [0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 1, 0, 0, 0, 4]
        let leaderEpoch: [UInt8] = [0, 0, 0, 10]
        let rest: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 7]
        let forgotten: [UInt8] = [0, 0, 0, 1, 0, 1, 0x66, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2]
        let rack: [UInt8] = [0, 2, 0x72, 0x31]
        #expect(try encodedBody(request, version: 6) == head + topic + rest)
        #expect(try encodedBody(request, version: 7) == head + session + topic + rest + forgotten)
        #expect(try encodedBody(request, version: 8) == head + session + topic + rest + forgotten)
        #expect(try encodedBody(request, version: 9) == head + session + topic + leaderEpoch + rest + forgotten)
        #expect(try encodedBody(request, version: 10) == head + session + topic + leaderEpoch + rest + forgotten)
        #expect(
            try encodedBody(request, version: 11) == head + session + topic + leaderEpoch + rest + forgotten + rack)
        try expectRoundTrip(request) { request, version in
            var expected = request
            if version < 5 { expected.topics[0].partitions[0].logStartOffset = -1 }
            if version < 7 {
                expected.sessionID = FetchRequest.noSessionID
                expected.sessionEpoch = FetchRequest.finalSessionEpoch
                expected.forgottenTopics = []
            }
            if version < 9 { expected.topics[0].partitions[0].currentLeaderEpoch = -1 }
            if version < 11 { expected.rackID = "" }
            return expected
        }
        expectVersionsOutsideRangeRejected(request)
    }

    /// librdkafka writes a null rack_id (length -1) when `client.rack` is unset; it is read as "".
    @Test func nullRackIDReadsAsEmpty() throws {
        let body: [UInt8] =
            [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0]
            + [0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]  // session 0, epoch -1
            + [0, 0, 0, 0]  // no topics
            + [0, 0, 0, 0]  // no forgotten topics
            + [0xFF, 0xFF]  // rack_id null
        let request = try decodedBody(FetchRequest.self, body, version: 11)
        #expect(request.rackID == "")
        #expect(request.sessionID == FetchRequest.noSessionID)
        #expect(request.isFullFetch)
    }

    /// KIP-227 `FetchMetadata.isFull`: epochs 0 and -1 are full fetches, any other incremental.
    @Test(arguments: [(Int32(0), true), (-1, true), (1, false), (7, false), (-2, false)])
    func fullFetchIsEpochZeroOrMinusOne(epoch: Int32, full: Bool) {
        let request = FetchRequest(maxWaitMs: 0, minBytes: 0, sessionID: 5, sessionEpoch: epoch, topics: [])
        #expect(request.isFullFetch == full)
    }
}
