/// How far one tailed file has been shipped for good (DESIGN.md §10.3), so a restarted shipper
/// resumes there with the same producer state and the broker drops what it already holds.
///
/// Every field is "as of the end of the acknowledged prefix": `offset` is the end of the
/// longest prefix of the file whose batches are all acknowledged (always a line boundary),
/// and `producerId`, `producerEpoch`, `sequences` are the producer's state right after the
/// last batch of that prefix. The tailing side treats the producer fields as opaque.
///
/// On disk (JSON, one file per device and inode, see `CheckpointStore`):
/// ```
/// {"version": 2, "identity": {"device": 2049, "inode": 1234, "fingerprint": "<base64>"},
///  "path": "/var/log/nginx/access.log", "source": "/var/log/nginx/*.log", "offset": 81920,
///  "clusterId": "q8Xb...", "producerId": 7, "producerEpoch": 0,
///  "sequences": [{"partition": 0, "nextSequence": 120}, {"partition": 3, "nextSequence": 41}],
///  "storedAhead": [{"partition": 3, "records": 12}],
///  "auditGroup": {"start": 65536, "lines": 140, "lastTimeUs": 1765000000000000},
///  "missingSince": 1796212800000, "controlRecordKey": "file:2049-1187"}
/// ```
/// Version 1 (no `clusterId`, `storedAhead`, `auditGroup`) is still read; a version 1 reader
/// refuses version 2 rather than resume with half the state. `missingSince` and
/// `controlRecordKey` are optional (absent in the usual case).
public struct Checkpoint: Sendable, Equatable {
    /// The layout written.
    public static let currentVersion = 2
    /// Layouts read.
    public static let readableVersions: ClosedRange<Int> = 1...2

    /// The file-audit group (the lines one `fileStats` control record will report) that is
    /// still open at `offset`: a checkpoint taken when the file went idle or the shipper stopped
    /// falls inside it. Restoring it keeps every control record where it was, so a restart
    /// gives every record the sequence it had (DESIGN.md §10.3).
    public struct AuditGroup: Sendable, Equatable, Codable {
        /// Where the group started (its control record's `fileOffset`).
        public var start: Int64
        /// Lines of the group before `offset`.
        public var lines: Int64
        /// Time of the group's last parsed line before `offset` (µs, 0 if none).
        public var lastTimeUs: Int64

        public init(start: Int64, lines: Int64, lastTimeUs: Int64) {
            self.start = start
            self.lines = lines
            self.lastTimeUs = lastTimeUs
        }
    }

    /// Which file (and which content: the fingerprint) the offset belongs to.
    public var identity: FileIdentity
    /// Where the file was last seen; after a restart its directory is searched for the inode
    /// when no source path leads to it any more (it was rotated while the shipper was down).
    public var path: String
    /// The configured `LogSource.pattern` that matched the file (gives its format and site).
    public var sourcePattern: String
    /// End of the acknowledged prefix; reading resumes here.
    public var offset: Int64
    /// The broker cluster that gave `producerId` and holds what `sequences` count (`nil` in
    /// version 1). Against another cluster the producer fields mean nothing (DESIGN.md §10.3).
    public var clusterId: String?
    /// The producer id used for this file's batches (-1 before the broker gave one).
    public var producerId: Int64
    public var producerEpoch: Int16
    /// Next sequence number per partition: the sequence of the partition's first record after
    /// `offset` that is not in `storedAhead`.
    public var sequences: [Int32: Int32]
    /// Per partition, how many of its records right after `offset` the broker stored already
    /// under an earlier producer id (acknowledged before the id changed, their checkpoint group
    /// not yet complete): a restart does not send them again.
    public var storedAhead: [Int32: Int32]
    /// The audit group open at `offset`; `nil` when one starts there.
    public var auditGroup: AuditGroup?
    /// Wall-clock time (milliseconds since the Unix epoch) since which no file was found for
    /// this checkpoint, or `nil` while its file is seen. Persisted so that a restart does not
    /// restart the clock of `TailerConfiguration.missingFileExpiry`.
    public var missingSince: Int64?
    /// The Kafka key of the file's control records when it is not the one its own identity
    /// gives: a copy that continues another file's checkpoint (copytruncate while the shipper
    /// was down) keeps that file's key, so its control records keep their places in the
    /// partitions' sequences across this and later restarts (DESIGN.md §10.3). `nil`: derived
    /// from `identity`.
    public var controlRecordKey: String?

