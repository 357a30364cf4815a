import FileStorage
import KafkaProtocol
import Logging

/// What start-up recovery found and changed in one partition directory.
public struct LogRecoveryReport: Sendable, Hashable {
    /// Segments after recovery.
    public var segmentCount = 0
    /// The recovery point read from the partition directory (`RecoveryPointFile`); `nil` when
    /// there was none or it did not parse.
    public var recoveryPoint: Int64?
    /// Why the stored recovery point was not used, or not trusted for some segment, if so.
    public var recoveryPointProblem: String?
    /// Every batch holding an offset at or above this one was read whole and checked with the
    /// validator; of the batches below it only the headers were walked.
    public var validatedFromOffset: Int64 = 0
    /// Batches read whole and checked with the validator.
    public var validatedBatches = 0
    /// Bytes cut from the log: the rest of the segment holding the first bad batch (torn,
    /// damaged or garbage bytes) plus every segment after it.
    public var truncatedBytes: Int64 = 0
    /// Why the log was cut, if it was.
    public var truncationReason: String?
    /// Base offsets of the whole segments removed because they followed the first bad batch.
    public var removedSegments: [Int64] = []
    /// Index files written anew because they were missing or did not match the log (names).
    public var rebuiltIndexFiles: [String] = []
    /// Index files removed because their `.log` was gone (names).
    public var removedFiles: [String] = []

    public init() {}
}

/// Start-up recovery of one partition directory, in the spirit of Kafka's `LogLoader`: what lies
/// below the persisted recovery point is trusted, every batch after it is checked.
///
/// What is trusted, and why:
/// - Batches below the recovery point (`RecoveryPointFile`): they were fsynced before it was
///   written. Segments that end at or below the validation start are loaded as closed segments
///   (indexes sanity-checked against the log and rebuilt if missing or broken, headers walked
///   after the last index entry); damage found there needs an operator (`.corruptSegment`) and
///   is never cut.
/// - Nothing at or above it. Every batch from there to the end of the log, in every segment, is
///   read whole and checked: structure, offsets continuing from the previous batch (across
///   segment boundaries too) and the validator (CRC-32C). The log is cut at the first bad batch:
///   the rest of that segment and every segment after it go. The indexes of these segments are
///   rebuilt from the walk, never trusted: the active segment's are not synced, so whatever of
///   them reached the disk may point at bytes that did not.
/// - Without a usable recovery point (a new partition, a data directory written before recovery
///   points existed, an unreadable file) validation starts at the last segment's base offset:
///   every earlier segment was fsynced, log and indexes, before the segment after it was
///   created (by this code and every earlier version), which makes that base a recovery point
///   too. It is the cheapest correct choice; the log start would mean checking the checksum of
///   a whole partition on the first start after an upgrade.
/// - Validation starts no later than the last segment's last offset index entry inside its
///   `.log` either (at most one index interval before the end after a clean stop, so cheap):
///   a damaged tail is cut even when the recovery point is the log end.
///
/// A segment whose walk ends below the recovery point (bytes that were synced are damaged or
/// gone: a disk that lost acknowledged writes, or files changed by hand) is walked again with
/// every batch validated, since headers alone prove nothing about its bytes.
///
/// Whatever recovery keeps of the segments it walks is synced before it returns (after a
/// process crash they may sit in the page cache only), so the log end it returns is durable and
/// the owner may store it as the new recovery point.
enum LogRecovery {
    struct Context {
        var directory: String
        var fileSystem: any FileSystem
        var configuration: PartitionLogConfiguration
        var validator: BatchValidator
        var now: Int64
        var logger: Logger
    }

