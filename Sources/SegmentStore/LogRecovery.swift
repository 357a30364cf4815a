import Logging

/// What start-up recovery found and changed in one partition directory.
public struct LogRecoveryReport: Sendable, Hashable {
    /// Segments after recovery.
    public var segmentCount = 0
    /// Byte position in the last `.log` from which batches were checked with the validator
    /// (the position of its last usable offset index entry, or 0).
    public var validatedFromPosition: Int64 = 0
    /// Bytes cut from the tail of the last `.log` (torn or garbage bytes after the last good batch).
    public var truncatedBytes: Int64 = 0
    /// Why the scan of the last segment stopped before the end of its file, if it did.
    public var truncationReason: String?
    /// Index files written anew because they were missing or did not match the log (names).
    public var rebuiltIndexFiles: [String] = []
    /// Index files removed because their `.log` was gone (names).
    public var removedFiles: [String] = []

    public init() {}
}

/// Start-up recovery of one partition directory, in the spirit of Kafka's `LogLoader` and
/// `LogSegment.recover()`: every segment but the last was synced when the log rolled past it
/// and is trusted (its indexes are only sanity-checked, rebuilt if missing or broken); the last
/// segment may end in a torn or half-written batch after a crash and is scanned.
enum LogRecovery {
    struct Context {
        var directory: String
        var fileSystem: any SegmentFileSystem
        var configuration: PartitionLogConfiguration
        var validator: BatchValidator
        var now: Int64
        var logger: Logger
    }

    static func recover(_ context: Context) throws -> (segments: [Segment], report: LogRecoveryReport) {
        var report = LogRecoveryReport()
        let fileSystem = context.fileSystem
        try fileSystem.createDirectory(atPath: context.directory)

        // First pass: find the segments. Names that are not ours (future snapshot files,
        // an operator's notes) are left alone.
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

        // A new partition: one empty segment at offset 0.
        guard let lastBase = bases.last else {
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

        // Third pass: load every segment but the last, rebuilding missing or broken indexes.
        var segments: [Segment] = []
        do {
            for (index, base) in bases.dropLast().enumerated() {
                segments.append(try loadClosedSegment(base: base, nextBase: bases[index + 1], context, &report))
            }
            // Fourth pass: recover the last segment: scan it from its last index entry, cut a
            // torn tail, rebuild its indexes.
            segments.append(try recoverLastSegment(base: lastBase, context, &report))
        } catch {
            for segment in segments { segment.close() }
            throw error
        }
        report.segmentCount = segments.count
        return (segments, report)
    }

    typealias SegmentFiles = (log: any SegmentFile, offsetIndex: any SegmentFile, timeIndex: any SegmentFile)

    /// Opens the three files of a segment, creating missing index files; says which were missing.
    private static func openFiles(
        _ paths: Segment.Paths,
        _ fileSystem: any SegmentFileSystem
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

    /// A segment the log rolled past. Its log is whole (it was synced before the next segment
    /// was created), so any problem in it is corruption for an operator, not a torn tail.
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
                // Rebuild both from a full, validated scan.
                var builder = SegmentIndexBuilder(
                    baseOffset: base, indexIntervalBytes: context.configuration.indexIntervalBytes)
                var rebuiltOffsets = OffsetIndex(baseOffset: base)
                var rebuiltTimes = TimeIndex(baseOffset: base)
                let outcome = try scanner.scan(from: 0, expectedOffset: base, validateFrom: 0) { header, position in
                    let (offsetEntry, timeEntry) = builder.add(header, at: position)
                    if let offsetEntry { rebuiltOffsets.append(offsetEntry) }
                    if let timeEntry { rebuiltTimes.append(timeEntry) }
                }
                guard outcome.stop == nil, outcome.nextOffset == nextBase else {
                    throw corrupt(outcome.stop, nextOffset: outcome.nextOffset)
                }
                try writeIndexes(files, missing, rebuiltOffsets, rebuiltTimes, context, &report)
                return Segment(
                    baseOffset: base, paths: paths, files: files, size: size, nextOffset: nextBase,
                    offsetIndex: rebuiltOffsets, timeIndex: rebuiltTimes, builder: nil,
                    maxTimestamp: builder.maxTimestamp, createdAtMilliseconds: context.now
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
                validateFrom: Int64.max
            ) { header, _ in maxTimestamp = max(maxTimestamp, header.maxTimestamp) }
            guard outcome.stop == nil, outcome.nextOffset == nextBase else {
                throw corrupt(outcome.stop, nextOffset: outcome.nextOffset)
            }
            return Segment(
                baseOffset: base, paths: paths, files: files, size: size, nextOffset: nextBase,
                offsetIndex: offsetIndex, timeIndex: timeIndex, builder: nil,
                maxTimestamp: maxTimestamp, createdAtMilliseconds: context.now
            )
        } catch {
            files.log.close()
            files.offsetIndex.close()
            files.timeIndex.close()
            throw error
        }
    }

