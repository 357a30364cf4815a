// TEMPORARY (branch consumer-group): the lead adds the real `coordinatorConnection(group:)`
// with FindCoordinator routing to KafkaClient; delete this file on merge.

extension KafkaClient {
    /// The connection to `group`'s coordinator. Stub: the bootstrap broker's connection (the
    /// edgelog broker coordinates every group itself).
    public func coordinatorConnection(group: String) async throws(KafkaClientError) -> KafkaConnection {
        try await connection()
    }
}
