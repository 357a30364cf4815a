import EdgelogConfiguration
import KafkaProtocol

/// Everything a broker needs to know at start-up, as plain values. Built from the resolved
/// settings by ``init(resolved:)`` (see `BrokerConfiguration+Keys.swift` for the keys and their
/// defaults) or directly by tests.
///
/// Every limit here bounds something a client can make the broker allocate or keep: connections,
/// request size, pipelined requests, topics and partitions (each an open directory of files),
/// consumer groups (each a file), fetch response size, long-poll time.
public struct BrokerConfiguration: Sendable, Equatable {
    /// Address the Kafka listener binds to. Loopback unless told otherwise (DESIGN §4).
    public var listenHost: String
    /// Port the Kafka listener binds to; 0 asks the OS for one (the bound port is logged).
    public var port: Int
    /// Host name written into Metadata and FindCoordinator answers, where clients connect next;
    /// `nil` means ``listenHost`` (which must then be reachable by clients, not `0.0.0.0`).
    public var advertisedHost: String?
    /// Directory of the partition logs, the cluster id, producer ids and committed offsets.
    public var dataDirectory: String
    /// Partitions of an auto-created topic (Kafka's `num.partitions`, default 1).
    public var defaultPartitions: Int
    /// Whether Metadata and Produce for an unknown topic create it.
    public var autoCreateTopics: Bool
    /// Most topics the broker keeps.
    public var maxTopics: Int
    /// Most partitions over all topics (each one is a directory of open segment files).
    public var maxPartitions: Int
    /// Largest request frame (after the 4-byte size prefix); larger ones close the connection.
    public var maxRequestBytes: Int
    /// Client networks allowed to connect; empty allows every address.
    public var allowedNetworks: [ClientNetwork]
    /// Most simultaneous client connections; more are closed at accept.
    public var maxConnections: Int
    /// Requests read from one connection but not yet answered; reading pauses at this many.
    public var maxInFlightRequestsPerConnection: Int
    /// Most bytes of records in one Fetch response, whatever the client asks for.
    public var maxFetchResponseBytes: Int
    /// Longest a Fetch is held waiting for data, whatever `max_wait_ms` the client sends.
    public var maxFetchWaitMilliseconds: Int64
    /// Most consumer groups with committed offsets (each one is a file).
    public var maxGroups: Int
    /// Segment size at which a partition log rolls to a new segment.
    public var segmentBytes: Int
    /// Largest record batch accepted in a Produce request.
    public var maxBatchBytes: Int
    /// Threads doing storage I/O (appends, reads, fsyncs) off the event loops.
    public var storageThreads: Int
    /// Our node id in Metadata, FindCoordinator and as the controller (`broker-id`).
    public var nodeID: Int32
    /// Several brokers (`cluster-map`); `nil`: this broker alone, leading every partition.
    public var clusterMap: ClusterMap?
    /// The cluster id to create the data directory with (`cluster-id`); `nil`: generated.
    public var clusterID: String?
    /// Which admin requests are answered (`admin-requests`).
    public var adminRequests: AdminRequests = .create

    /// Which admin requests the broker answers.
    public enum AdminRequests: String, Sendable {
        /// CreateTopics (a shipper can create its topic with its partition count) and
        /// DeleteGroups (only groups without members; their data stays).
        case create
        /// CreateTopics, DeleteGroups and DeleteTopics.
        case all
        /// None of them (topics come from auto-creation alone, groups stay).
        case off
    }
    /// When partition logs are fsynced and what an acknowledgement promises.
    public var durability: DurabilityPolicy
    /// Segments whose last append is older than this are deleted (whole segments, never the
    /// active one, never above a live group's committed offset); 0 keeps them by age forever.
    /// Producer state (sequences) is kept at least this long after a producer's last append.
    public var retentionMilliseconds: Int64
    /// Per partition, oldest segments are deleted while the partition holds more than this many
    /// bytes (same limits as age); 0 means no size limit.
    public var retentionBytes: Int64
    /// All partitions together may hold at most this many bytes: above it the oldest segments go
    /// even when a live group has not consumed them yet, which is counted as a loss and logged;
    /// 0 means no limit.
    public var diskLimitBytes: Int64
    /// How often retention runs.
    public var retentionCheckIntervalMilliseconds: Int64

