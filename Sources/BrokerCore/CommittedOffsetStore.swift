import FileStorage
import Synchronization
import KafkaProtocol
import Logging
import NIOCore
import SegmentStore

/// Consumer groups' committed offsets (OffsetCommit / OffsetFetch), durable before a commit is
/// acknowledged, so a commit survives `kill -9` and power loss alike.
///
/// One file per group: `<data-dir>/groups/<hex of the group id's UTF-8>.offsets`, replaced
/// atomically on every commit (``DurableFile``). Layout:
///
/// ```
/// crc32c  uint32 (big-endian)   CRC-32C of everything after it
/// body    OffsetCommit request v2 body holding the group's whole state
///         (group_id, generation -1, member "", retention -1, every topic and partition)
/// ```
///
/// Reusing the OffsetCommit wire codec keeps the format documented by Kafka's own schema and
/// readable with the same decoder the broker already trusts with hostile bytes. Group ids are
/// limited to ``maxGroupIDBytes`` so the hex file name stays within 255 bytes.
///
/// Thread-safe: one lock covers the map and the file write of a commit or a group's removal
/// (commits are rare next to produce and fetch; holding it across the fsync keeps concurrent
/// commits and deletions of one group ordered). Callers must not hold the `GroupCoordinator`'s
/// lock while calling in: every group's membership requests would wait on this fsync.
public final class CommittedOffsetStore: Sendable {
    /// One committed position.
    public struct Commit: Sendable, Hashable {
        /// The next offset the group will consume.
        public var offset: Int64
        public var metadata: String?

        public init(offset: Int64, metadata: String?) {
            self.offset = offset
            self.metadata = metadata
        }
    }

    /// Why a commit was refused as a whole.
    public enum Rejection: Error, Sendable, Hashable {
        /// Empty or longer than ``maxGroupIDBytes``: INVALID_GROUP_ID.
        case invalidGroupID
        /// The group would exceed the broker's group limit: COORDINATOR_NOT_AVAILABLE (the
        /// client backs off and retries, and the operator sees it in the log).
        case tooManyGroups
    }

    struct PartitionKey: Hashable {
        var topic: String
        var partition: Int32
    }

    public static let directoryName = "groups"
    public static let fileSuffix = ".offsets"
    /// Longest group id accepted (its hex file name is twice as long).
    public static let maxGroupIDBytes = 120

    private let directory: String
    private let fileSystem: any FileSystem
    private let maxGroups: Int
    private let clock: WallClock
    private let groups: Mutex<[String: [PartitionKey: Commit]]>
    /// When each group last committed (its file's modification time for groups loaded at
    /// start-up): retention only honours groups active within the retention period.
    private let lastCommits: Mutex<[String: Int64]>

    /// Loads every group file under `<dataDirectory>/groups/`.
    /// - Throws: ``BrokerError/Code/invalidStateFile`` for a file that fails its checksum or
    ///   does not decode (a torn write cannot cause this: files are replaced by rename).
    public init(
        dataDirectory: String,
        fileSystem: any FileSystem,
        maxGroups: Int,
        clock: WallClock = .system,
        logger: Logger
    ) throws {
        let directory = "\(dataDirectory)/\(Self.directoryName)"
        try fileSystem.createDirectory(atPath: directory)
        var loaded: [String: [PartitionKey: Commit]] = [:]
        var lastCommits: [String: Int64] = [:]
        for name in try fileSystem.contentsOfDirectory(atPath: directory) where name.hasSuffix(Self.fileSuffix) {
            let path = "\(directory)/\(name)"
            guard let group = Self.groupID(fromFileName: name) else {
                logger.warning("ignoring a file that is not a group's offsets", metadata: ["path": "\(path)"])
                continue
            }
            guard let bytes = try DurableFile(path: path, fileSystem: fileSystem).read() else { continue }
            loaded[group] = try Self.decode(bytes, group: group, path: path)
            lastCommits[group] = (try? fileSystem.modificationTimeMilliseconds(atPath: path)) ?? clock.milliseconds()
        }
        self.directory = directory
        self.fileSystem = fileSystem
        self.maxGroups = maxGroups
        self.clock = clock
        self.groups = Mutex(loaded)
        self.lastCommits = Mutex(lastCommits)
        logger.debug("loaded committed offsets", metadata: ["groups": "\(loaded.count)"])
    }

