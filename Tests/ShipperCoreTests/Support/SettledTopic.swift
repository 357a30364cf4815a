import Foundation
import PipelineTestSupport

/// What the broker holds once a shipper has shipped everything it will ship: read only after
/// every expected line is there *and* the shipper is idle (nothing in flight, the acknowledged
/// count unchanged for a while), so a duplicate stored late by a resend or a re-read is seen
/// (PITFALLS.md: read back only after the counters have settled).
enum SettledTopic {
    static let topic = "edgelog.requests"

    static func read(
        expecting expected: Set<String>,
        broker: BrokerProcess,
        shipper: ShipperProcess,
        timeout: Duration = .seconds(60)
    ) async throws -> TopicContents {
        let deadline = ContinuousClock.now + timeout
        var contents = try await TopicContents.read(bootstrap: broker.bootstrap, topic: topic)
        while !expected.isSubset(of: contents.entries.map(\.record.path)), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            contents = try await TopicContents.read(bootstrap: broker.bootstrap, topic: topic)
        }
        var last: Double?
        var stableSamples = 0
        while stableSamples < 3, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(300))
            guard let metrics = try? await shipper.metrics() else { continue }
            let acknowledged = metrics["edgelog_shipper_records_acknowledged_total"] ?? 0
            let idle = (metrics["edgelog_shipper_batches_in_flight"] ?? 0) == 0
            stableSamples = idle && acknowledged == last ? stableSamples + 1 : 0
            last = acknowledged
        }
        return try await TopicContents.read(bootstrap: broker.bootstrap, topic: topic)
    }

    /// Paths stored more than once, with their counts.
    static func duplicates(in contents: TopicContents) -> [String: Int] {
        var counts: [String: Int] = [:]
        for entry in contents.entries { counts[entry.record.path, default: 0] += 1 }
        return counts.filter { $0.value > 1 }
    }
}
