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
    }

    /// One sequenced batch, kept until its group is part of the acknowledged prefix.
    private struct SequencedBatch: Sendable {
        var id: UInt64
        var group: Int
        var baseSequence: Int32
    }

    private var groups: [Group]
    /// Number of `groups[0]`.
    private(set) var firstGroup = 0
    /// End of the longest prefix whose groups are all done.
    private(set) var acknowledgedOffset: Int64
    /// Per partition, the sequenced batches of groups not yet done, in sequence order.
    private var sequenced: [Int32: [SequencedBatch]] = [:]

    init(startingAt offset: Int64) {
        acknowledgedOffset = offset
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

    /// A sealed batch got its sequence (it is about to be sent).
    mutating func batchSequenced(id: UInt64, partition: Int32, baseSequence: Int32, group: Int) {
        sequenced[partition, default: []].append(SequencedBatch(id: id, group: group, baseSequence: baseSequence))
    }

    /// A new producer id renumbered an unacknowledged batch.
    mutating func batchResequenced(id: UInt64, partition: Int32, baseSequence: Int32) {
        guard let index = sequenced[partition]?.firstIndex(where: { $0.id == id }) else { return }
        sequenced[partition]?[index].baseSequence = baseSequence
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
    /// Returns whether the acknowledged prefix grew.
    @discardableResult
    mutating func closeGroup(at end: Int64) -> Bool {
        let last = groups.count - 1
        guard end > groups[last].start || (end == groups[last].start && groups[last].outstanding > 0) else {
            return false
        }
        groups[last].end = end
        groups.append(Group(start: end, end: nil, outstanding: 0, lines: 0))
        return advance()
    }

    /// The next sequence of every partition as of `acknowledgedOffset`: the first batch of a
    /// group not yet done, else what the producer would give the partition's next batch.
    func sequencesAtAcknowledgedOffset(
        partitions: some Sequence<Int32>,
        nextSequence: (Int32) -> Int32
    ) -> [Int32: Int32] {
        var result: [Int32: Int32] = [:]
        for partition in partitions {
            if let first = sequenced[partition]?.first {
                result[partition] = first.baseSequence
            } else {
                let next = nextSequence(partition)
                if next != 0 { result[partition] = next }
            }
        }
        return result
    }

    /// Partitions with a sequenced batch not yet part of the prefix.
    var partitionsInLedger: [Int32] { Array(sequenced.keys) }

    private mutating func advance() -> Bool {
        var advanced = false
        while groups.count > 1, let end = groups[0].end, groups[0].outstanding == 0 {
            acknowledgedOffset = end
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
