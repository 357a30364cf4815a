/// The batches of one file generation in flight, and the longest prefix of the file whose
/// batches are *all* acknowledged: the only offset a checkpoint may record (DESIGN.md §10.3).
///
/// Batches are registered in file order and tile the file without gaps (each starts where the
/// previous one ended, the first at `acknowledgedOffset`); acknowledgements arrive in any
/// order. Each batch carries a `Mark`, the producer state right after it (next sequence per
/// partition), so the checkpoint gets the state that belongs to its offset.
///
/// Invariants: `acknowledgedOffset ≤ sentOffset`; the in-flight batches, in order, cover
/// exactly `acknowledgedOffset ..< sentOffset`; the first of them is not acknowledged.
///
/// - Complexity: `register` amortized O(1), `acknowledge` O(log n) in the batches in flight.
public struct AcknowledgedPrefix<Mark: Sendable>: Sendable {
    private struct Batch: Sendable {
        var range: Range<Int64>
        var mark: Mark
        var isAcknowledged: Bool
    }

    /// In-flight batches in file order; the live ones start at `head` (the rest are kept until
    /// compaction so removing from the front stays cheap).
    private var batches: [Batch] = []
    private var head = 0

    /// End of the acknowledged prefix: every byte before it is in an acknowledged batch.
    public private(set) var acknowledgedOffset: Int64
    /// The mark of the last batch of the acknowledged prefix; `nil` until one was acknowledged.
    public private(set) var acknowledgedMark: Mark?
    /// End of the last registered batch: where the next batch must start.
    public private(set) var sentOffset: Int64

    /// - Parameter offset: where the file's reading started (its checkpoint offset, or 0).
    public init(startingAt offset: Int64, mark: Mark? = nil) {
        self.acknowledgedOffset = offset
        self.sentOffset = offset
        self.acknowledgedMark = mark
    }

    /// Batches registered and not yet part of the acknowledged prefix.
    public var inFlightCount: Int { batches.count - head }

    /// Registers the next batch, covering `range` of the file.
    public mutating func register(_ range: Range<Int64>, mark: Mark) throws(AcknowledgedPrefixError) {
        guard range.lowerBound == sentOffset, !range.isEmpty else {
            throw AcknowledgedPrefixError(.notContiguous(expectedStart: sentOffset), range: range)
        }
        batches.append(Batch(range: range, mark: mark, isAcknowledged: false))
        sentOffset = range.upperBound
    }

    /// Marks the batch covering exactly `range` as acknowledged and returns whether the
    /// acknowledged prefix grew. Acknowledging a batch already inside the prefix again is
    /// harmless (`false`); a range that is no registered batch throws.
    @discardableResult
    public mutating func acknowledge(_ range: Range<Int64>) throws(AcknowledgedPrefixError) -> Bool {
        if range.upperBound <= acknowledgedOffset, !range.isEmpty { return false }
        guard let index = indexOfBatch(startingAt: range.lowerBound), batches[index].range == range else {
            throw AcknowledgedPrefixError(.unknownBatch, range: range)
        }
        batches[index].isAcknowledged = true
        guard index == head else { return false }
        while head < batches.count, batches[head].isAcknowledged {
            acknowledgedOffset = batches[head].range.upperBound
            acknowledgedMark = batches[head].mark
            head += 1
        }
        if head > 64, head * 2 > batches.count {
            batches.removeFirst(head)
            head = 0
        }
        return true
    }

    /// Binary search over the live batches (sorted, contiguous) for the one starting at `offset`.
    private func indexOfBatch(startingAt offset: Int64) -> Int? {
        var low = head
        var high = batches.count
        while low < high {
            let middle = low + (high - low) / 2
            let start = batches[middle].range.lowerBound
            if start == offset { return middle }
            if start < offset { low = middle + 1 } else { high = middle }
        }
        return nil
    }
}