    /// Stores `commits` for `group` durably, replacing earlier commits of the same partitions.
    /// - Throws: ``Rejection`` (nothing stored), or a storage error (nothing changed in memory).
    public func commit(group: String, _ commits: [(topic: String, partition: Int32, commit: Commit)]) throws {
        let groupBytes = group.utf8.count
        guard groupBytes > 0, groupBytes <= Self.maxGroupIDBytes else { throw Rejection.invalidGroupID }
        try groups.withLock { groups in
            if groups[group] == nil, groups.count >= maxGroups { throw Rejection.tooManyGroups }
            var state = groups[group] ?? [:]
            for entry in commits {
                state[PartitionKey(topic: entry.topic, partition: entry.partition)] = entry.commit
            }
            let file = DurableFile(path: "\(directory)/\(Self.fileName(forGroup: group))", fileSystem: fileSystem)
            try file.replace(with: try Self.encode(state, group: group))
            groups[group] = state
            let now = clock.milliseconds()
            lastCommits.withLock { $0[group] = now }
        }
    }

    /// Drops every group's commits of `topic` (durably): a deleted topic's offsets must not
    /// outlive it, or a topic created again under its name would be read from offsets past its
    /// new end. A group left with no commit keeps an empty file.
    /// - Throws: a storage error; groups rewritten before it keep the change.
    public func forget(topic: String) throws {
        try groups.withLock { groups in
            for (group, state) in groups where state.keys.contains(where: { $0.topic == topic }) {
                let kept = state.filter { $0.key.topic != topic }
                let file = DurableFile(path: "\(directory)/\(Self.fileName(forGroup: group))", fileSystem: fileSystem)
                try file.replace(with: try Self.encode(kept, group: group))
                groups[group] = kept
            }
        }
    }

    /// Drops `group`'s commits and removes its file (durably): DeleteGroups. The caller makes
    /// sure the group has no members, and does not hold a lock other requests wait on: this
    /// waits for the removal's directory fsync (under this store's lock, which orders it with
    /// the group's commits, as a commit's own fsync is).
    ///
    /// On return or throw, memory and disk agree: the commits are in memory iff the file is
    /// still there (``OffsetsDeletionFailure`` says which case a failure left).
    /// - Returns: whether the group had a file or commits to drop.
    /// - Throws: ``OffsetsDeletionFailure``, with `groupIsDeleted` false when the file stays
    ///   (the commits stay too) and true when it is gone (the commits are gone too).
    public func delete(group: String) throws(OffsetsDeletionFailure) -> Bool {
        try groups.withLock { groups throws(OffsetsDeletionFailure) -> Bool in
            let path = "\(directory)/\(Self.fileName(forGroup: group))"
            let hadFile = fileSystem.fileExists(atPath: path)
            func dropCommits() -> Bool {
                lastCommits.withLock { _ = $0.removeValue(forKey: group) }
                return groups.removeValue(forKey: group) != nil
            }
            if hadFile {
                do throws(StorageError) {
                    try fileSystem.removeFile(atPath: path)
                } catch {
                    // The file still there: `unlink` failed, nothing changed. The file gone:
                    // the directory's fsync failed after it, the commits go too.
                    let isGone = !fileSystem.fileExists(atPath: path)
                    if isGone { _ = dropCommits() }
                    throw OffsetsDeletionFailure(groupID: group, groupIsDeleted: isGone, storageError: error)
                }
            }
            let hadCommits = dropCommits()
            return hadFile || hadCommits
        }
    }

