import Logging
import SegmentStore

/// What one retention run deleted.
public struct RetentionReport: Sendable, Hashable {
    /// Why a segment went.
    public enum Reason: String, Sendable, Hashable {
        /// Its last append is older than `retention`.
        case age
        /// Its partition held more than `retention-bytes`.
        case size
        /// All partitions together held more than `disk-limit-bytes` (a forced deletion).
        case diskLimit = "disk-limit"
    }

    public struct Deletion: Sendable, Hashable {
        public var topic: String
        public var partition: Int32
        public var baseOffset: Int64
        public var endOffset: Int64
        public var reason: Reason
    }

    public var deletions: [Deletion] = []
    /// Records deleted by the disk limit that no live group had consumed (all of a forced
    /// segment's records above the lowest live committed offset; all of them when no group is
    /// live): lost to consumers, counted and logged.
    public var forcedLossRecords: Int64 = 0
}

extension BrokerNode {
    /// Deletes whole old segments (DESIGN §4), never the active one of a partition:
    ///
    /// 1. Per partition, oldest first, while the segment's last append is older than `retention`
    ///    or the partition holds more than `retention-bytes` — but only segments that end at or
    ///    below the lowest offset committed for the partition by a group that committed within
    ///    the retention period (a live consumer never loses records it has not read).
    /// 2. Then, while all partitions together hold more than `disk-limit-bytes`, the oldest
    ///    segment of any partition (by last append), even above live committed offsets: each
    ///    such deletion is logged and its unconsumed records counted as a loss.
    ///
    /// Idle producers' state is forgotten on the same schedule. Blocking (deletes files): run it
    /// on a storage thread.
    @discardableResult
    public func enforceRetention() -> RetentionReport {
        var report = RetentionReport()
        let partitions = catalog.allPartitions
        let now = clock.milliseconds()
        let retention = configuration.retentionMilliseconds
        let liveSince = retention > 0 ? now - retention : Int64.min
        for partition in partitions {
            enforceAgeAndSize(on: partition, now: now, liveSince: liveSince, into: &report)
        }
        if configuration.diskLimitBytes > 0 {
            enforceDiskLimit(on: partitions, liveSince: liveSince, into: &report)
        }
        for partition in partitions { partition.producers.expireIdleProducers() }
        return report
    }

    /// Pass 1 for one partition: its oldest segments while too old or too many bytes, never
    /// above what a live group has yet to read.
    private func enforceAgeAndSize(
        on partition: Partition,
        now: Int64,
        liveSince: Int64,
        into report: inout RetentionReport
    ) {
        let retention = configuration.retentionMilliseconds
        let floor = committedOffsets.lowestCommittedOffset(
            topic: partition.topic, partition: partition.index, committedSince: liveSince)
        var total = partition.log.sizeInBytes
        for segment in partition.log.segments where !segment.isActive {
            let tooOld = retention > 0 && segment.lastAppendMilliseconds < now - retention
            let tooBig = configuration.retentionBytes > 0 && total > configuration.retentionBytes
            guard tooOld || tooBig, segment.endOffset <= floor ?? Int64.max else { break }
            guard delete(segment, of: partition, reason: tooOld ? .age : .size, into: &report) else { break }
            total -= segment.bytes
        }
    }

    /// Pass 2: while all partitions together hold more than the disk limit, the segment with
    /// the oldest last append of any partition goes, its unconsumed records counted as lost.
    private func enforceDiskLimit(on partitions: [Partition], liveSince: Int64, into report: inout RetentionReport) {
        var usage = partitions.reduce(Int64(0)) { $0 + $1.log.sizeInBytes }
        while usage > configuration.diskLimitBytes {
            let oldest = partitions.compactMap { partition -> (PartitionLog.SegmentSummary, Partition)? in
                guard let first = partition.log.segments.first, !first.isActive else { return nil }
                return (first, partition)
            }.min { $0.0.lastAppendMilliseconds < $1.0.lastAppendMilliseconds }
            guard let (segment, partition) = oldest else {
                logger.error(
                    "disk limit exceeded but only active segments are left",
                    metadata: ["usage-bytes": "\(usage)", "disk-limit-bytes": "\(configuration.diskLimitBytes)"]
                )
                return
            }
            guard delete(segment, of: partition, reason: .diskLimit, into: &report) else { return }
            usage -= segment.bytes
            countForcedLoss(segment, of: partition, liveSince: liveSince, into: &report)
        }
    }

    private func countForcedLoss(
        _ segment: PartitionLog.SegmentSummary,
        of partition: Partition,
        liveSince: Int64,
        into report: inout RetentionReport
    ) {
        let floor =
            committedOffsets.lowestCommittedOffset(
                topic: partition.topic, partition: partition.index, committedSince: liveSince)
            ?? segment.baseOffset
        let lost = max(0, segment.endOffset - max(segment.baseOffset, floor))
        report.forcedLossRecords += lost
        metrics.forcedLossRecords.increment(by: lost)
        logger.warning(
            "disk limit forced deletion of a segment",
            metadata: [
                "topic": "\(partition.topic)", "partition": "\(partition.index)",
                "offsets": "\(segment.baseOffset)..<\(segment.endOffset)", "unconsumed-records-lost": "\(lost)",
            ]
        )
    }

    private func delete(
        _ segment: PartitionLog.SegmentSummary,
        of partition: Partition,
        reason: RetentionReport.Reason,
        into report: inout RetentionReport
    ) -> Bool {
        do {
            let deleted = try partition.log.deleteSegments(before: segment.endOffset)
            guard deleted.contains(segment.baseOffset) else { return false }
        } catch {
            logger.error(
                "retention could not delete a segment",
                metadata: ["path": "\(partition.log.directory)", "error": "\(error)"]
            )
            return false
        }
        report.deletions.append(
            .init(
                topic: partition.topic, partition: partition.index, baseOffset: segment.baseOffset,
                endOffset: segment.endOffset, reason: reason
            )
        )
        switch reason {
        case .age: metrics.deletedByAge.increment()
        case .size: metrics.deletedBySize.increment()
        case .diskLimit: metrics.deletedByDiskLimit.increment()
        }
        logger.info(
            "retention deleted a segment",
            metadata: [
                "topic": "\(partition.topic)", "partition": "\(partition.index)",
                "base-offset": "\(segment.baseOffset)", "reason": "\(reason.rawValue)",
            ]
        )
        return true
    }
}
