import Synchronization
import Logging
import NIOCore

/// The open client connections: admits new ones (allow-list, connection limit), and drains them
/// all at graceful shutdown.
public final class ConnectionRegistry: Sendable {
    /// Why a new connection was refused.
    public enum Refusal: Sendable, Equatable {
        /// Its address is outside every `allow-networks` entry.
        case network
        /// `max-connections` are open.
        case limit
    }

    private let allowedNetworks: [ClientNetwork]
    private let maxConnections: Int
    private let metrics: BrokerMetrics
    private let logger: Logger
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    public init(allowedNetworks: [ClientNetwork], maxConnections: Int, metrics: BrokerMetrics, logger: Logger) {
        self.allowedNetworks = allowedNetworks
        self.maxConnections = maxConnections
        self.metrics = metrics
        self.logger = logger
    }

    /// Open connections.
    public var count: Int { channels.withLock { $0.count } }

    /// Admits `channel` (tracking it until it closes) or says why not; a refused channel is
    /// counted and logged, and the caller closes it.
    public func admit(_ channel: any Channel) -> Refusal? {
        let peer = channel.remoteAddress
        guard ClientNetwork.allows(peer, networks: allowedNetworks) else {
            metrics.rejectedByNetwork.increment()
            logger.info(
                "refused a connection from outside allow-networks",
                metadata: ["peer": "\(peer.map { "\($0)" } ?? "?")"]
            )
            return .network
        }
        let key = ObjectIdentifier(channel)
        let admitted = channels.withLock { channels in
            guard channels.count < maxConnections else { return false }
            channels[key] = channel
            return true
        }
        guard admitted else {
            metrics.rejectedByLimit.increment()
            logger.info(
                "refused a connection: max-connections reached",
                metadata: ["peer": "\(peer.map { "\($0)" } ?? "?")"]
            )
            return .limit
        }
        metrics.acceptedConnections.increment()
        metrics.openConnections.record(count)
        channel.closeFuture.whenComplete { _ in
            self.channels.withLock { channels in channels[key] = nil }
            self.metrics.openConnections.record(self.count)
        }
        return nil
    }

    /// Asks every connection to finish what it was sent and close (`ChannelShouldQuiesceEvent`),
    /// and returns once all are closed.
    public func drain() async {
        let open = channels.withLock { Array($0.values) }
        for channel in open {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        for channel in open {
            try? await channel.closeFuture.get()
        }
    }

    /// Closes every connection at once (a shutdown that ran out of time).
    public func closeAll() {
        let open = channels.withLock { Array($0.values) }
        for channel in open { channel.close(promise: nil) }
    }
}