    /// The lowest offset committed for one partition by the groups that committed anything at
    /// or after `since` (ms), `nil` when no such group committed that partition: the offset
    /// below which retention may delete (DESIGN §4).
    public func lowestCommittedOffset(topic: String, partition: Int32, committedSince since: Int64) -> Int64? {
        let live = lastCommits.withLock { commits in Set(commits.filter { $0.value >= since }.keys) }
        return groups.withLock { groups in
            live.compactMap { groups[$0]?[PartitionKey(topic: topic, partition: partition)]?.offset }.min()
        }
    }

    /// The committed position of one partition, `nil` when the group never committed it.
    public func committed(group: String, topic: String, partition: Int32) -> Commit? {
        groups.withLock { $0[group]?[PartitionKey(topic: topic, partition: partition)] }
    }

    /// Every group with committed offsets, sorted (ListGroups).
    public var groupIDs: [String] { groups.withLock { $0.keys.sorted() } }

    /// Every committed partition of `group`, topic → partition → commit.
    public func committed(group: String) -> [String: [Int32: Commit]] {
        groups.withLock { groups in
            var result: [String: [Int32: Commit]] = [:]
            for (key, commit) in groups[group] ?? [:] { result[key.topic, default: [:]][key.partition] = commit }
            return result
        }
    }

    // MARK: - File format

    static func fileName(forGroup group: String) -> String {
        let hexDigits = Array("0123456789abcdef".utf8)
        var name: [UInt8] = []
        for byte in group.utf8 {
            name.append(hexDigits[Int(byte >> 4)])
            name.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: name, as: UTF8.self) + fileSuffix
    }

    static func groupID(fromFileName name: String) -> String? {
        let hex = Array(name.utf8.dropLast(fileSuffix.utf8.count))
        guard !hex.isEmpty, hex.count % 2 == 0 else { return nil }
        func nibble(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: hex.count, by: 2) {
            guard let high = nibble(hex[index]), let low = nibble(hex[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func encode(_ state: [PartitionKey: Commit], group: String) throws -> [UInt8] {
        var byTopic: [String: [OffsetCommitRequest.Partition]] = [:]
        for (key, commit) in state {
            byTopic[key.topic, default: []].append(
                OffsetCommitRequest.Partition(
                    partitionIndex: key.partition,
                    committedOffset: commit.offset,
                    committedMetadata: commit.metadata
                )
            )
        }
        let topics = byTopic.keys.sorted().map { name in
            OffsetCommitRequest.Topic(
                name: name,
                partitions: (byTopic[name] ?? []).sorted { $0.partitionIndex < $1.partitionIndex }
            )
        }
        var body = ByteBuffer()
        try OffsetCommitRequest(groupID: group, topics: topics).encode(into: &body, version: 2)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4 + body.readableBytes)
        let crc = CRC32C.checksum(body)
        bytes.append(contentsOf: withUnsafeBytes(of: crc.bigEndian) { Array($0) })
        bytes.append(contentsOf: body.readableBytesView)
        return bytes
    }

    static func decode(_ bytes: [UInt8], group: String, path: String) throws -> [PartitionKey: Commit] {
        func invalid(_ message: String) -> BrokerError {
            BrokerError(code: .invalidStateFile, message: message, path: path)
        }
        guard bytes.count >= 4 else { throw invalid("committed offsets file shorter than its checksum") }
        let stored = bytes[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let body = Array(bytes[4...])
        guard CRC32C.checksum(body) == stored else { throw invalid("committed offsets file fails its CRC-32C") }
        var buffer = ByteBuffer(bytes: body)
        let request: OffsetCommitRequest
        do {
            request = try OffsetCommitRequest(from: &buffer, version: 2)
        } catch {
            throw invalid("committed offsets file does not decode: \(error)")
        }
        guard request.groupID == group else { throw invalid("file holds group \(request.groupID), not \(group)") }
        var state: [PartitionKey: Commit] = [:]
        for topic in request.topics {
            for partition in topic.partitions {
                state[PartitionKey(topic: topic.name, partition: partition.partitionIndex)] = Commit(
                    offset: partition.committedOffset,
                    metadata: partition.committedMetadata
                )
            }
        }
        return state
    }
}
