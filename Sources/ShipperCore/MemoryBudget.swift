/// The bytes the shipper holds between reading a line and the broker acknowledging it, against
/// `memory-limit` (DESIGN.md §3): pending units, units being encoded (with what encoding them
/// takes), sealed and in-flight batches, unit storage kept for reuse and what the encoding
/// workers keep between units. Reading stops while the budget is exhausted; the log files are
/// the backlog.
///
/// Every holder reserves what it takes and releases exactly that when it lets go, so the
/// reserved total is the sum of what is held right now.
///
/// Invariant: `0 <= reserved`; a release never exceeds what is reserved (a precondition, as a
/// negative total would mean bytes were released twice and the limit no longer holds).
/// The total may exceed `limit`: a reservation is never refused (the bytes exist already),
/// only further reading waits.
struct MemoryBudget {
    /// Bytes above which reading pauses (`memory-limit`).
    let limit: Int
    /// Bytes held now.
    private(set) var reserved = 0

    init(limit: Int) {
        precondition(limit > 0, "a memory limit is positive")
        self.limit = limit
    }

    /// Bytes that may still be read before the limit is reached (0 or less: none).
    var room: Int { limit - reserved }

    /// Reading waits while this is true.
    var isExhausted: Bool { reserved >= limit }

    /// Counts `bytes` a holder now keeps.
    mutating func reserve(_ bytes: Int) {
        precondition(bytes >= 0, "reserving \(bytes) bytes")
        reserved += bytes
    }

    /// Gives back `bytes` a holder reserved earlier.
    mutating func release(_ bytes: Int) {
        precondition(bytes >= 0, "releasing \(bytes) bytes")
        precondition(bytes <= reserved, "releasing \(bytes) bytes of \(reserved) reserved")
        reserved -= bytes
    }

    /// A holder's reservation changes from `old` to `new` bytes (a unit's storage grew, a
    /// worker keeps more or less between units).
    mutating func resize(from old: Int, to new: Int) {
        if new > old {
            reserve(new - old)
        } else if old > new {
            release(old - new)
        }
    }
}
