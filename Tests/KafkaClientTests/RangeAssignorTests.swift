import KafkaClient
import PipelineTestSupport
import Testing

/// The `range` strategy, on the cases of Kafka's own `RangeAssignorTest` and on random groups
/// for its invariants.
struct RangeAssignorTests {
    @Test func oneConsumerGetsEveryPartition() {
        let plan = RangeAssignor.assign(subscriptions: ["c": ["t"]], partitionCounts: ["t": 3])
        #expect(plan == ["c": ["t": [0, 1, 2]]])
    }

    @Test func twoConsumersOneTopicThreePartitionsFirstGetsTheExtra() {
        let plan = RangeAssignor.assign(subscriptions: ["consumer2": ["t"], "consumer1": ["t"]], partitionCounts: ["t": 3])
        #expect(plan == ["consumer1": ["t": [0, 1]], "consumer2": ["t": [2]]])
    }

    @Test func twoConsumersTwoTopicsSixPartitions() {
        let plan = RangeAssignor.assign(
            subscriptions: ["c1": ["t1", "t2"], "c2": ["t1", "t2"]], partitionCounts: ["t1": 3, "t2": 3])
        #expect(plan == ["c1": ["t1": [0, 1], "t2": [0, 1]], "c2": ["t1": [2], "t2": [2]]])
    }

    @Test func onlySubscribedTopicsAreAssigned() {
        let plan = RangeAssignor.assign(
            subscriptions: ["c1": ["t1"], "c2": ["t1", "t2"]], partitionCounts: ["t1": 2, "t2": 2, "other": 5])
        #expect(plan == ["c1": ["t1": [0]], "c2": ["t1": [1], "t2": [0, 1]]])
    }

    @Test func moreConsumersThanPartitionsLeavesSomeEmpty() {
        let plan = RangeAssignor.assign(subscriptions: ["a": ["t"], "b": ["t"], "c": ["t"]], partitionCounts: ["t": 2])
        #expect(plan == ["a": ["t": [0]], "b": ["t": [1]], "c": [:]])
    }

    @Test func unknownTopicAssignsNothing() {
        let plan = RangeAssignor.assign(subscriptions: ["a": ["missing"]], partitionCounts: [:])
        #expect(plan == ["a": [:]])
    }

    /// Every partition of every subscribed topic goes to exactly one of its subscribers, and
    /// loads differ by at most one per topic.
    @Test func randomGroupsCoverEveryPartitionOnce() {
        var random = SplitMix64(seed: 0x6e0c)
        for _ in 0..<300 {
            let topics = (0..<Int.random(in: 1...3, using: &random)).map { "t\($0)" }
            var counts: [String: Int] = [:]
            for topic in topics { counts[topic] = Int.random(in: 1...12, using: &random) }
            var subscriptions: [String: [String]] = [:]
            for member in 0..<Int.random(in: 1...6, using: &random) {
                subscriptions["m\(member)"] = topics.filter { _ in Bool.random(using: &random) }
            }
            let plan = RangeAssignor.assign(subscriptions: subscriptions, partitionCounts: counts)
            #expect(Set(plan.keys) == Set(subscriptions.keys))
            for topic in topics {
                let owners = subscriptions.filter { $0.value.contains(topic) }.keys
                let assigned = plan.flatMap { member, topics in (topics[topic] ?? []).map { (member, $0) } }
                if owners.isEmpty {
                    #expect(assigned.isEmpty)
                    continue
                }
                #expect(assigned.map(\.1).sorted() == (0..<Int32(counts[topic] ?? 0)).map { $0 }, "\(topic): \(plan)")
                #expect(assigned.allSatisfy { owners.contains($0.0) }, "only subscribers own \(topic)")
                let loads = owners.map { plan[$0]?[topic]?.count ?? 0 }
                #expect((loads.max() ?? 0) - (loads.min() ?? 0) <= 1, "\(topic) loads \(loads)")
            }
        }
    }
}
