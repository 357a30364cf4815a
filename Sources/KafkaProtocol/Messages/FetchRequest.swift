import NIOCore

/// Fetch request (key 1), v4–v11, all non-flexible (v12 brings tagged fields and v13 topic ids).
///
/// v7 adds the fields of incremental fetch sessions (KIP-227). The broker keeps no sessions: it
/// answers every fetch with session id 0 ("no session"), so clients keep sending full fetches
/// (``RequestDispatcher/fetch(_:on:)`` refuses incremental ones).
///
/// ```
/// replica_id int32 | max_wait_ms int32 | min_bytes int32 | max_bytes int32 | isolation_level int8
/// | [session_id int32 | session_epoch int32  v7+]
/// | topics ARRAY<topic STRING
///     | partitions ARRAY<partition int32 | [current_leader_epoch int32  v9+] | fetch_offset int64
///                        | [log_start_offset int64  v5+] | partition_max_bytes int32>>
/// | [forgotten_topics_data ARRAY<topic STRING | partitions ARRAY<int32>>  v7+]
/// | [rack_id STRING  v11+]
/// ```
public struct FetchRequest: KafkaRequestMessage {
    public typealias Response = FetchResponse
    public static let apiKey = ApiKey.fetch
    public static let versions: ClosedRange<Int16> = 4...11

    /// The session id of a request that is not part of a session (KIP-227 `INVALID_SESSION_ID`).
    public static let noSessionID: Int32 = 0
    /// The epoch of a full fetch that opens a session (KIP-227 `INITIAL_EPOCH`).
    public static let initialSessionEpoch: Int32 = 0
    /// The epoch of a full fetch that wants no session (KIP-227 `FINAL_EPOCH`); what librdkafka
    /// and consumers without sessions send.
    public static let finalSessionEpoch: Int32 = -1

    public struct Partition: Sendable, Equatable {
        public var partition: Int32
        /// v9+; the leader epoch the client believes current, -1 when it knows none (KIP-320).
        public var currentLeaderEpoch: Int32
        public var fetchOffset: Int64
        /// v5+, meaningful only from follower replicas; -1 from consumers.
        public var logStartOffset: Int64
        public var partitionMaxBytes: Int32

        public init(
            partition: Int32,
            currentLeaderEpoch: Int32 = -1,
            fetchOffset: Int64,
            logStartOffset: Int64 = -1,
            partitionMaxBytes: Int32
        ) {
            self.partition = partition
            self.currentLeaderEpoch = currentLeaderEpoch
            self.fetchOffset = fetchOffset
            self.logStartOffset = logStartOffset
            self.partitionMaxBytes = partitionMaxBytes
        }
    }

    public struct Topic: Sendable, Equatable {
        public var name: String
        public var partitions: [Partition]

        public init(name: String, partitions: [Partition]) {
            self.name = name
            self.partitions = partitions
        }
    }

    /// A topic whose partitions an incremental fetch drops from its session (v7+).
    public struct ForgottenTopic: Sendable, Equatable {
        public var name: String
        public var partitions: [Int32]

        public init(name: String, partitions: [Int32]) {
            self.name = name
            self.partitions = partitions
        }
    }

    /// -1 for consumers.
    public var replicaID: Int32
    /// How long the broker may hold the request when fewer than ``minBytes`` are available.
    public var maxWaitMs: Int32
    public var minBytes: Int32
    public var maxBytes: Int32
    /// 0 read_uncommitted, 1 read_committed (librdkafka's default).
    public var isolationLevel: Int8
    /// v7+; ``noSessionID`` outside a session (and always below v7).
    public var sessionID: Int32
    /// v7+; ``finalSessionEpoch`` below v7, where every fetch is full and sessionless.
    public var sessionEpoch: Int32
    public var topics: [Topic]
    /// v7+; empty below.
    public var forgottenTopics: [ForgottenTopic]
    /// v11+, the consumer's `client.rack` (KIP-392); empty below and when unset.
    public var rackID: String

    /// Whether this is a full fetch (KIP-227 `FetchMetadata.isFull`): epoch 0 opens a session and
    /// -1 asks for none; either way the request lists every partition it wants. Any other epoch
    /// is an incremental fetch within the session ``sessionID``.
    public var isFullFetch: Bool {
        sessionEpoch == Self.initialSessionEpoch || sessionEpoch == Self.finalSessionEpoch
    }

