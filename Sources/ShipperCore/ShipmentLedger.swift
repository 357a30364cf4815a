import KafkaClient
import LogTailing

/// The checkpoint groups of one file generation and the longest prefix of the file whose
/// groups are all done (DESIGN.md §10.3): the only offset a checkpoint may record, and the
/// producer sequences that belong to it.
///
/// Why groups: records of one file go to several partitions, each with its own batches, so
/// batches do not tile the file. A *group* is a range of the file `[start, end)`; every batch
/// holds records of one group only, so "all batches of groups up to X are acknowledged" means
/// every line before X is stored. A group ends at the first line end at or after
/// `start + groupBytes` — a pure function of the file's bytes — or where a finished file ends.
/// Checkpoints therefore fall only on those cuts, and a restart from a checkpoint re-creates the
/// same groups with the same records per partition in the same order, so every record gets
/// the sequence number it had before (§10.4). Linger only decides when a batch *inside* a group
/// is sent; its time-dependent cut changes batch boundaries, never sequences, and the broker's
/// trimming absorbs a resend that overlaps differently.
///
/// Group numbers count from 0 over the generation's life; the ledger keeps only the groups
/// from the first one not yet done (`firstGroup`) to the open one.
///
/// Two kinds of cut end a group. An *audit* cut is where a `fileStats` control record closes
/// the file-audit group; it lies on the grid above, so it is part of the record stream. A
/// *checkpoint* cut (the file went idle, the shipper stops) adds no record: it only lets the
/// checkpoint cover every acknowledged line, and the audit group open there is carried in the
/// checkpoint (`Checkpoint.AuditGroup`) so a restart puts the next control record where it
/// would have been. Either way the record stream, and so every sequence, stays the same.
///
/// Producer ids: every sequenced batch remembers the producer it was stamped for. When a new
/// id renumbers what is unacknowledged, the acknowledged batches of groups not yet done keep
/// the old id's numbering; per partition they come first (the broker stores a producer's
/// batches in sequence order), and a checkpoint counts them as `storedAhead` instead of naming
/// their sequences under the new id (DESIGN.md §10.3).
///
/// Invariants: groups tile `acknowledgedOffset ..< openGroupStart` plus the open group; only
/// the last group is open; a group is done when closed and its `outstanding` is 0.
struct ShipmentLedger: Sendable {
    private struct Group: Sendable {
        var start: Int64
        var end: Int64?
        /// Batches sealed for this group and not yet acknowledged (or given up).
        var outstanding: Int
        /// Lines read into the group.
        var lines: Int
        /// At a checkpoint cut, the audit group still open at `end`.
        var auditGroupAtEnd: Checkpoint.AuditGroup? = nil
    }

    /// One sequenced batch, kept until its group is part of the acknowledged prefix.
    private struct SequencedBatch: Sendable {
        var id: UInt64
        var group: Int
        var baseSequence: Int32
        var recordCount: Int32
        /// The producer it is stamped for; `nil` for records not sent because an earlier
        /// producer id stored them before a restart (`storedBefore`).
        var producer: ProducerIdentity?
    }

    private var groups: [Group]
    /// Number of `groups[0]`.
    private(set) var firstGroup = 0
    /// End of the longest prefix whose groups are all done.
    private(set) var acknowledgedOffset: Int64
    /// The audit group open at `acknowledgedOffset` (`nil`: one starts there).
    private(set) var acknowledgedAuditGroup: Checkpoint.AuditGroup?
    /// Per partition, the sequenced batches of groups not yet done, in sequence order.
    private var sequenced: [Int32: [SequencedBatch]] = [:]

    /// - Parameter auditGroup: the audit group open at `offset` (a checkpoint's).
    init(startingAt offset: Int64, auditGroup: Checkpoint.AuditGroup? = nil) {
        acknowledgedOffset = offset
        acknowledgedAuditGroup = auditGroup
        groups = [Group(start: offset, end: nil, outstanding: 0, lines: 0)]
    }

    /// Number of the open group, which new batches belong to.
    var openGroup: Int { firstGroup + groups.count - 1 }
    /// Where the open group starts.
    var openGroupStart: Int64 { groups[groups.count - 1].start }
    /// Lines read into the open group.
    var openGroupLines: Int { groups[groups.count - 1].lines }
    /// Whether every group is done and the open one is empty: nothing left to acknowledge.
    var isSettled: Bool { groups.count == 1 && groups[0].outstanding == 0 && groups[0].lines == 0 }

    mutating func linesRead(_ count: Int) {
        groups[groups.count - 1].lines += count
    }

    /// A batch of the open group was sealed; returns its group number.
    mutating func batchSealed() -> Int {
        groups[groups.count - 1].outstanding += 1
        return openGroup
    }