    public init(
        identity: FileIdentity,
        path: String,
        sourcePattern: String,
        offset: Int64,
        clusterId: String? = nil,
        producerId: Int64 = -1,
        producerEpoch: Int16 = -1,
        sequences: [Int32: Int32] = [:],
        storedAhead: [Int32: Int32] = [:],
        auditGroup: AuditGroup? = nil,
        missingSince: Int64? = nil,
        controlRecordKey: String? = nil
    ) {
        self.identity = identity
        self.path = path
        self.sourcePattern = sourcePattern
        self.offset = offset
        self.clusterId = clusterId
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.sequences = sequences
        self.storedAhead = storedAhead
        self.auditGroup = auditGroup
        self.missingSince = missingSince
        self.controlRecordKey = controlRecordKey
    }
}

extension Checkpoint: Codable {
    private enum CodingKeys: String, CodingKey {
        case version, identity, path, source, offset, clusterId, producerId, producerEpoch, sequences, storedAhead
        case auditGroup, missingSince, controlRecordKey
    }

    private struct PartitionSequence: Codable {
        var partition: Int32
        var nextSequence: Int32
    }

    private struct PartitionRecords: Codable {
        var partition: Int32
        var records: Int32
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.currentVersion, forKey: .version)
        try container.encode(identity, forKey: .identity)
        try container.encode(path, forKey: .path)
        try container.encode(sourcePattern, forKey: .source)
        try container.encode(offset, forKey: .offset)
        try container.encodeIfPresent(clusterId, forKey: .clusterId)
        try container.encode(producerId, forKey: .producerId)
        try container.encode(producerEpoch, forKey: .producerEpoch)
        let sorted = sequences.sorted { $0.key < $1.key }.map { PartitionSequence(partition: $0.key, nextSequence: $0.value) }
        try container.encode(sorted, forKey: .sequences)
        if !storedAhead.isEmpty {
            let ahead = storedAhead.sorted { $0.key < $1.key }.map { PartitionRecords(partition: $0.key, records: $0.value) }
            try container.encode(ahead, forKey: .storedAhead)
        }
        try container.encodeIfPresent(auditGroup, forKey: .auditGroup)
        try container.encodeIfPresent(missingSince, forKey: .missingSince)
        try container.encodeIfPresent(controlRecordKey, forKey: .controlRecordKey)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let version = try container.decode(Int.self, forKey: .version)
        guard Self.readableVersions.contains(version) else {
            throw DecodingError.dataCorruptedError(
                forKey: .version, in: container, debugDescription: "unsupported checkpoint version \(version)")
        }
        let offset = try container.decode(Int64.self, forKey: .offset)
        guard offset >= 0 else {
            throw DecodingError.dataCorruptedError(forKey: .offset, in: container, debugDescription: "negative offset")
        }
        var sequences: [Int32: Int32] = [:]
        for entry in try container.decode([PartitionSequence].self, forKey: .sequences) {
            guard sequences.updateValue(entry.nextSequence, forKey: entry.partition) == nil else {
                throw DecodingError.dataCorruptedError(
                    forKey: .sequences, in: container, debugDescription: "partition \(entry.partition) listed twice")
            }
        }
        var storedAhead: [Int32: Int32] = [:]
        for entry in try container.decodeIfPresent([PartitionRecords].self, forKey: .storedAhead) ?? [] {
            guard entry.records > 0, storedAhead.updateValue(entry.records, forKey: entry.partition) == nil else {
                throw DecodingError.dataCorruptedError(
                    forKey: .storedAhead, in: container,
                    debugDescription: "partition \(entry.partition) listed twice or with no records")
            }
        }
        let auditGroup = try container.decodeIfPresent(AuditGroup.self, forKey: .auditGroup)
        if let auditGroup, auditGroup.start > offset || auditGroup.lines < 0 {
            throw DecodingError.dataCorruptedError(
                forKey: .auditGroup, in: container, debugDescription: "audit group starts after the offset")
        }
        self.init(
            identity: try container.decode(FileIdentity.self, forKey: .identity),
            path: try container.decode(String.self, forKey: .path),
            sourcePattern: try container.decode(String.self, forKey: .source),
            offset: offset,
            clusterId: try container.decodeIfPresent(String.self, forKey: .clusterId),
            producerId: try container.decode(Int64.self, forKey: .producerId),
            producerEpoch: try container.decode(Int16.self, forKey: .producerEpoch),
            sequences: sequences,
            storedAhead: storedAhead,
            auditGroup: auditGroup,
            missingSince: try container.decodeIfPresent(Int64.self, forKey: .missingSince),
            controlRecordKey: try container.decodeIfPresent(String.self, forKey: .controlRecordKey))
    }
}