    static func recover(_ context: Context) throws -> (segments: [Segment], report: LogRecoveryReport) {
        var report = LogRecoveryReport()
        let fileSystem = context.fileSystem
        try fileSystem.createDirectory(atPath: context.directory)

        // First pass: find the segments. Names that are not ours (the recovery point, snapshot
        // files, an operator's notes) are left alone.
        var names: [SegmentFileName] = []
        for name in try fileSystem.contentsOfDirectory(atPath: context.directory) {
            if let parsed = SegmentFileName(name) { names.append(parsed) }
        }
        let bases = Set(names.filter { $0.kind == .log }.map(\.baseOffset)).sorted()
        if let unusable = bases.last, unusable > PartitionLog.maximumOffset {
            throw StorageError(
                code: .corruptSegment,
                message: "segment base offset above \(PartitionLog.maximumOffset)",
                path: context.directory,
                offset: unusable
            )
        }

        // Second pass: remove index files whose log is gone (a deletion or a roll that was
        // interrupted). They would otherwise describe a log that no longer exists.
        for name in names.sorted() where name.kind != .log && !bases.contains(name.baseOffset) {
            try fileSystem.removeFile(atPath: context.directory + "/" + name.name)
            report.removedFiles.append(name.name)
        }

        // Third pass: the recovery point.
        switch RecoveryPointFile(directory: context.directory, fileSystem: fileSystem).read() {
        case .absent:
            break
        case .offset(let offset):
            report.recoveryPoint = offset
        case .unusable(let reason):
            report.recoveryPointProblem = reason
            context.logger.warning("ignoring the recovery point", metadata: ["reason": "\(reason)"])
        }

        // A new partition: one empty segment at offset 0.
        guard let firstBase = bases.first, let lastBase = bases.last else {
            let segment = try Segment.create(
                directory: context.directory,
                baseOffset: 0,
                fileSystem: fileSystem,
                indexIntervalBytes: context.configuration.indexIntervalBytes,
                now: context.now
            )
            report.segmentCount = 1
            return ([segment], report)
        }

        var validateFrom = report.recoveryPoint ?? lastBase
        if let tail = try lastIndexedOffset(base: lastBase, context) {
            validateFrom = min(validateFrom, tail)
        }
        validateFrom = max(validateFrom, firstBase)
        report.validatedFromOffset = validateFrom
        let firstRecovered = bases.lastIndex { $0 <= validateFrom } ?? 0

        var segments: [Segment] = []
        do {
            // Fourth pass: load the segments wholly below the validation start, rebuilding
            // missing or broken indexes.
            for index in 0..<firstRecovered {
                segments.append(try loadClosedSegment(base: bases[index], nextBase: bases[index + 1], context, &report))
            }
            // Fifth pass: walk every later segment, validating from `validateFrom`, cut the log
            // at the first bad batch and drop the segments after it, rebuild their indexes.
            for index in firstRecovered..<bases.count {
                let nextBase = index + 1 < bases.count ? bases[index + 1] : nil
                let (segment, continues) = try recoverSegment(
                    base: bases[index], nextBase: nextBase, validateFrom: validateFrom, context, &report)
                segments.append(segment)
                if !continues {
                    try removeSegments(bases[(index + 1)...], context, &report)
                    break
                }
            }
        } catch {
            for segment in segments { segment.close() }
            throw error
        }
        report.segmentCount = segments.count
        return (segments, report)
    }

    /// The offset of the last entry of the last segment's offset index that lies inside its
    /// `.log`, if any. Only ever used to start validating earlier: the index is not synced while
    /// its segment is active, so it proves nothing about the log.
    private static func lastIndexedOffset(base: Int64, _ context: Context) throws -> Int64? {
        let paths = Segment.Paths(directory: context.directory, baseOffset: base)
        guard context.fileSystem.fileExists(atPath: paths.offsetIndex) else { return nil }
        let log = try context.fileSystem.openFile(atPath: paths.log, mode: .existing)
        defer { log.close() }
        let indexFile = try context.fileSystem.openFile(atPath: paths.offsetIndex, mode: .existing)
        defer { indexFile.close() }
        let logSize = try log.size()
        guard let index = OffsetIndex(baseOffset: base, fileBytes: try indexFile.readAll()) else { return nil }
        return index.entries.last { Int64($0.position) < logSize }.map { index.offset(of: $0) }
    }

    typealias SegmentFiles = (log: any OpenFile, offsetIndex: any OpenFile, timeIndex: any OpenFile)

