import KafkaProtocol
import NIOCore

extension RequestDispatcher {
    /// InitProducerId for idempotent producers: a fresh id from the durable counter, epoch 0.
    /// Sequence numbers are not checked yet (issue 5). Transactional ids are refused: there is
    /// no transaction coordinator.
    func initProducerId(_ request: KafkaRequest) throws -> DispatchOutcome {
        var body = request.body
        let decoded = try InitProducerIdRequest(from: &body, version: request.header.apiVersion)
        let response: InitProducerIdResponse
        if decoded.transactionalID != nil {
            response = InitProducerIdResponse(errorCode: answered(.invalidRequest), producerID: -1, producerEpoch: -1)
        } else {
            do {
                response = InitProducerIdResponse(producerID: try node.producerIDs.next(), producerEpoch: 0)
            } catch {
                logger.error("cannot reserve producer ids", metadata: ["error": "\(error)"])
                response = InitProducerIdResponse(
                    errorCode: answered(.kafkaStorageError),
                    producerID: -1,
                    producerEpoch: -1
                )
            }
        }
        return .response(try frame(response, answering: request.header))
    }
}
