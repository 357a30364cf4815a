import Foundation
import PipelineTestSupport
import Testing

/// CreateTopics and DeleteTopics from a third-party admin client: confluent-kafka-python's
/// `AdminClient` (librdkafka underneath, the Debian package `python3-confluent-kafka`), against
/// the real broker process; and how the same library's transactional producer is refused.
@Suite(.serialized, .integration)
struct AdminClientInteropTests {
    static let python = "/usr/bin/python3"

    /// Prints one line per step: `name=outcome`, outcome being `ok` or the Kafka error name.
    static let script = #"""
        import sys
        from confluent_kafka.admin import AdminClient, NewTopic
        admin = AdminClient({"bootstrap.servers": sys.argv[1]})
        def outcome(futures):
            for name, future in futures.items():
                try:
                    future.result(timeout=15)
                    return "ok"
                except Exception as error:
                    return error.args[0].name()
        print("create=" + outcome(admin.create_topics([NewTopic("made-by-admin", 5, 1)])))
        print("again=" + outcome(admin.create_topics([NewTopic("made-by-admin", 2, 1)])))
        print("validate=" + outcome(admin.create_topics([NewTopic("only-validated", 3, 1)], validate_only=True)))
        print("create-doomed=" + outcome(admin.create_topics([NewTopic("doomed", 2, 1)])))
        print("delete=" + outcome(admin.delete_topics(["doomed"])))
        topics = admin.list_topics(timeout=15).topics
        for name in ["made-by-admin", "only-validated", "doomed"]:
            entry = topics.get(name)
            print(name + "=" + ("absent" if entry is None or entry.error is not None else str(len(entry.partitions))))
        """#

    @Test func confluentAdminClientCreatesAndDeletesTopics() async throws {
        let broker = try BrokerProcess(
            partitions: 1, extraArguments: ["--admin-requests", "all", "--auto-create-topics", "false"])
        defer { broker.remove() }
        try await broker.start()
        let run = try await ExternalTool.run(Self.python, ["-c", Self.script, broker.bootstrap])
        #expect(run.status == 0, "\(run.stderrText)\n\(broker.logs())")
        let answers = Dictionary(
            run.stdoutText.split(separator: "\n").compactMap { line -> (String, String)? in
                let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                return parts.count == 2 ? (parts[0], parts[1]) : nil
            }, uniquingKeysWith: { _, last in last })
        #expect(answers["create"] == "ok", "\(run.stdoutText)\n\(run.stderrText)")
        #expect(answers["again"] == "TOPIC_ALREADY_EXISTS")
        #expect(answers["validate"] == "ok")
        #expect(answers["create-doomed"] == "ok")
        #expect(answers["delete"] == "ok")
        #expect(answers["made-by-admin"] == "5", "created with the requested count")
        #expect(answers["only-validated"] == "absent", "validate-only creates nothing")
        #expect(answers["doomed"] == "absent", "a deleted topic is gone")
        // kcat (another librdkafka program, through Metadata) sees the same five partitions.
        let listing = try await broker.kcat(["-L", "-t", "made-by-admin"])
        #expect(listing.stdoutText.contains("topic \"made-by-admin\" with 5 partitions"), "\(listing.stdoutText)")
        #expect(try await broker.terminate() == .exited(0))
    }

    /// A transactional producer fails at once with the broker's reason instead of retrying the
    /// coordinator lookup until `init_transactions()` times out (it used to: 20 s here).
    static let transactionsScript = #"""
        import sys, time
        from confluent_kafka import Producer, KafkaException
        started = time.monotonic()
        producer = Producer({"bootstrap.servers": sys.argv[1], "transactional.id": "tx-interop"})
        try:
            producer.init_transactions(20)
            print("init=ok")
        except KafkaException as error:
            print("init=" + error.args[0].name())
            print("fatal=" + str(error.args[0].fatal()))
            print("message=" + error.args[0].str())
        print("seconds=%.1f" % (time.monotonic() - started))
        """#

    @Test func transactionalProducerIsRefusedAtOnce() async throws {
        let broker = try BrokerProcess(partitions: 1)
        defer { broker.remove() }
        try await broker.start()
        let run = try await ExternalTool.run(Self.python, ["-c", Self.transactionsScript, broker.bootstrap])
        #expect(run.status == 0, "\(run.stderrText)\n\(broker.logs())")
        let lines = run.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.contains("init=TRANSACTIONAL_ID_AUTHORIZATION_FAILED"), "\(run.stdoutText)")
        #expect(lines.contains("fatal=True"), "\(run.stdoutText)")
        #expect(run.stdoutText.contains("does not support Kafka transactions"), "\(run.stdoutText)")
        let seconds = lines.first { $0.hasPrefix("seconds=") }.flatMap { Double($0.dropFirst("seconds=".count)) }
        #expect((seconds ?? .infinity) < 10, "\(run.stdoutText)")
        #expect(try await broker.terminate() == .exited(0))
    }
}
