import ConsumerCore
import EdgelogRuntime
import Foundation
import PipelineTestSupport
import Testing

/// The `edgelog-consumer` executable's surface: settings, `--print-config`, and that a password
/// in a shard's connection string never shows in its output, logs or `/metrics`.
@Suite(.serialized, .integration)
struct ConsumerCommandTests {
    static let secret = "hunter2-\(UInt32.random(in: 0...UInt32.max))"
    static var shard: String { "host=127.0.0.1 port=1 dbname=edgelog user=writer password=\(secret) connect_timeout=1" }

    @Test func printConfigRedactsTheShards() async throws {
        let executable = try BuiltExecutable.path(named: "edgelog-consumer")
        let result = try await ExternalTool.run(executable, ["--print-config", "--shards", Self.shard, "--partitions", "0,2"])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(!result.stdoutText.contains(Self.secret) && !result.stderrText.contains(Self.secret))
        #expect(result.stdoutText.contains("flush-interval") && result.stdoutText.contains("lateness"))
        #expect(result.stdoutText.contains("partitions"))
    }

    @Test func helpDocumentsEverySetting() async throws {
        let executable = try BuiltExecutable.path(named: "edgelog-consumer")
        let help = try await ExternalTool.run(executable, ["--help"]).stdoutText
        for key in ConsumerConfiguration.Keys.all where key.name != "commit-delay" {
            #expect(help.contains(key.name), "--help mentions \(key.name)")
        }
    }

    @Test func invalidSettingsAreRefusedWithTheirName() async throws {
        let executable = try BuiltExecutable.path(named: "edgelog-consumer")
        let noShards = try await ExternalTool.run(executable, ["--metrics-port", "0"])
        #expect(noShards.status != 0 && noShards.stderrText.contains("shards"), "\(noShards.stderrText)")
        let badPartition = try await ExternalTool.run(executable, ["--shards", Self.shard, "--partitions", "x"])
        #expect(badPartition.status != 0 && badPartition.stderrText.contains("partitions"))
        #expect(!badPartition.stderrText.contains(Self.secret))
    }

    /// A shard that refuses connections: the consumer retries and says which shard, by its
    /// redacted connection string, in logs and metrics, never with the password.
    @Test func anUnreachableShardIsLoggedWithoutItsPassword() async throws {
        let broker = try BrokerProcess(partitions: 2)
        defer { broker.remove() }
        try await broker.start()
        _ = try await broker.kcat(["-P", "-t", "edgelog.requests", "-p", "0"], stdin: Data("x\n".utf8))
        let consumer = ConsumerProcess(broker: broker.bootstrap, shards: [Self.shard], arguments: ["--retry-backoff-max", "200ms"])
        defer { consumer.remove() }
        try await consumer.start()
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline, !consumer.logs().contains("retrying") {
            try await Task.sleep(for: .milliseconds(100))
        }
        let logs = consumer.logs()
        #expect(logs.contains("retrying") && logs.contains("password=<redacted>"), "\(logs.suffix(2000))")
        #expect(!logs.contains(Self.secret))
        let metrics = try LoopbackProbe.httpGet(port: consumer.metricsPort, path: "/metrics", timeout: .seconds(5))
        #expect(!String(decoding: metrics.body, as: UTF8.self).contains(Self.secret))
        #expect(try await consumer.terminate(timeout: .seconds(10)) == .exited(0), "SIGTERM while starting exits 0")
    }
}
