/// A producer id and epoch from InitProducerId: the identity the broker de-duplicates an
/// idempotent producer's batches under (DESIGN §10.2).
public struct ProducerIdentity: Sendable, Hashable {
    public var producerID: Int64
    public var epoch: Int16

    public init(producerID: Int64, epoch: Int16) {
        self.producerID = producerID
        self.epoch = epoch
    }
}
