import Foundation
import PipelineTestSupport
import Testing

/// kafka-python (Debian's `python3-kafka`, 2.0.2, with `python3-zstandard`) against the real
/// broker process: it guesses the broker's Kafka version from ApiVersions and refuses
/// `compression_type='zstd'` below 2.1, which it infers from Fetch v10. This is the broker's
/// Fetch v7–v11 (sessionless) seen from the client that needed it; librdkafka (kcat) reads the
/// same zstd batches back with Fetch v11.
///
/// kafka-python's version probe (`BrokerConnection.check_version`) follows ApiVersions v0 with a
/// Metadata v0. Before the broker answered Metadata v0 it closed the connection, and when the
/// close was read together with the ApiVersions answer kafka-python dropped the answer and
/// guessed 0.9 (about one run in five). Every client here probes on its own, once: the guess
/// must hold each time.
@Suite(.serialized, .integration)
struct KafkaPythonInteropTests {
    static let python = "/usr/bin/python3"

    /// Prints `api_version=…`, then one line per reader: `name=value,value,…` in offset order.
    static let script = #"""
        import sys, time
        from kafka import KafkaProducer, KafkaConsumer, TopicPartition
        bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
        producer = KafkaProducer(bootstrap_servers=bootstrap, compression_type="zstd", linger_ms=50)
        version = producer.config["api_version"]
        print("api_version=" + ".".join(map(str, version)), flush=True)
        for i in range(count):
            producer.send(topic, ("zstd-%d" % i).encode())
        producer.flush(timeout=20)
        producer.close(timeout=10)

        def drain(consumer):
            values, deadline = [], time.monotonic() + 20
            while len(values) < count and time.monotonic() < deadline:
                for records in consumer.poll(timeout_ms=500).values():
                    values.extend(record.value.decode() for record in records)
            return values

        alone = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                              auto_offset_reset="earliest")
        print("nogroup_api_version=" + ".".join(map(str, alone.config["api_version"])), flush=True)
        alone.assign([TopicPartition(topic, 0)])
        print("nogroup=" + ",".join(drain(alone)), flush=True)
        alone.close()

        grouped = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id="kafka-python-zstd",
                                enable_auto_commit=False, auto_offset_reset="earliest")
        print("group_api_version=" + ".".join(map(str, grouped.config["api_version"])), flush=True)
        print("group=" + ",".join(drain(grouped)), flush=True)
        grouped.commit()
        committed = grouped.committed(TopicPartition(topic, 0))
        print("committed=" + str(committed), flush=True)
        grouped.close()
        """#

    @Test func zstdProducedAndConsumedByKafkaPython() async throws {
        let broker = try BrokerProcess(partitions: 1)
        defer { broker.remove() }
        try await broker.start()
        let count = 20
        let expected = (0..<count).map { "zstd-\($0)" }
        let run = try await ExternalTool.run(Self.python, ["-c", Self.script, broker.bootstrap, "py-zstd", "\(count)"])
        #expect(run.status == 0, "\(run.stderrText)\n\(broker.logs())")
        let answers = Dictionary(
            run.stdoutText.split(separator: "\n").compactMap { line -> (String, String)? in
                let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                return parts.count == 2 ? (parts[0], parts[1]) : nil
            }, uniquingKeysWith: { _, last in last })
        // 2.1 is the least that allows zstd; more is what the table's highest Fetch says.
        let version = answers["api_version"]?.split(separator: ".").compactMap { Int($0) } ?? []
        #expect(version.lexicographicallyPrecedes([2, 1]) == false, "\(run.stdoutText)\n\(run.stderrText)")
        // Each consumer probed on its own and came to the same guess.
        #expect(answers["nogroup_api_version"] == answers["api_version"], "\(run.stdoutText)")
        #expect(answers["group_api_version"] == answers["api_version"], "\(run.stdoutText)")
        #expect(answers["nogroup"]?.split(separator: ",").map(String.init) == expected, "\(run.stdoutText)")
        #expect(answers["group"]?.split(separator: ",").map(String.init) == expected, "\(run.stdoutText)")
        #expect(answers["committed"] == "\(count)", "\(run.stdoutText)")
        // librdkafka reads kafka-python's zstd batches too (Fetch v11 from kcat).
        let read = try await broker.kcat(["-C", "-t", "py-zstd", "-p", "0", "-o", "beginning", "-e", "-q"])
        #expect(read.status == 0, "\(read.stderrText)")
        #expect(read.stdoutText.split(separator: "\n").map(String.init) == expected, "\(read.stdoutText)")
        #expect(try await broker.terminate() == .exited(0))
    }
}