    /// Opens the three files of a segment, creating missing index files; says which were missing.
    private static func openFiles(
        _ paths: Segment.Paths,
        _ fileSystem: any FileSystem
    ) throws -> (files: SegmentFiles, missing: Set<String>) {
        let missing = Set([paths.offsetIndex, paths.timeIndex].filter { !fileSystem.fileExists(atPath: $0) })
        let log = try fileSystem.openFile(atPath: paths.log, mode: .existing)
        do {
            let offsetIndex = try fileSystem.openFile(atPath: paths.offsetIndex, mode: .createIfMissing)
            do {
                let timeIndex = try fileSystem.openFile(atPath: paths.timeIndex, mode: .createIfMissing)
                return ((log, offsetIndex, timeIndex), missing)
            } catch {
                offsetIndex.close()
                throw error
            }
        } catch {
            log.close()
            throw error
        }
    }

    /// A segment that ends at or below the validation start: it was synced before the
    /// recovery point was written past it (or, without a recovery point, before the log rolled
    /// past it), so any problem in it is corruption for an operator, not a torn tail.
    private static func loadClosedSegment(
        base: Int64,
        nextBase: Int64,
        _ context: Context,
        _ report: inout LogRecoveryReport
    ) throws -> Segment {
        let paths = Segment.Paths(directory: context.directory, baseOffset: base)
        let (files, missing) = try openFiles(paths, context.fileSystem)
        do {
            let size = try files.log.size()
            var offsetIndex = OffsetIndex(baseOffset: base, fileBytes: try files.offsetIndex.readAll())
            var timeIndex = TimeIndex(baseOffset: base, fileBytes: try files.timeIndex.readAll())
            if let loaded = offsetIndex,
                loaded.entries.contains(where: { Int64($0.position) >= size || loaded.offset(of: $0) >= nextBase })
            {
                offsetIndex = nil
            }
            if let loaded = timeIndex, loaded.entries.contains(where: { loaded.offset(of: $0) >= nextBase }) {
                timeIndex = nil
            }
            let scanner = SegmentScanner(
                file: files.log, segmentBaseOffset: base, size: size, validator: context.validator)
            func corrupt(_ stop: SegmentScanner.Stop?, nextOffset: Int64) -> StorageError {
                StorageError(
                    code: .corruptSegment,
                    message: stop?.reason
                        ?? "segment ends at offset \(nextOffset) but the next one starts at \(nextBase)",
                    path: paths.log,
                    offset: nextOffset,
                    position: stop?.position
                )
            }

            guard missing.isEmpty, let offsetIndex, let timeIndex else {
                // Rebuild both from a full, validated walk.
                let walk = try Self.walk(scanner, base: base, validateFrom: Int64.min, context)
                guard walk.outcome.stop == nil, walk.outcome.nextOffset == nextBase else {
                    throw corrupt(walk.outcome.stop, nextOffset: walk.outcome.nextOffset)
                }
                report.validatedBatches += walk.outcome.validatedBatches
                try writeIndexes(files, missing, walk.offsetIndex, walk.timeIndex, context, &report)
                return Segment(
                    baseOffset: base, paths: paths, files: files, size: size, nextOffset: nextBase,
                    offsetIndex: walk.offsetIndex, timeIndex: walk.timeIndex, builder: nil,
                    maxTimestamp: walk.builder.maxTimestamp, createdAtMilliseconds: context.now,
                    lastAppendMilliseconds: lastAppend(paths, context)
                )
            }

            // The indexes look sound: walk only the headers after the last offset index entry,
            // which also gives the segment's largest timestamp (the last time index entry
            // covers every batch up to and including that entry's batch).
            let start = offsetIndex.last
            var maxTimestamp = timeIndex.last?.timestamp ?? Int64.min
            let outcome = try scanner.scan(
                from: Int64(start?.position ?? 0),
                expectedOffset: start.map { offsetIndex.offset(of: $0) } ?? base,
                validateFromOffset: Int64.max
            ) { header, _ in maxTimestamp = max(maxTimestamp, header.maxTimestamp) }
            guard outcome.stop == nil, outcome.nextOffset == nextBase else {
                throw corrupt(outcome.stop, nextOffset: outcome.nextOffset)
            }
            return Segment(
                baseOffset: base, paths: paths, files: files, size: size, nextOffset: nextBase,
                offsetIndex: offsetIndex, timeIndex: timeIndex, builder: nil,
                maxTimestamp: maxTimestamp, createdAtMilliseconds: context.now,
                lastAppendMilliseconds: lastAppend(paths, context)
            )
        } catch {
            files.log.close()
            files.offsetIndex.close()
            files.timeIndex.close()
            throw error
        }
    }

