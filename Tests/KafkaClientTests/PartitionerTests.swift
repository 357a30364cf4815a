import Foundation
import KafkaClient
import PipelineTestSupport
import Testing

struct PartitionerTests {
    /// Apache Kafka's own vectors: `UtilsTest.testMurmur2` in
    /// `clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java` (the same table is
    /// quoted by several independent ports of the partitioner).
    @Test(arguments: [
        ("21", -973_932_308 as Int32),
        ("foobar", -790_332_482),
        ("a-little-bit-long-string", -985_981_536),
        ("a-little-bit-longer-string", -1_486_304_829),
        ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971),
        ("abc", 479_470_107),
    ])
    func kafkaUtilsTestVectors(key: String, expected: Int32) {
        #expect(Partitioner.murmur2(Array(key.utf8)) == expected)
    }

    /// Keys of every tail length (0–3 extra bytes), bytes above 0x7f (Java's signed bytes are
    /// masked with `& 0xff`) and site names, hashed by an independent Python transcription of
    /// Kafka's `Utils.murmur2` and `toPositive(hash) % partitions`.
    @Test func matchesIndependentPythonImplementation() async throws {
        var generator = SplitMix64(seed: 0x5eed)
        var keys: [[UInt8]] = [[], [0x00], [0xff], [0x80, 0x7f], [0xff, 0xfe, 0xfd]]
        keys += ["www.example.com", "api.example.org", "(other)", "xn--bcher-kva.example"].map { Array($0.utf8) }
        for length in 0..<40 {
            keys.append((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
        let partitionCounts: [Int32] = [1, 3, 12, 1000]
        let input = keys.map { key in key.map { String(format: "%02x", $0) }.joined() + "\n" }.joined()
        let result = try await ExternalTool.run("python3", ["-c", Self.referenceScript], stdin: Data(input.utf8))
        try #require(result.status == 0, "\(result.stderrText)")
        let lines = result.stdoutText.split(separator: "\n")
        try #require(lines.count == keys.count)
        for (key, line) in zip(keys, lines) {
            let fields = line.split(separator: " ").compactMap { Int64($0) }
            try #require(fields.count == 1 + partitionCounts.count)
            #expect(Int64(Partitioner.murmur2(key)) == fields[0], "key \(key)")
            for (count, expected) in zip(partitionCounts, fields.dropFirst()) {
                #expect(
                    Int64(Partitioner.partition(forKey: key, partitionCount: count)) == expected,
                    "key \(key) / \(count)"
                )
            }
        }
    }

    /// `toPositive` masks the sign bit; `abs` would differ (and trap on Int32.min).
    @Test func toPositiveMasksTheSignBit() {
        #expect(Partitioner.toPositive(-1) == Int32.max)
        #expect(Partitioner.toPositive(.min) == 0)
        #expect(Partitioner.toPositive(-790_332_482) == 1_357_151_166)
        #expect(Partitioner.toPositive(479_470_107) == 479_470_107)
    }

    /// Kafka's MurmurHash2 variant, transcribed from the Java source's description: reads hex
    /// keys from stdin, prints `hash p(1) p(3) p(12) p(1000)` per key.
    static let referenceScript = """
        import sys
        M = 0x5bd1e995
        def murmur2(data):
            h = (0x9747b28c ^ len(data)) & 0xffffffff
            n = len(data) // 4
            for i in range(n):
                k = int.from_bytes(data[4 * i:4 * i + 4], 'little')
                k = (k * M) & 0xffffffff
                k ^= k >> 24
                k = (k * M) & 0xffffffff
                h = (h * M) & 0xffffffff
                h ^= k
            rest = data[4 * n:]
            if len(rest) == 3: h ^= rest[2] << 16
            if len(rest) >= 2: h ^= rest[1] << 8
            if len(rest) >= 1:
                h ^= rest[0]
                h = (h * M) & 0xffffffff
            h ^= h >> 13
            h = (h * M) & 0xffffffff
            h ^= h >> 15
            return h - (1 << 32) if h & 0x80000000 else h
        for line in sys.stdin:
            h = murmur2(bytes.fromhex(line.strip()))
            print(h, *[(h & 0x7fffffff) % p for p in (1, 3, 12, 1000)])
        """
}