    public init(
        listenHost: String = Keys.listenHost.defaultValue,
        port: Int = Keys.port.defaultInt,
        advertisedHost: String? = nil,
        dataDirectory: String,
        defaultPartitions: Int = Keys.defaultPartitions.defaultInt,
        autoCreateTopics: Bool = Keys.autoCreateTopics.defaultBool,
        maxTopics: Int = Keys.maxTopics.defaultInt,
        maxPartitions: Int = Keys.maxPartitions.defaultInt,
        maxRequestBytes: Int = Keys.maxRequestBytes.defaultBytes,
        allowedNetworks: [ClientNetwork] = [],
        maxConnections: Int = Keys.maxConnections.defaultInt,
        maxInFlightRequestsPerConnection: Int = Keys.maxInFlightRequests.defaultInt,
        maxFetchResponseBytes: Int = Keys.maxFetchBytes.defaultBytes,
        maxFetchWaitMilliseconds: Int64 = Keys.maxFetchWait.defaultMilliseconds,
        maxGroups: Int = Keys.maxGroups.defaultInt,
        segmentBytes: Int = Keys.segmentBytes.defaultBytes,
        maxBatchBytes: Int = Keys.maxBatchBytes.defaultBytes,
        storageThreads: Int = Keys.storageThreads.defaultInt,
        nodeID: Int32 = 0,
        durability: DurabilityPolicy = .beforeAck,
        retentionMilliseconds: Int64 = Keys.retention.defaultMilliseconds,
        retentionBytes: Int64 = Int64(Keys.retentionBytes.defaultBytes),
        diskLimitBytes: Int64 = Int64(Keys.diskLimitBytes.defaultBytes),
        retentionCheckIntervalMilliseconds: Int64 = Keys.retentionCheckInterval.defaultMilliseconds
    ) {
        self.listenHost = listenHost
        self.port = port
        self.advertisedHost = advertisedHost
        self.dataDirectory = dataDirectory
        self.defaultPartitions = defaultPartitions
        self.autoCreateTopics = autoCreateTopics
        self.maxTopics = maxTopics
        self.maxPartitions = maxPartitions
        self.maxRequestBytes = maxRequestBytes
        self.allowedNetworks = allowedNetworks
        self.maxConnections = maxConnections
        self.maxInFlightRequestsPerConnection = maxInFlightRequestsPerConnection
        self.maxFetchResponseBytes = maxFetchResponseBytes
        self.maxFetchWaitMilliseconds = maxFetchWaitMilliseconds
        self.maxGroups = maxGroups
        self.segmentBytes = segmentBytes
        self.maxBatchBytes = maxBatchBytes
        self.storageThreads = storageThreads
        self.nodeID = nodeID
        self.clusterMap = nil
        self.clusterID = nil
        self.durability = durability
        self.retentionMilliseconds = retentionMilliseconds
        self.retentionBytes = retentionBytes
        self.diskLimitBytes = diskLimitBytes
        self.retentionCheckIntervalMilliseconds = retentionCheckIntervalMilliseconds
    }

    /// The host clients are told to connect to.
    public var effectiveAdvertisedHost: String {
        if let advertisedHost, !advertisedHost.isEmpty { return advertisedHost }
        return listenHost
    }

    /// Checks the values against each other and the on-disk format; the first problem found.
    public func validate() throws(BrokerError) {
        func invalid(_ message: String) -> BrokerError { BrokerError(code: .invalidConfiguration, message: message) }
        guard (0...65535).contains(port) else { throw invalid("port \(port) outside 0...65535") }
        guard !dataDirectory.isEmpty else { throw invalid("data-dir is empty") }
        guard defaultPartitions >= 1 else { throw invalid("default-partitions must be at least 1") }
        guard defaultPartitions <= maxPartitions else {
            throw invalid("default-partitions \(defaultPartitions) above max-partitions \(maxPartitions)")
        }
        guard maxTopics >= 0, maxPartitions >= 0, maxGroups >= 0 else { throw invalid("limits must not be negative") }
        guard maxRequestBytes >= 64, maxRequestBytes <= Int(Int32.max) else {
            throw invalid("max-request-bytes \(maxRequestBytes) outside 64...\(Int32.max)")
        }
        guard maxConnections >= 1 else { throw invalid("max-connections must be at least 1") }
        guard maxInFlightRequestsPerConnection >= 1 else { throw invalid("max-in-flight-requests must be at least 1") }
        guard maxFetchResponseBytes >= 1 else { throw invalid("max-fetch-bytes must be positive") }
        guard maxFetchWaitMilliseconds >= 0 else { throw invalid("max-fetch-wait must not be negative") }
        guard segmentBytes >= 1024, segmentBytes <= Int(Int32.max) else {
            throw invalid("segment-bytes \(segmentBytes) outside 1024...\(Int32.max)")
        }
        guard maxBatchBytes >= RecordBatchHeader.byteCount else { throw invalid("max-batch-bytes below a batch header") }
        guard storageThreads >= 1 else { throw invalid("storage-threads must be at least 1") }
        if case .interval(let milliseconds) = durability, milliseconds < 1 {
            throw invalid("fsync-interval must be at least 1ms")
        }
        guard retentionMilliseconds >= 0, retentionBytes >= 0, diskLimitBytes >= 0 else {
            throw invalid("retention limits must not be negative")
        }
        guard retentionCheckIntervalMilliseconds >= 1 else {
            throw invalid("retention-check-interval must be at least 1ms")
        }
        guard nodeID >= 0 else { throw invalid("broker-id must not be negative") }
        if let clusterMap, clusterMap.broker(nodeID) == nil {
            throw invalid("cluster-map does not name this broker (broker-id \(nodeID))")
        }
        if clusterMap != nil, clusterID == nil {
            throw invalid("a cluster-map needs a cluster-id, the same on every broker of the map")
        }
        if let clusterID, !ClusterIdentity.isValid(clusterID) {
            throw invalid("cluster-id must be 1-64 printable ASCII characters without spaces")
        }
    }
}
