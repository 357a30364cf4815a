/// The client's connection state for one broker route: the open connection, the attempt under
/// way (shared by every caller that needs this broker meanwhile), and the backoff that spaces
/// failed attempts. Kept per broker so that one broker being down never delays requests to the
/// others.
struct BrokerLink {
    var current: KafkaConnection?
    /// The cluster id the broker reported on ``current`` (when the client identifies clusters).
    var clusterID: String?
    var attempt: Task<KafkaConnection, any Error>?
    var backoff: ReconnectBackoff
    /// No new attempt before this instant (set after a failure).
    var notBefore: ContinuousClock.Instant?

    init(backoff: ReconnectBackoff) {
        self.backoff = backoff
    }

    /// The connection, when it is still open.
    var live: KafkaConnection? {
        guard let current, current.isActive else { return nil }
        return current
    }

    /// Whether a new attempt would have to wait out the backoff first.
    func isBackingOff(at now: ContinuousClock.Instant) -> Bool {
        guard attempt == nil, let notBefore else { return false }
        return notBefore > now
    }
}