    /// A segment holding offsets at or above the validation start. Walked from its first batch:
    /// headers only below `validateFrom`, every batch validated from there on. The log is cut
    /// at the first bad batch, both indexes are rebuilt from the walk (which is how they would
    /// have been written live), and the segment is synced.
    ///
    /// - Returns: the segment, and whether the next segment still continues the log (this one
    ///   was whole and ends exactly at the next one's base offset); when not, the caller
    ///   removes every later segment.
    private static func recoverSegment(
        base: Int64,
        nextBase: Int64?,
        validateFrom: Int64,
        _ context: Context,
        _ report: inout LogRecoveryReport
    ) throws -> (segment: Segment, continues: Bool) {
        let paths = Segment.Paths(directory: context.directory, baseOffset: base)
        let (files, missing) = try openFiles(paths, context.fileSystem)
        // Before any truncation below touches the file.
        let lastAppendMilliseconds = lastAppend(paths, context)
        do {
            let fileSize = try files.log.size()
            let scanner = SegmentScanner(
                file: files.log, segmentBaseOffset: base, size: fileSize, validator: context.validator)
            var walk = try Self.walk(scanner, base: base, validateFrom: validateFrom, context)
            let endsEarly = walk.outcome.stop != nil || walk.outcome.nextOffset != (nextBase ?? Int64.max)
            if let recoveryPoint = report.recoveryPoint, walk.outcome.nextOffset < recoveryPoint, endsEarly,
                validateFrom > base
            {
                // Synced bytes are damaged or gone; their headers alone prove nothing.
                let problem =
                    "the log ends at offset \(walk.outcome.nextOffset) in segment \(base), below the recovery point "
                    + "\(recoveryPoint): every batch of that segment was validated"
                report.recoveryPointProblem = problem
                context.logger.warning(
                    "data below the recovery point is damaged or gone", metadata: ["problem": "\(problem)"])
                walk = try Self.walk(scanner, base: base, validateFrom: Int64.min, context)
            }
            let outcome = walk.outcome
            report.validatedBatches += outcome.validatedBatches

            if outcome.endPosition < fileSize {
                try files.log.truncate(toSize: outcome.endPosition)
                report.truncatedBytes += fileSize - outcome.endPosition
                report.truncationReason = outcome.stop?.reason
                context.logger.debug(
                    "truncated the log at its first bad batch",
                    metadata: [
                        "path": "\(paths.log)",
                        "position": "\(outcome.endPosition)",
                        "bytes": "\(fileSize - outcome.endPosition)",
                        "reason": "\(outcome.stop?.reason ?? "")",
                    ]
                )
            }
            var continues = false
            if let nextBase, outcome.stop == nil {
                continues = outcome.nextOffset == nextBase
                if !continues {
                    report.truncationReason =
                        "segment \(base) ends at offset \(outcome.nextOffset) but the next one starts at \(nextBase)"
                }
            }
            try files.log.sync()
            try writeIndexes(files, missing, walk.offsetIndex, walk.timeIndex, context, &report)
            let segment = Segment(
                baseOffset: base, paths: paths, files: files, size: outcome.endPosition,
                nextOffset: outcome.nextOffset, offsetIndex: walk.offsetIndex, timeIndex: walk.timeIndex,
                builder: walk.builder, maxTimestamp: walk.builder.maxTimestamp, createdAtMilliseconds: context.now,
                lastAppendMilliseconds: lastAppendMilliseconds
            )
            return (segment, continues)
        } catch {
            files.log.close()
            files.offsetIndex.close()
            files.timeIndex.close()
            throw error
        }
    }

