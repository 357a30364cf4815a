import KafkaProtocol
import NIOCore

extension RequestDispatcher {
    /// FindCoordinator: a single node coordinates every group, so the answer is always this
    /// broker (README §5). Transaction coordinators (key type 1) do not exist here.
    func findCoordinator(_ request: KafkaRequest) throws -> DispatchOutcome {
        var body = request.body
        let decoded = try FindCoordinatorRequest(from: &body, version: request.header.apiVersion)
        let response: FindCoordinatorResponse
        if decoded.keyType == 0 {
            response = FindCoordinatorResponse(
                nodeID: configuration.nodeID,
                host: configuration.effectiveAdvertisedHost,
                port: Int32(node.advertisedPort)
            )
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
