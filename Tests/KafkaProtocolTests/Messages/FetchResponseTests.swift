import KafkaProtocol
import NIOCore
import Testing

struct FetchResponseTests {
    @Test func goldenV4() throws {
        let (response, body) = try goldenResponseBody("FetchResponse_v4", as: FetchResponse.self)
        let partition = try #require(response.topics.first?.partitions.first)
        #expect(response.throttleTimeMs == 0)
        #expect(response.topics.map(\.name) == ["t"])
        #expect(partition.partitionIndex == 0)
        #expect(partition.errorCode == .none)
        #expect(partition.highWatermark == 2)
        #expect(partition.lastStableOffset == 2)
        #expect(partition.abortedTransactions == [])  // empty, not null
        #expect(partition.records?.bytes == ReferenceVectors.recordBatch("uncompressed").bytes)
        #expect(try encodedBody(response, version: 4) == body)
    }

    @Test func nullAbortedTransactionsAndRecords() throws {
        let response = FetchResponse(
            throttleTimeMs: 1,
            topics: [
                FetchResponse.Topic(
                    name: "t",
                    partitions: [
                        FetchResponse.Partition(
                            partitionIndex: 0,
                            errorCode: .offsetOutOfRange,
                            highWatermark: 9,
                            lastStableOffset: 9,
                            logStartOffset: 3,
                            abortedTransactions: nil,
                            records: nil
                        )
                    ]
                )
            ]
        )
        let head: [UInt8] = [0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]
        let offsets: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 9]
        let logStart: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 3]
        let nulls: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        #expect(try encodedBody(response, version: 4) == head + offsets + nulls)
        #expect(try encodedBody(response, version: 5) == head + offsets + logStart + nulls)
    }

    @Test func everyVersionRoundTrips() throws {
        let response = FetchResponse(
            throttleTimeMs: 4,
            errorCode: .invalidFetchSessionEpoch,
            sessionID: 11,
            topics: [
                FetchResponse.Topic(
                    name: "topic",
                    partitions: [
                        FetchResponse.Partition(
                            partitionIndex: 2,
                            highWatermark: 100,
                            lastStableOffset: 100,
                            logStartOffset: 10,
                            abortedTransactions: [FetchResponse.AbortedTransaction(producerID: 5, firstOffset: 6)],
                            preferredReadReplica: 3,
                            records: ByteBuffer(bytes: ReferenceVectors.recordBatch("uncompressed_idempotent").bytes)
                        )
                    ]
                )
            ]
        )
        try expectRoundTrip(response) { response, version in
            var expected = response
            if version < 5 { expected.topics[0].partitions[0].logStartOffset = -1 }
            if version < 7 {
                expected.errorCode = .none
                expected.sessionID = FetchRequest.noSessionID
            }
            if version < 11 { expected.topics[0].partitions[0].preferredReadReplica = -1 }
            return expected
        }
        expectVersionsOutsideRangeRejected(response)
    }

    /// v7 puts error_code and session_id after throttle_time_ms (v8–v10 are v7 on the wire), v11
    /// preferred_read_replica between aborted_transactions and records (FetchResponse.json).
    @Test func versions7To11AddSessionAndPreferredReadReplica() throws {
        let response = FetchResponse(
            throttleTimeMs: 1,
            errorCode: .fetchSessionIDNotFound,
            sessionID: 12,
            topics: [
                FetchResponse.Topic(
                    name: "t",
                    partitions: [
                        FetchResponse.Partition(
                            partitionIndex: 0,
                            highWatermark: 9,
                            lastStableOffset: 9,
                            logStartOffset: 3,
                            abortedTransactions: nil,
                            preferredReadReplica: 2,
                            records: nil
                        )
                    ]
                )
            ]
        )
        let throttle: [UInt8] = [0, 0, 0, 1]
        let session: [UInt8] = [0, 70, 0, 0, 0, 12]
        let partition: [UInt8] =
            [0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
            + [0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 3]
        let aborted: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF]
        let preferred: [UInt8] = [0, 0, 0, 2]
        let records: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF]
        #expect(try encodedBody(response, version: 6) == throttle + partition + aborted + records)
        for version: Int16 in 7...10 {
            #expect(
                try encodedBody(response, version: version) == throttle + session + partition + aborted + records,
                "v\(version)")
        }
        #expect(
            try encodedBody(response, version: 11) == throttle + session + partition + aborted + preferred + records)
    }
}
