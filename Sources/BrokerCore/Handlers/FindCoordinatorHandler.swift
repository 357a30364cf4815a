import KafkaProtocol
import NIOCore

extension RequestDispatcher {
    /// FindCoordinator: one broker coordinates every group — this one, or under a cluster map
    /// the map's lowest id (README §5). Transaction coordinators (key type 1) do not exist here:
    /// that lookup is refused with TRANSACTIONAL_ID_AUTHORIZATION_FAILED, which librdkafka,
    /// kafka-python, aiokafka and the Java client all treat as fatal, so `init_transactions()`
    /// fails at once with our message. COORDINATOR_NOT_AVAILABLE, answered before, is retriable:
    /// every one of them retried it until its own timeout and then reported only a timeout.
    func findCoordinator(_ request: KafkaRequest) throws -> DispatchOutcome {
        var body = request.body
        let decoded = try FindCoordinatorRequest(from: &body, version: request.header.apiVersion)
        let response: FindCoordinatorResponse
        if decoded.keyType == 0 {
            let coordinator = configuration.clusterMap?.coordinator
            let (host, port) = address(of: coordinator)
            response = FindCoordinatorResponse(nodeID: coordinator?.id ?? configuration.nodeID, host: host, port: port)
        } else {
            response = FindCoordinatorResponse(
                errorCode: answered(.transactionalIDAuthorizationFailed),
                errorMessage: Self.transactionsRefusal,
                nodeID: -1,
                host: "",
                port: -1
            )
        }
        return .response(try frame(response, answering: request.header))
    }

    /// The error message of a refused transaction-coordinator lookup (FindCoordinator v1+ only;
    /// v0 has no message field).
    static let transactionsRefusal = "this broker does not support Kafka transactions; unset transactional.id"
}
