import FileStorage
/// A partition log's persisted recovery point, `<partition-dir>/recovery-point`: an offset below
/// which every batch of the log is known to be on disk. Kafka keeps the same thing for all
/// partitions of a data directory in `recovery-point-offset-checkpoint`; here each partition
/// directory holds its own, so a partition is recovered from its directory alone.
///
/// **Invariant**: the stored offset is never above the log's durable end. It is only ever set to
/// a `durableEndOffset` the log had reached (every batch below it fsynced before the file is
/// written), and whatever cuts the log below it (start-up recovery, `PartitionLog.reset()`)
/// lowers it before the next append. Start-up recovery therefore walks only the headers of the
/// batches below it and validates every batch at or above it, in every segment.
///
/// Layout: ASCII text, two lines, `edgelog-recovery-point 1\n` (name and format version) then
/// the offset in decimal digits and `\n`. Written whole through `DurableFile` (temporary file,
/// fsync, rename), so a crash leaves the old or the new content. There is no checksum: a file
/// that does not parse is treated as absent (recovery then validates more, never less), and
/// one naming an offset above the log found on disk is not trusted (see `LogRecovery`).
struct RecoveryPointFile: Sendable {
    /// What the file holds.
    enum Stored: Sendable, Hashable {
        /// No file: a new partition, or a data directory written before recovery points existed.
        case absent
        case offset(Int64)
        /// A file whose content does not parse (the reason is for logs and the report).
        case unusable(String)
    }

    static let fileName = "recovery-point"
    static let header = "edgelog-recovery-point 1\n"

    let file: DurableFile

    init(directory: String, fileSystem: any FileSystem) {
        file = DurableFile(path: directory + "/" + Self.fileName, fileSystem: fileSystem)
    }

    /// The stored recovery point. A file that cannot be read counts as unusable, never as an
    /// error: recovery is correct without it, only slower.
    func read() -> Stored {
        let bytes: [UInt8]?
        do {
            bytes = try file.read()
        } catch {
            return .unusable("cannot read \(file.path): \(error)")
        }
        guard let bytes else { return .absent }
        guard let offset = Self.decode(bytes) else {
            return .unusable("\(file.path) does not hold a recovery point (\(bytes.count) bytes)")
        }
        return .offset(offset)
    }

    /// Replaces the stored recovery point, durably before returning. The caller guarantees the
    /// invariant: `offset` is at or below the log's durable end.
    func write(_ offset: Int64) throws {
        try file.replace(with: Self.encode(offset))
    }

    static func encode(_ offset: Int64) -> [UInt8] {
        precondition(offset >= 0, "a recovery point is a log offset")
        return Array((header + "\(offset)\n").utf8)
    }

    /// The offset in `bytes`, or `nil` unless they are exactly what `encode` writes (at most 19
    /// digits, no sign, no leading zeros beyond a lone `0`, the final newline present).
    static func decode(_ bytes: [UInt8]) -> Int64? {
        let headerBytes = Array(header.utf8)
        guard bytes.count > headerBytes.count + 1, bytes.starts(with: headerBytes), bytes.last == UInt8(ascii: "\n")
        else { return nil }
        let digits = bytes[headerBytes.count..<(bytes.count - 1)]
        guard digits.count <= 19, digits.first != UInt8(ascii: "0") || digits.count == 1 else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times10, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = times10.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflowA, !overflowB else { return nil }
            value = sum
        }
        return value
    }
}
