import KafkaProtocol
import NIOCore

extension RequestDispatcher {
    /// OffsetFetch: the committed offsets of the partitions asked for, or of every partition the
    /// group committed when the list is null (v2+). Nothing committed is offset -1, metadata ""
    /// and no error (README §5). In memory only, so it runs on the event loop.
    func offsetFetch(_ request: KafkaRequest) throws -> DispatchOutcome {
        var body = request.body
        let decoded = try OffsetFetchRequest(from: &body, version: request.header.apiVersion)
        let store = node.committedOffsets
        guard coordinatesGroups else {
            // v2+ carry a top-level error; v1 answers per partition.
            let topics = (decoded.topics ?? []).map { topic in
                OffsetFetchResponse.Topic(
                    name: topic.name,
                    partitions: topic.partitionIndexes.map {
                        OffsetFetchResponse.Partition(
                            partitionIndex: $0, committedOffset: -1, metadata: "", errorCode: .notCoordinator)
                    })
            }
            return .response(
                try frame(
                    OffsetFetchResponse(topics: topics, errorCode: answered(.notCoordinator)), answering: request.header))
        }
        var topics: [OffsetFetchResponse.Topic] = []
        if let requested = decoded.topics {
            for topic in requested {
                let partitions = topic.partitionIndexes.map { index in
                    let commit = store.committed(group: decoded.groupID, topic: topic.name, partition: index)
                    return OffsetFetchResponse.Partition(
                        partitionIndex: index,
                        committedOffset: commit?.offset ?? -1,
                        metadata: commit == nil ? "" : commit?.metadata
                    )
                }
                topics.append(OffsetFetchResponse.Topic(name: topic.name, partitions: partitions))
            }
        } else {
            let all = store.committed(group: decoded.groupID)
            for name in all.keys.sorted() {
                let partitions = (all[name] ?? [:]).sorted { $0.key < $1.key }.map { index, commit in
                    OffsetFetchResponse.Partition(
                        partitionIndex: index,
                        committedOffset: commit.offset,
                        metadata: commit.metadata
                    )
                }
                topics.append(OffsetFetchResponse.Topic(name: name, partitions: partitions))
            }
        }
        return .response(try frame(OffsetFetchResponse(topics: topics), answering: request.header))
    }
}
