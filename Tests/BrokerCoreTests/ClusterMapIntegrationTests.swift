import Foundation
import PipelineTestSupport
import Testing

/// Three `edgelog-broker` processes under one static cluster map, driven by kcat (librdkafka
/// follows partition leaders from Metadata): `kcat -L` through any one of them lists all three
/// and every partition's leader; producing through one bootstrap broker lands each partition on
/// its leader only; a broker killed -9 stops only its own partitions while the others flow, and
/// after its restart its partitions flow again with nothing lost.
@Suite(.serialized, .integration)
struct ClusterMapIntegrationTests {
    static func lines(_ partition: Int, _ range: Range<Int>) -> [String] { range.map { "p\(partition)-\($0)" } }

    @Test func threeBrokersSplitSixPartitionsAndOneRestartsWithoutStoppingTheOthers() async throws {
        let brokers = try (0..<3).map { _ in try BrokerProcess() }
        defer { for broker in brokers { broker.remove() } }
        let map = brokers.enumerated().map { "\($0.offset)=127.0.0.1:\($0.element.port)" }.joined(separator: ",")
        for (id, broker) in brokers.enumerated() {
            broker.extraArguments = [
                "--broker-id", "\(id)", "--cluster-map", map, "--cluster-id", "edgelog-test-cluster",
                "--default-partitions", "6",
            ]
            try await broker.start()
        }
        let entry = brokers[1]
        let logs = { brokers.enumerated().map { "broker \($0.offset):\n\($0.element.logs())" }.joined(separator: "\n") }

        // Produce through broker 1 alone; librdkafka sends each partition to its leader.
        for partition in 0..<6 {
            let produced = try await entry.kcat(
                ["-P", "-t", "spread", "-p", "\(partition)"],
                stdin: Data((Self.lines(partition, 0..<100).joined(separator: "\n") + "\n").utf8))
            #expect(produced.status == 0, "kcat -P p\(partition): \(produced.stderrText)\n\(logs())")
        }
        let listing = try await brokers[2].kcat(["-L", "-t", "spread"])
        #expect(listing.stdoutText.contains("3 brokers:"), "\(listing.stdoutText)")
        for (id, broker) in brokers.enumerated() {
            #expect(listing.stdoutText.contains("broker \(id) at 127.0.0.1:\(broker.port)"), "\(listing.stdoutText)")
        }
        for partition in 0..<6 {
            #expect(listing.stdoutText.contains("partition \(partition), leader \(partition % 3), replicas: \(partition % 3)"))
        }
        // Each partition's records live on its leader alone.
        for (id, broker) in brokers.enumerated() {
            for partition in 0..<6 {
                let log = "\(broker.dataDirectory)/spread-\(partition)/00000000000000000000.log"
                let size = (try? FileManager.default.attributesOfItem(atPath: log)[.size] as? Int) ?? 0
                if partition % 3 == id {
                    #expect(size > 0, "partition \(partition) missing on its leader \(id)")
                } else {
                    #expect(size == 0, "partition \(partition) stored on broker \(id), not its leader")
                }
            }
        }

        // Broker 2 (partitions 2 and 5) dies mid-run: the others keep taking records meanwhile.
        try await brokers[2].kill9()
        for partition in [0, 1, 3, 4] {
            let produced = try await entry.kcat(
                ["-P", "-t", "spread", "-p", "\(partition)", "-X", "message.timeout.ms=10000"],
                stdin: Data((Self.lines(partition, 100..<150).joined(separator: "\n") + "\n").utf8))
            #expect(produced.status == 0, "partition \(partition) stopped with broker 2: \(produced.stderrText)")
        }
        let stranded = try await entry.kcat(
            ["-P", "-t", "spread", "-p", "5", "-X", "message.timeout.ms=2000"], stdin: Data("lost-while-down\n".utf8))
        #expect(stranded.status != 0 || stranded.stderrText.contains("fail"), "a record for a dead leader was acknowledged")
        try await brokers[2].start()
        for partition in [2, 5] {
            let produced = try await entry.kcat(
                ["-P", "-t", "spread", "-p", "\(partition)", "-X", "message.timeout.ms=20000"],
                stdin: Data((Self.lines(partition, 100..<150).joined(separator: "\n") + "\n").utf8))
            #expect(produced.status == 0, "partition \(partition) after the restart: \(produced.stderrText)\n\(logs())")
        }
        // Read everything back through broker 0: every partition whole, in order, once.
        for partition in 0..<6 {
            let consumed = try await brokers[0].kcat(["-C", "-t", "spread", "-p", "\(partition)", "-o", "beginning", "-e", "-q"])
            #expect(consumed.status == 0, "kcat -C p\(partition): \(consumed.stderrText)")
            let got = consumed.stdoutText.split(separator: "\n").map(String.init)
            #expect(got == Self.lines(partition, 0..<150), "partition \(partition): \(got.count) lines")
        }
        for broker in brokers { #expect(try await broker.terminate() == .exited(0)) }
    }
}