    /// One walk over a segment's batches from its start, with the indexes it implies.
    private struct Walk {
        var outcome: SegmentScanner.Outcome
        var builder: SegmentIndexBuilder
        var offsetIndex: OffsetIndex
        var timeIndex: TimeIndex
    }

    private static func walk(
        _ scanner: SegmentScanner,
        base: Int64,
        validateFrom: Int64,
        _ context: Context
    ) throws -> Walk {
        var builder = SegmentIndexBuilder(
            baseOffset: base, indexIntervalBytes: context.configuration.indexIntervalBytes)
        var offsetIndex = OffsetIndex(baseOffset: base)
        var timeIndex = TimeIndex(baseOffset: base)
        let outcome = try scanner.scan(from: 0, expectedOffset: base, validateFromOffset: validateFrom) {
            header, position in
            let (offsetEntry, timeEntry) = builder.add(header, at: position)
            if let offsetEntry { offsetIndex.append(offsetEntry) }
            if let timeEntry { timeIndex.append(timeEntry) }
        }
        return Walk(outcome: outcome, builder: builder, offsetIndex: offsetIndex, timeIndex: timeIndex)
    }

    /// Removes whole segments that follow the first bad batch, newest first, each `.log` before
    /// its indexes (an interrupted removal leaves index files without a log, which the second
    /// pass removes next time; a removal that did not reach a segment leaves it after a cut
    /// segment, which the fifth pass removes next time).
    private static func removeSegments(
        _ bases: ArraySlice<Int64>,
        _ context: Context,
        _ report: inout LogRecoveryReport
    ) throws {
        for base in bases.reversed() {
            let paths = Segment.Paths(directory: context.directory, baseOffset: base)
            let log = try context.fileSystem.openFile(atPath: paths.log, mode: .existing)
            let size = try? log.size()
            log.close()
            try context.fileSystem.removeFile(atPath: paths.log)
            for path in [paths.offsetIndex, paths.timeIndex] where context.fileSystem.fileExists(atPath: path) {
                try context.fileSystem.removeFile(atPath: path)
            }
            report.removedSegments.insert(base, at: 0)
            report.truncatedBytes += size ?? 0
            context.logger.debug("removed a segment after the first bad batch", metadata: ["path": "\(paths.log)"])
        }
    }

    /// When the segment was last appended to: its `.log` file's modification time (start-up
    /// time if the file system cannot say), which is what retention by append age measures.
    private static func lastAppend(_ paths: Segment.Paths, _ context: Context) -> Int64 {
        (try? context.fileSystem.modificationTimeMilliseconds(atPath: paths.log)) ?? context.now
    }

    /// Writes index files that were missing or whose bytes differ from the expected ones, then
    /// syncs them.
    private static func writeIndexes(
        _ files: SegmentFiles,
        _ missing: Set<String>,
        _ offsetIndex: OffsetIndex,
        _ timeIndex: TimeIndex,
        _ context: Context,
        _ report: inout LogRecoveryReport
    ) throws {
        let expectations = [
            (
                files.offsetIndex, SegmentFileName(baseOffset: offsetIndex.baseOffset, kind: .offsetIndex),
                offsetIndex.fileBytes
            ),
            (files.timeIndex, SegmentFileName(baseOffset: timeIndex.baseOffset, kind: .timeIndex), timeIndex.fileBytes),
        ]
        for (file, name, expected) in expectations {
            if try missing.contains(file.path) || file.readAll() != expected {
                try file.truncate(toSize: 0)
                try file.write(expected, at: 0)
                report.rebuiltIndexFiles.append(name.name)
                context.logger.debug("rebuilt index file", metadata: ["path": "\(file.path)"])
            }
            try file.sync()
        }
    }
}
