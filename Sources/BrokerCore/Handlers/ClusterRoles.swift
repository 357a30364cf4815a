import KafkaProtocol

/// What this broker answers for under a `ClusterMap` (without one: everything).
extension RequestDispatcher {
    /// Whether this broker leads `partition` (of any topic): only then does it take produce,
    /// fetch and list-offsets requests for it; the others get NOT_LEADER_OR_FOLLOWER, and
    /// clients refresh Metadata and go to the leader.
    func leads(_ partition: Int32) -> Bool {
        configuration.clusterMap.map { $0.leader(of: partition).id == configuration.nodeID } ?? true
    }

    /// Whether this broker coordinates groups (the lowest id of the map): group requests sent
    /// elsewhere get NOT_COORDINATOR, and clients ask FindCoordinator again.
    var coordinatesGroups: Bool {
        configuration.clusterMap.map { $0.coordinator.id == configuration.nodeID } ?? true
    }

    /// The host and port clients reach `broker` at: its entry in the map (ours too, so every
    /// broker of the map tells clients the same addresses), or without a map ourselves at the
    /// advertised host and the bound port.
    func address(of broker: ClusterMap.Broker?) -> (host: String, port: Int32) {
        if let broker { return (broker.host, Int32(broker.port)) }
        return (configuration.effectiveAdvertisedHost, Int32(node.advertisedPort))
    }
}
