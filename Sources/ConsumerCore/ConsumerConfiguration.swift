import EdgelogConfiguration
import Foundation
import PostgresSink

/// Everything the consumer needs to run, validated. Built from the runtime configuration by
/// `init(resolved:)` (`ConsumerConfiguration+Keys.swift` lists the keys) or directly by tests.
public struct ConsumerConfiguration: Sendable {
    /// The broker, `host:port`.
    public var broker: String
    /// The topic the shipper writes.
    public var topic: String
    /// libpq connection strings; the position in the list is the shard id (DESIGN §6). Never
    /// logged as given: they may hold passwords (see `PGConninfo.redacted`).
    public var shards: [String]
    /// The partitions to consume; `nil` = every partition of the topic.
    public var partitions: [Int32]?
    /// How often pending deltas are cut and written (one transaction per shard).
    public var flushInterval: Duration
    /// A request older than its partition's watermark minus this is counted as rejected-late.
    public var lateness: Duration
    /// Kafka group the minimum progress over shards is committed under (lag tools, retention);
    /// with ``joinsGroup``, also the group whose assignment decides the partitions.
    public var group: String
    /// Whether the consumer is a member of ``group`` and consumes the partitions the group
    /// assigns it (`partitions` is then `nil`). From the command line: `group` was given
    /// explicitly and `partitions` was not; the default group keeps the static behaviour.
    public var joinsGroup: Bool
    /// As a group member: silence after which the broker drops this member and rebalances.
    public var groupSessionTimeout: Duration
    /// Pending (minute, site) rows, over all partitions and shards, above which fetching pauses
    /// until writers catch up (a shard that is down holds its rows here).
    public var maxPendingRows: Int
    /// Largest Fetch answer per partition.
    public var fetchMaxBytes: Int
    /// Longest wait between attempts to reach a shard or the broker.
    public var retryBackoffMax: Duration
    /// Minute rows older than this are dropped by whole day partitions; zero keeps them.
    public var minuteRetention: Duration
    /// Sites per minute with rows of their own (`SiteAdmission`); `nil` = no cap.
    public var siteCap: Int?
    /// Whether unique-IP and top-talker sketches are kept.
    public var sketches: Bool
    /// Whether requests are classified by `AttackDetector` and counted per class.
    public var detectAttacks: Bool
    /// Classified requests sampled per (minute, site, class) and shard (0: none).
    public var attackSamples: Int
    /// Testing only: time each shard transaction stays open before COMMIT, so a test can kill
    /// the consumer while one is open. Zero in production.
    public var commitDelay: Duration

    public init(
        broker: String,
        topic: String = Keys.topic.defaultValue,
        shards: [String],
        partitions: [Int32]? = nil,
        flushInterval: Duration = Keys.flushInterval.defaultDuration,
        lateness: Duration = Keys.lateness.defaultDuration,
        group: String = Keys.group.defaultValue,
        maxPendingRows: Int = Keys.maxPendingRows.defaultInt,
        fetchMaxBytes: Int = Keys.fetchMaxBytes.defaultBytes,
        retryBackoffMax: Duration = Keys.retryBackoffMax.defaultDuration,
        minuteRetention: Duration = Keys.minuteRetention.defaultDuration,
        siteCap: Int? = siteCap(Keys.siteCap.defaultInt),
        sketches: Bool = Keys.sketches.defaultBool,
        detectAttacks: Bool = Keys.detectAttacks.defaultBool,
        attackSamples: Int = Keys.attackSamples.defaultInt,
        commitDelay: Duration = Keys.commitDelay.defaultDuration,
        joinsGroup: Bool = false,
        groupSessionTimeout: Duration = Keys.groupSessionTimeout.defaultDuration
    ) {
        self.joinsGroup = joinsGroup
        self.groupSessionTimeout = groupSessionTimeout
        self.siteCap = siteCap
        self.sketches = sketches
        self.detectAttacks = detectAttacks
        self.attackSamples = attackSamples
        self.broker = broker
        self.topic = topic
        self.shards = shards
        self.partitions = partitions
        self.flushInterval = flushInterval
        self.lateness = lateness
        self.group = group
        self.maxPendingRows = maxPendingRows
        self.fetchMaxBytes = fetchMaxBytes
        self.retryBackoffMax = retryBackoffMax
        self.minuteRetention = minuteRetention
        self.commitDelay = commitDelay
    }

    /// Checks the values that no type can: non-empty lists, positive bounds.
    public func validate() throws(ConsumerConfigurationError) {
        if shards.isEmpty { throw .invalid("shards", "at least one shard connection string is required") }
        for (shard, conninfo) in shards.enumerated() {
            if conninfo.trimmingCharacters(in: .whitespaces).isEmpty { throw .invalid("shards", "shard \(shard): an empty connection string") }
            do {
                _ = try PGConninfo(conninfo)
            } catch {
                // PGConninfoError's text never holds the password (libpq's raw message may).
                throw .invalid("shards", "shard \(shard): \(error)")
            }
        }
        if topic.isEmpty { throw .invalid("topic", "must not be empty") }
        if let partitions {
            if partitions.isEmpty { throw .invalid("partitions", "an empty list; leave it out for every partition") }
            if partitions.contains(where: { $0 < 0 }) { throw .invalid("partitions", "partition ids are >= 0") }
            if Set(partitions).count != partitions.count { throw .invalid("partitions", "a partition is listed twice") }
        }
        if flushInterval <= .zero { throw .invalid("flush-interval", "must be positive") }
        if lateness < .zero { throw .invalid("lateness", "must not be negative") }
        if maxPendingRows < 1_000 { throw .invalid("max-pending-rows", "must be at least 1000") }
        if fetchMaxBytes < 64 * 1024 { throw .invalid("fetch-max-bytes", "must be at least 64KiB") }
        if minuteRetention != .zero && minuteRetention < lateness + .seconds(86_400) {
            throw .invalid("minute-retention", "must exceed lateness by at least a day (late rows need their minute partition), or be 0")
        }
        if group.isEmpty { throw .invalid("group", "must not be empty") }
        if joinsGroup && partitions != nil {
            throw .invalid("partitions", "a group member takes its partitions from the group's assignment")
        }
        if joinsGroup && !(Duration.seconds(1)...Duration.seconds(1800)).contains(groupSessionTimeout) {
            throw .invalid("group-session-timeout", "must be within 1s...30m (what a coordinator accepts)")
        }
        if let siteCap, siteCap < 1 { throw .invalid("site-cap", "must be 0 (no cap) or a positive number of sites") }
        if attackSamples < 0 || attackSamples > 1_000 { throw .invalid("attack-samples", "must be within 0...1000") }
    }
}

/// A setting that parsed but makes no sense.
public enum ConsumerConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(_ key: String, _ reason: String)

    public var description: String {
        switch self {
        case .invalid(let key, let reason): "--\(key): \(reason)"
        }
    }
}

