import KafkaProtocol
import NIOCore

extension RequestDispatcher {
    /// FindCoordinator: one broker coordinates every group — this one, or under a cluster map
    /// the map's lowest id (README §5). Transaction coordinators (key type 1) do not exist here.
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
                errorCode: answered(.coordinatorNotAvailable),
                errorMessage: "transactions are not supported",
                nodeID: -1,
                host: "",
                port: -1
            )
        }
        return .response(try frame(response, answering: request.header))
    }
}
