import KafkaProtocol

/// Which broker a request goes to: the one the client was given (`bootstrap`), or a broker
/// Metadata named by node id.
public enum BrokerRoute: Hashable, Sendable, CustomStringConvertible {
    case bootstrap
    case node(Int32)

    public var description: String {
        switch self {
        case .bootstrap: "bootstrap"
        case .node(let id): "broker \(id)"
        }
    }
}

/// `host:port` of a broker, as given or as advertised in Metadata.
public struct BrokerAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// The client's picture of the cluster, from its last Metadata answers: which brokers exist,
/// where they listen, and which one leads each partition. Pure state; ``KafkaClient`` refreshes
/// it and decides when.
///
/// A broker is reached over the bootstrap connection, rather than at its advertised address,
/// when it advertises the bootstrap address itself or when it is the only broker there is: a
/// single broker (ours, or a one-node Kafka in a container) often advertises a name the client
/// cannot resolve, and one broker has nothing to route anyway. So a single-broker setup keeps
/// using exactly the one connection it always used.
public struct ClusterView: Sendable, Equatable {
    public let bootstrap: BrokerAddress
    public private(set) var brokers: [Int32: BrokerAddress] = [:]
    /// Leader node id per partition of every topic Metadata described; -1: none right now.
    public private(set) var leaders: [TopicPartition: Int32] = [:]
    /// Topics whose routes are suspect (a NOT_LEADER answer, a lost connection): refreshed
    /// before the next request routed by them, no more often than the client's interval.
    public private(set) var stale = Set<String>()

    public init(bootstrap: BrokerAddress) {
        self.bootstrap = bootstrap
    }

    /// Takes in a Metadata answer: the broker list replaces the old one (a broker no longer
    /// listed is gone); each described topic's leaders replace its old ones.
    public mutating func update(from metadata: MetadataResponse) {
        if !metadata.brokers.isEmpty {
            brokers = Dictionary(
                metadata.brokers.map { ($0.nodeID, BrokerAddress(host: $0.host, port: Int($0.port))) },
                uniquingKeysWith: { _, last in last })
        }
        for topic in metadata.topics {
            leaders = leaders.filter { $0.key.topic != topic.name }
            stale.remove(topic.name)
            guard topic.errorCode == .none else { continue }
            for partition in topic.partitions {
                leaders[TopicPartition(topic: topic.name, partition: partition.partitionIndex)] = partition.leaderID
            }
        }
    }

    /// Learns one broker's address outside Metadata (FindCoordinator names one).
    public mutating func learn(node: Int32, at address: BrokerAddress) {
        if brokers[node] == nil { brokers[node] = address }
    }

    public mutating func markStale(_ topic: String) {
        stale.insert(topic)
    }

    public func isStale(_ topic: String) -> Bool { stale.contains(topic) }

    /// The route to the partition's leader, `nil` when Metadata did not name a live one.
    public func route(to partition: TopicPartition) -> BrokerRoute? {
        guard let leader = leaders[partition], leader >= 0 else { return nil }
        return route(toNode: leader)
    }

    /// The route to broker `node`, `nil` when its address is unknown.
    public func route(toNode node: Int32) -> BrokerRoute? {
        guard let address = brokers[node] else { return nil }
        if address == bootstrap || brokers.count == 1 { return .bootstrap }
        return .node(node)
    }

    /// Where `route` connects to.
    public func address(of route: BrokerRoute) -> BrokerAddress? {
        switch route {
        case .bootstrap: bootstrap
        case .node(let id): brokers[id]
        }
    }

    /// Every route worth trying when any broker will do: the bootstrap first, then the known
    /// brokers (in node order) that are not reached over it.
    public var everyRoute: [BrokerRoute] {
        [.bootstrap]
            + brokers.keys.sorted().compactMap { node in
                let route = route(toNode: node)
                return route == .bootstrap ? nil : route
            }
    }
}