    public init(
        replicaID: Int32 = -1,
        maxWaitMs: Int32,
        minBytes: Int32,
        maxBytes: Int32 = .max,
        isolationLevel: Int8 = 0,
        sessionID: Int32 = FetchRequest.noSessionID,
        sessionEpoch: Int32 = FetchRequest.finalSessionEpoch,
        topics: [Topic],
        forgottenTopics: [ForgottenTopic] = [],
        rackID: String = ""
    ) {
        self.replicaID = replicaID
        self.maxWaitMs = maxWaitMs
        self.minBytes = minBytes
        self.maxBytes = maxBytes
        self.isolationLevel = isolationLevel
        self.sessionID = sessionID
        self.sessionEpoch = sessionEpoch
        self.topics = topics
        self.forgottenTopics = forgottenTopics
        self.rackID = rackID
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        replicaID = try buffer.readKafkaInteger("FetchRequest.replica_id")
        maxWaitMs = try buffer.readKafkaInteger("FetchRequest.max_wait_ms")
        minBytes = try buffer.readKafkaInteger("FetchRequest.min_bytes")
        maxBytes = try buffer.readKafkaInteger("FetchRequest.max_bytes")
        isolationLevel = try buffer.readKafkaInteger("FetchRequest.isolation_level")
        sessionID = version >= 7 ? try buffer.readKafkaInteger("FetchRequest.session_id") : Self.noSessionID
        sessionEpoch =
            version >= 7 ? try buffer.readKafkaInteger("FetchRequest.session_epoch") : Self.finalSessionEpoch
        topics = try buffer.readKafkaArray("FetchRequest.topics") {
            (topic: inout ByteBuffer) throws(KafkaProtocolError) in
            Topic(
                name: try topic.readKafkaString("FetchTopic.topic"),
                partitions: try topic.readKafkaArray("FetchTopic.partitions") {
                    (partition: inout ByteBuffer) throws(KafkaProtocolError) in
                    Partition(
                        partition: try partition.readKafkaInteger("FetchPartition.partition"),
                        currentLeaderEpoch: version >= 9
                            ? try partition.readKafkaInteger("FetchPartition.current_leader_epoch") : -1,
                        fetchOffset: try partition.readKafkaInteger("FetchPartition.fetch_offset"),
                        logStartOffset: version >= 5
                            ? try partition.readKafkaInteger("FetchPartition.log_start_offset") : -1,
                        partitionMaxBytes: try partition.readKafkaInteger("FetchPartition.partition_max_bytes")
                    )
                }
            )
        }
        forgottenTopics =
            version >= 7
            ? try buffer.readKafkaArray("FetchRequest.forgotten_topics_data") {
                (topic: inout ByteBuffer) throws(KafkaProtocolError) in
                ForgottenTopic(
                    name: try topic.readKafkaString("ForgottenTopic.topic"),
                    partitions: try topic.readKafkaArray("ForgottenTopic.partitions") {
                        (partition: inout ByteBuffer) throws(KafkaProtocolError) in
                        try partition.readKafkaInteger("ForgottenTopic.partitions[]")
                    }
                )
            } : []
        // Non-nullable in the schema; a null (length -1) from a client without a rack is read as
        // "" rather than refusing its every fetch, since the broker ignores the rack anyway.
        rackID = version >= 11 ? try buffer.readKafkaNullableString("FetchRequest.rack_id") ?? "" : ""
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        buffer.writeInteger(replicaID)
        buffer.writeInteger(maxWaitMs)
        buffer.writeInteger(minBytes)
        buffer.writeInteger(maxBytes)
        buffer.writeInteger(isolationLevel)
        if version >= 7 {
            buffer.writeInteger(sessionID)
            buffer.writeInteger(sessionEpoch)
        }
        try buffer.writeKafkaArray(topics, "FetchRequest.topics") {
            (topic: Topic, out: inout ByteBuffer) throws(KafkaProtocolError) in
            try out.writeKafkaString(topic.name, "FetchTopic.topic")
            try out.writeKafkaArray(topic.partitions, "FetchTopic.partitions") {
                (partition: Partition, out: inout ByteBuffer) throws(KafkaProtocolError) in
                out.writeInteger(partition.partition)
                if version >= 9 { out.writeInteger(partition.currentLeaderEpoch) }
                out.writeInteger(partition.fetchOffset)
                if version >= 5 { out.writeInteger(partition.logStartOffset) }
                out.writeInteger(partition.partitionMaxBytes)
            }
        }
        if version >= 7 {
            try buffer.writeKafkaArray(forgottenTopics, "FetchRequest.forgotten_topics_data") {
                (topic: ForgottenTopic, out: inout ByteBuffer) throws(KafkaProtocolError) in
                try out.writeKafkaString(topic.name, "ForgottenTopic.topic")
                try out.writeKafkaArray(topic.partitions, "ForgottenTopic.partitions") {
                    (partition: Int32, out: inout ByteBuffer) throws(KafkaProtocolError) in
                    out.writeInteger(partition)
                }
            }
        }
        if version >= 11 { try buffer.writeKafkaString(rackID, "FetchRequest.rack_id") }
    }
}
