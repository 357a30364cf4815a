import Foundation
import PipelineTestSupport
import Testing

/// The shipper's `partitions` setting against the real broker process: the topic is created
/// with that count when missing (the broker's default would be 1); an existing topic keeps
/// its count; with the broker's admin requests off the shipper falls back to auto-creation and
/// ships all the same.
@Suite(.serialized, .integration)
struct ShipperTopicCreationTests {
    static func arguments(_ path: String, partitions: Int) -> [String] {
        [
            "--files", "\(path):edge", "--poll-interval", "50ms", "--checkpoint-interval", "50ms", "--linger", "10ms",
            "--partitions", "\(partitions)",
        ]
    }

    static func partitionCount(_ broker: BrokerProcess, topic: String = "edgelog.requests") async throws -> Int {
        let listing = try await broker.kcat(["-L", "-t", topic])
        return listing.stdoutText.split(separator: "\n").filter { $0.contains("partition ") && $0.contains("leader") }.count
    }

    @Test(arguments: ["create", "off"])
    func theShipperCreatesItsTopicWithItsPartitionCount(adminRequests: String) async throws {
        let directory = try TestLog.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/access.log"
        let (text, _) = TestLog.lines(tag: "t", 0..<50, host: "a.example")
        try TestLog.append(text, to: path)
        let broker = try BrokerProcess(partitions: 1, extraArguments: ["--admin-requests", adminRequests])
        defer { broker.remove() }
        try await broker.start()
        let shipper = ShipperProcess(broker: broker.bootstrap, arguments: Self.arguments(path, partitions: 5))
        defer { shipper.remove() }
        try await shipper.start()
        _ = try await shipper.waitForMetrics(timeout: .seconds(60), "every line acknowledged") {
            $0["edgelog_shipper_records_acknowledged_total"] == 50
        }
        let count = try await Self.partitionCount(broker)
        if adminRequests == "create" {
            #expect(count == 5, "\(shipper.logs())")
        } else {
            #expect(count == 1, "auto-created with the broker's default")
            #expect(shipper.logs().contains("leaving it to auto-creation"), "\(shipper.logs())")
        }
        #expect(try await shipper.terminate() == .exited(0), "\(shipper.logs())")

        // Restarted with another count: the topic keeps its partitions, and the shipper says so.
        let again = ShipperProcess(
            broker: broker.bootstrap, arguments: Self.arguments(path, partitions: 7),
            checkpointDirectory: shipper.checkpointDirectory)
        defer { again.remove() }
        try await again.start()
        let deadline = ContinuousClock.now + .seconds(30)
        while !again.logs().contains("another partition count"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(again.logs().contains("another partition count"), "\(again.logs())")
        #expect(try await Self.partitionCount(broker) == count)
        #expect(try await again.terminate() == .exited(0))
    }
}
