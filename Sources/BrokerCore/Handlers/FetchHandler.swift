import FileStorage
import KafkaProtocol
import NIOCore
import SegmentStore

/// One pass over the partitions of a Fetch: what it would answer now.
struct FetchReadResult: Sendable {
    var response: FetchResponse
    /// Bytes of records in ``response``.
    var recordBytes: Int
    /// Each existing partition with the high watermark seen, for registering a long-poll waiter.
    var observed: [(partition: Partition, highWatermark: Int64)]
    /// Whether a partition answered with an error (then the fetch is answered at once).
    var hasError: Bool

    /// Whether the fetch can be answered now rather than held.
    func satisfies(minBytes: Int32) -> Bool {
        hasError || recordBytes >= Int(max(minBytes, 0))
    }
}

extension RequestDispatcher {
    /// Fetch: whole batches from the one containing `fetch_offset`, read from the segment files
    /// off the event loop, never past the high watermark (``Partition/highWatermark``: the
    /// durable end with fsync=ack, so no consumer reads what a crash can take back; the log end
    /// otherwise). high_watermark = last_stable_offset; OFFSET_OUT_OF_RANGE outside
    /// [log start, log end] (between the high watermark and the log end: no records yet).
    ///
    /// With fewer than `min_bytes` available the request is held (``HeldFetch``) until an append
    /// to one of its partitions or `max_wait_ms` — capped by the broker's own limit — runs out;
    /// the event loop is never blocked meanwhile, and later requests on the connection keep
    /// being processed (their responses queue behind this one).
    ///
    /// Fetch sessions (v7+, KIP-227) are not kept: every answer carries session id 0, which tells
    /// the client it has no session, so it keeps sending full fetches. As in Kafka's
    /// `FetchManager.newContext`, a full fetch (epoch 0 or -1) is served whatever session id it
    /// names (Kafka would close that session; there is none here), and an incremental fetch
    /// (any other epoch) names a session the broker cannot have, so it gets
    /// FETCH_SESSION_ID_NOT_FOUND with no topics (INVALID_FETCH_SESSION_EPOCH is for sessions
    /// that exist). Forgotten topics only edit a session, so they are ignored.
    ///
    /// `current_leader_epoch` (v9+) is not checked: the broker has no leader epochs and gives
    /// out none (Metadata ≤ v4 and ListOffsets ≤ v2 carry no epoch fields, OffsetForLeaderEpoch
    /// is not offered), so a client can only send -1, "unknown", for which Kafka skips the check
    /// too.
    func fetch(_ request: KafkaRequest, on eventLoop: any EventLoop) -> EventLoopFuture<DispatchOutcome> {
        var body = request.body
        let decoded: FetchRequest
        do {
            decoded = try FetchRequest(from: &body, version: request.header.apiVersion)
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        guard decoded.isFullFetch else {
            let refusal = FetchResponse(errorCode: answered(.fetchSessionIDNotFound), topics: [])
            return eventLoop.makeCompletedFuture { .response(try self.frame(refusal, answering: request.header)) }
        }
        let waitMilliseconds = min(Int64(max(decoded.maxWaitMs, 0)), configuration.maxFetchWaitMilliseconds)
        return executor.submit(on: eventLoop) { self.readFetch(decoded) }.flatMapThrowing { result in
            if waitMilliseconds == 0 || result.satisfies(minBytes: decoded.minBytes) {
                return .response(try self.fetchFrame(result, answering: request.header))
            }
            let held = HeldFetch(
                dispatcher: self,
                request: decoded,
                header: request.header,
                waitTime: .milliseconds(waitMilliseconds),
                eventLoop: eventLoop
            )
            return .held(held.start(after: result))
        }
    }

    /// Encodes a fetch answer and counts its bytes.
    func fetchFrame(_ result: FetchReadResult, answering header: RequestHeader) throws -> ByteBuffer {
        metrics.fetchBytes.increment(by: Int64(result.recordBytes))
        return try frame(result.response, answering: header)
    }

    /// Reads every partition of `request` once. Blocking: runs on the storage executor.
    func readFetch(_ request: FetchRequest) -> FetchReadResult {
        var budget = min(Int(max(request.maxBytes, 0)), configuration.maxFetchResponseBytes)
        var result = FetchReadResult(response: FetchResponse(topics: []), recordBytes: 0, observed: [], hasError: false)
        for topic in request.topics {
            var partitions: [FetchResponse.Partition] = []
            for wanted in topic.partitions {
                guard let partition = node.catalog.partition(topic.name, wanted.partition) else {
                    result.hasError = true
                    partitions.append(
                        FetchResponse.Partition(
                            partitionIndex: wanted.partition,
                            errorCode: answered(.unknownTopicOrPartition),
                            highWatermark: -1,
                            lastStableOffset: -1,
                            records: ByteBuffer()
                        )
                    )
                    continue
                }
                guard leads(wanted.partition) else {
                    result.hasError = true
                    partitions.append(
                        FetchResponse.Partition(
                            partitionIndex: wanted.partition,
                            errorCode: answered(.notLeaderOrFollower),
                            highWatermark: -1,
                            lastStableOffset: -1,
                            records: ByteBuffer()
                        )
                    )
                    continue
                }
                partitions.append(read(wanted, from: partition, budget: &budget, into: &result))
            }
            result.response.topics.append(FetchResponse.Topic(name: topic.name, partitions: partitions))
        }
        return result
    }

    /// One partition's answer: its batches from the fetch offset, at most `budget` bytes (less
    /// what they take afterwards), never past the high watermark.
    private func read(
        _ wanted: FetchRequest.Partition,
        from partition: Partition,
        budget: inout Int,
        into result: inout FetchReadResult
    ) -> FetchResponse.Partition {
        let log = partition.log
        let start = log.logStartOffset
        // The high watermark first: it never passes the log end read after it.
        let end = partition.highWatermark
        let logEnd = log.logEndOffset
        result.observed.append((partition, end))
        var answer = FetchResponse.Partition(
            partitionIndex: wanted.partition,
            highWatermark: end,
            lastStableOffset: end,
            logStartOffset: start,
            abortedTransactions: [],
            records: ByteBuffer()
        )
        if wanted.fetchOffset < start || wanted.fetchOffset > logEnd {
            answer.errorCode = answered(.offsetOutOfRange)
            result.hasError = true
            return answer
        }
        let limit = min(Int(max(wanted.partitionMaxBytes, 0)), budget)
        guard limit > 0, wanted.fetchOffset < end else { return answer }
        do {
            let bytes = try log.read(from: wanted.fetchOffset, maxBytes: limit, upTo: end)
            answer.records = ByteBuffer(bytes: bytes)
            result.recordBytes += bytes.count
            budget = max(0, budget - bytes.count)
        } catch let error as StorageError where error.code == .offsetOutOfRange {
            answer.errorCode = answered(.offsetOutOfRange)
            result.hasError = true
        } catch {
            logger.error(
                "fetch read failed",
                metadata: ["topic": "\(partition.topic)", "error": "\(error)"]
            )
            answer.errorCode = answered(.kafkaStorageError)
            result.hasError = true
        }
        return answer
    }
}
