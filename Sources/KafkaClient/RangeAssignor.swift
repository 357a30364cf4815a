/// Kafka's `range` assignment strategy, computed by whichever member the coordinator made the
/// group's leader: per topic, the members subscribed to it in member-id order each get one
/// contiguous run of partitions, the first `count % members` one partition more. The same
/// inputs give the same answer on every client (librdkafka's and Kafka's `range` agree), so an
/// edgelog leader and a kcat leader assign a shared group alike.
///
/// Pure: no I/O. Invariants of the result: every member has an entry (possibly empty); every
/// partition of every subscribed topic with a known count is owned by exactly one subscriber.
public enum RangeAssignor {
    /// The protocol name members offer in JoinGroup.
    public static let name = "range"

    /// - Parameters:
    ///   - subscriptions: member id → the topics it subscribes to.
    ///   - partitionCounts: topic → its partition count; topics without one are not assigned.
    /// - Returns: member id → topic → partitions, ascending.
    public static func assign(
        subscriptions: [String: [String]], partitionCounts: [String: Int]
    ) -> [String: [String: [Int32]]] {
        var result: [String: [String: [Int32]]] = [:]
        for member in subscriptions.keys { result[member] = [:] }
        let topics = Set(subscriptions.values.flatMap { $0 })
        for topic in topics.sorted() {
            guard let count = partitionCounts[topic], count > 0 else { continue }
            let members = subscriptions.filter { $0.value.contains(topic) }.keys.sorted()
            guard !members.isEmpty else { continue }
            let each = count / members.count
            let extra = count % members.count
            for (index, member) in members.enumerated() {
                let start = each * index + min(index, extra)
                let length = each + (index < extra ? 1 : 0)
                guard length > 0 else { continue }
                result[member, default: [:]][topic] = (start..<(start + length)).map { Int32($0) }
            }
        }
        return result
    }
}