    /// The active segment at the time of the crash or shutdown. Every batch from its last usable
    /// offset index entry on is checked with the validator; before that entry only headers are
    /// walked (those bytes were indexed, so a sync covered them or the index is itself stale, in
    /// which case the walk or the check at the entry fails). The log is cut at the first bad
    /// batch and both indexes are rebuilt from the walk, which is how they would have been
    /// written live.
    private static func recoverLastSegment(
        base: Int64,
        _ context: Context,
        _ report: inout LogRecoveryReport
    ) throws -> Segment {
        let paths = Segment.Paths(directory: context.directory, baseOffset: base)
        let (files, missing) = try openFiles(paths, context.fileSystem)
        do {
            let fileSize = try files.log.size()
            let existingOffsets = OffsetIndex(baseOffset: base, fileBytes: try files.offsetIndex.readAll())
            let validateFrom = Int64(
                existingOffsets?.entries.last(where: { Int64($0.position) < fileSize })?.position ?? 0)
            report.validatedFromPosition = validateFrom

            var builder = SegmentIndexBuilder(
                baseOffset: base, indexIntervalBytes: context.configuration.indexIntervalBytes)
            var offsetIndex = OffsetIndex(baseOffset: base)
            var timeIndex = TimeIndex(baseOffset: base)
            let scanner = SegmentScanner(
                file: files.log, segmentBaseOffset: base, size: fileSize, validator: context.validator)
            let outcome = try scanner.scan(from: 0, expectedOffset: base, validateFrom: validateFrom) {
                header, position in
                let (offsetEntry, timeEntry) = builder.add(header, at: position)
                if let offsetEntry { offsetIndex.append(offsetEntry) }
                if let timeEntry { timeIndex.append(timeEntry) }
            }

            if outcome.endPosition < fileSize {
                try files.log.truncate(toSize: outcome.endPosition)
                report.truncatedBytes = fileSize - outcome.endPosition
                report.truncationReason = outcome.stop?.reason
                context.logger.debug(
                    "truncated torn tail of the log",
                    metadata: [
                        "path": "\(paths.log)",
                        "position": "\(outcome.endPosition)",
                        "bytes": "\(fileSize - outcome.endPosition)",
                        "reason": "\(outcome.stop?.reason ?? "")",
                    ]
                )
            }
            try files.log.sync()
            try writeIndexes(files, missing, offsetIndex, timeIndex, context, &report)
            return Segment(
                baseOffset: base, paths: paths, files: files, size: outcome.endPosition, nextOffset: outcome.nextOffset,
                offsetIndex: offsetIndex, timeIndex: timeIndex, builder: builder,
                maxTimestamp: builder.maxTimestamp, createdAtMilliseconds: context.now
            )
        } catch {
            files.log.close()
            files.offsetIndex.close()
            files.timeIndex.close()
            throw error
        }
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
