/// A static map of several edgelog brokers (`--cluster-map 0=host:port,1=host:port,...`): how
/// partitions are spread over several collectors, and the rig for clients that follow leaders.
/// There is no replication: each partition lives on exactly one broker, its leader.
///
/// Rules every broker of the map applies alike, so they agree without talking to each other:
/// - partition `p` of every topic is led by the `p % n`-th broker in ascending id order;
/// - the broker with the lowest id is the group coordinator and the controller.
/// Every broker must be started with the same map, the same `default-partitions` and the same
/// `cluster-id` (the consumer refuses progress written against another cluster id).
public struct ClusterMap: Sendable, Equatable {
    public struct Broker: Sendable, Equatable {
        public var id: Int32
        public var host: String
        public var port: Int
    }

    /// Ascending by id, ids unique.
    public let brokers: [Broker]

    /// Parses `0=127.0.0.1:9092,1=127.0.0.1:9093`; an IPv6 address goes in brackets
    /// (`2=[2001:db8::7]:9092`).
    /// - Throws: `BrokerError` (`.invalidConfiguration`) naming the entry that does not parse,
    ///   a duplicate id or an empty map.
    public init(parsing text: String) throws {
        var brokers: [Broker] = []
        for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let parts = entry.split(separator: "=", maxSplits: 1)
            let address = parts.count == 2 ? Self.hostAndPort(parts[1]) : nil
            guard parts.count == 2, let id = Int32(parts[0]), id >= 0, let address, !address.host.isEmpty,
                let port = Int(address.port), (1...65_535).contains(port)
            else {
                throw BrokerError(
                    code: .invalidConfiguration,
                    message: "cluster-map entry \"\(entry)\" is not <broker id>=<host>:<port> (e.g. 1=10.0.0.2:9092)")
            }
            guard !brokers.contains(where: { $0.id == id }) else {
                throw BrokerError(code: .invalidConfiguration, message: "cluster-map names broker \(id) twice")
            }
            brokers.append(Broker(id: id, host: address.host, port: port))
        }
        guard !brokers.isEmpty else {
            throw BrokerError(code: .invalidConfiguration, message: "cluster-map is empty")
        }
        self.brokers = brokers.sorted { $0.id < $1.id }
    }

    /// `host:port`, or `[v6 address]:port` (the host returned without brackets).
    private static func hostAndPort(_ text: Substring) -> (host: String, port: Substring)? {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            let host = text[text.index(after: text.startIndex)..<close]
            return (String(host), text[text.index(close, offsetBy: 2)...])
        }
        let pieces = text.split(separator: ":", omittingEmptySubsequences: false)
        guard pieces.count == 2 else { return nil }
        return (String(pieces[0]), pieces[1])
    }

    /// The broker that leads `partition` (of any topic).
    public func leader(of partition: Int32) -> Broker {
        brokers[Int(partition.magnitude % UInt32(brokers.count))]
    }

    /// The group coordinator and controller: the lowest id.
    public var coordinator: Broker { brokers[0] }

    public func broker(_ id: Int32) -> Broker? { brokers.first { $0.id == id } }
}