    /// A sealed batch got its sequence under `producer` (it is about to be sent).
    mutating func batchSequenced(
        id: UInt64, partition: Int32, baseSequence: Int32, recordCount: Int32, producer: ProducerIdentity, group: Int
    ) {
        sequenced[partition, default: []].append(
            SequencedBatch(
                id: id, group: group, baseSequence: baseSequence, recordCount: recordCount, producer: producer))
    }

    /// A new producer id renumbered an unacknowledged batch.
    mutating func batchResequenced(id: UInt64, partition: Int32, baseSequence: Int32, producer: ProducerIdentity) {
        guard let index = sequenced[partition]?.firstIndex(where: { $0.id == id && $0.producer != nil }) else { return }
        sequenced[partition]?[index].baseSequence = baseSequence
        sequenced[partition]?[index].producer = producer
    }

    /// `count` records of the partition, read into the open group, were not sent: the broker
    /// stored them under an earlier producer id before a restart (a checkpoint's `storedAhead`).
    mutating func recordsStoredBefore(partition: Int32, count: Int32) {
        sequenced[partition, default: []].append(
            SequencedBatch(id: .max, group: openGroup, baseSequence: 0, recordCount: count, producer: nil))
    }

    /// A batch of `group` is acknowledged (or given up for good). Returns whether the
    /// acknowledged prefix grew.
    @discardableResult
    mutating func batchDone(group: Int) -> Bool {
        let index = group - firstGroup
        guard groups.indices.contains(index), groups[index].outstanding > 0 else { return false }
        groups[index].outstanding -= 1
        return advance()
    }

    /// Ends the open group at `end` (a line boundary at or after its start) and opens the next
    /// one there. A group without bytes is closed only when it has batches (a control record
    /// reporting a loss at the end of a file); otherwise nothing would mark its end.
    /// - Parameter auditGroup: for a checkpoint cut, the audit group still open at `end`;
    ///   `nil` for an audit cut.
    /// Returns whether the acknowledged prefix grew.
    @discardableResult
    mutating func closeGroup(at end: Int64, auditGroup: Checkpoint.AuditGroup? = nil) -> Bool {
        let last = groups.count - 1
        guard end > groups[last].start || (end == groups[last].start && groups[last].outstanding > 0) else {
            return false
        }
        groups[last].end = end
        groups[last].auditGroupAtEnd = auditGroup
        groups.append(Group(start: end, end: nil, outstanding: 0, lines: 0))
        return advance()
    }

    /// The producer state a checkpoint at `acknowledgedOffset` records, per partition:
    /// - `storedAhead`: the records of groups not yet done stored under another producer id
    ///   than `current` (they lead the partition's batches), plus `pendingStoredAhead` (records
    ///   a restart still has to skip, not yet read);
    /// - `sequences`: the sequence under `current` of the first record after those: its first
    ///   batch in a group not yet done, else what the producer gives the partition's next batch
    ///   (omitted when 0 and nothing is stored ahead).
    func checkpointState(
        partitions: some Sequence<Int32>,
        current: ProducerIdentity,
        pendingStoredAhead: [Int32: Int32],
        nextSequence: (Int32) -> Int32
    ) -> (sequences: [Int32: Int32], storedAhead: [Int32: Int32]) {
        var sequences: [Int32: Int32] = [:]
        var storedAhead: [Int32: Int32] = [:]
        for partition in partitions {
            var ahead: Int32 = 0
            var first: SequencedBatch?
            for batch in sequenced[partition] ?? [] {
                if batch.producer == current {
                    first = batch
                    break
                }
                ahead += batch.recordCount
            }
            if let first {
                sequences[partition] = first.baseSequence
            } else {
                ahead += pendingStoredAhead[partition] ?? 0
                let next = nextSequence(partition)
                if next != 0 { sequences[partition] = next }
            }
            if ahead > 0 { storedAhead[partition] = ahead }
        }
        return (sequences, storedAhead)
    }

    /// Partitions with a sequenced batch not yet part of the prefix.
    var partitionsInLedger: [Int32] { Array(sequenced.keys) }

    private mutating func advance() -> Bool {
        var advanced = false
        while groups.count > 1, let end = groups[0].end, groups[0].outstanding == 0 {
            acknowledgedOffset = end
            acknowledgedAuditGroup = groups[0].auditGroupAtEnd
            groups.removeFirst()
            firstGroup += 1
            advanced = true
        }
        if advanced {
            for partition in Array(sequenced.keys) {
                sequenced[partition]?.removeAll { $0.group < firstGroup }
                if sequenced[partition]?.isEmpty == true { sequenced[partition] = nil }
            }
        }
        return advanced
    }
}
