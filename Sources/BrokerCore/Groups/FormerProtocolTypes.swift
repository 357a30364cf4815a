import NIOCore

/// The protocol type ("consumer") of each group the coordinator forgot once it emptied, so that
/// an `Empty` group with committed offsets is still listed and described with it, as Kafka does
/// (admin clients tell consumer groups from offsets committed without one by it). In memory
/// only: after a restart such a group reads as "" until a member joins again.
///
/// Bounded by `capacity` (the coordinator's `maxGroups`): when full, remembering one more group
/// forgets the group remembered longest ago. Remembering a group again (it emptied once more)
/// counts as a new insertion, so the survivors are always the `capacity` groups that emptied
/// most recently — the ones an operator is most likely to list, describe or delete next. Groups
/// that never committed offsets are remembered too (the coordinator cannot ask the offset
/// store without waiting on its fsyncs); readers only look up groups that have offsets.
///
/// Eviction is O(1) amortised: `types` holds each group's type and the sequence number of its
/// latest insertion, `order` every insertion as (group, sequence), oldest first. An entry of
/// `order` whose sequence is no longer its group's (the group was forgotten, or remembered
/// again later) is stale: eviction skips it, and once `order` holds more than twice `capacity`
/// entries it is rebuilt without them — after at least `capacity` insertions since the last
/// rebuild, so each insertion pays O(1) for it.
///
/// Invariants: `types.count <= capacity`; every group in `types` has exactly one entry in
/// `order` with its sequence; `order.count <= 2 * capacity` between calls.
struct FormerProtocolTypes {
    private struct Remembered {
        var protocolType: String
        var sequence: UInt64
    }

    private struct Insertion {
        var groupID: String
        var sequence: UInt64
    }

    /// Most groups remembered at once.
    let capacity: Int
    private var types: [String: Remembered] = [:]
    private var order = CircularBuffer<Insertion>()
    private var nextSequence: UInt64 = 0

    /// - Parameter capacity: most groups remembered at once; 0 remembers nothing.
    init(capacity: Int) {
        precondition(capacity >= 0, "a negative capacity")
        self.capacity = capacity
    }

    /// How many groups are remembered.
    var count: Int { types.count }

    /// The protocol type remembered for `groupID`, if any.
    subscript(groupID: String) -> String? { types[groupID]?.protocolType }

    /// Remembers `protocolType` for `groupID` as the newest entry, forgetting the oldest group
    /// when `capacity` groups are remembered already.
    mutating func remember(_ protocolType: String, for groupID: String) {
        guard capacity > 0 else { return }
        if types[groupID] == nil, types.count >= capacity { evictOldest() }
        nextSequence &+= 1
        types[groupID] = Remembered(protocolType: protocolType, sequence: nextSequence)
        order.append(Insertion(groupID: groupID, sequence: nextSequence))
        if order.count > 2 * capacity { dropStaleInsertions() }
        precondition(types.count <= capacity, "FormerProtocolTypes: more groups than its capacity")
        precondition(order.count <= 2 * capacity, "FormerProtocolTypes: stale insertions not dropped")
    }

    /// Forgets `groupID` (DeleteGroups); its entry in `order` goes stale.
    mutating func forget(_ groupID: String) {
        types[groupID] = nil
    }

    /// The groups remembered, oldest first (for tests and debugging).
    var groupIDsOldestFirst: [String] {
        order.filter { isCurrent($0) }.map(\.groupID)
    }

    private func isCurrent(_ insertion: Insertion) -> Bool {
        types[insertion.groupID]?.sequence == insertion.sequence
    }

    /// Removes the oldest current entry; stale ones in front of it are dropped on the way.
    /// Every remembered group has a current entry in `order`, so one is found before it runs dry.
    private mutating func evictOldest() {
        let before = types.count
        while types.count == before, let oldest = order.popFirst() {
            if isCurrent(oldest) { types[oldest.groupID] = nil }
        }
        precondition(types.count == before - 1, "FormerProtocolTypes: a remembered group had no insertion")
    }

    private mutating func dropStaleInsertions() {
        order = CircularBuffer(order.filter { isCurrent($0) })
        precondition(order.count == types.count, "FormerProtocolTypes: an insertion lost or duplicated")
    }
}
