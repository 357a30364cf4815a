import AccessRecord
import AttackDetection
import PipelineTestSupport
import Testing
import TrafficAggregation

/// Attack detection in the aggregator: per-class counters, bounded samples per (minute, site,
/// class) and delta, top talkers' per-class tallies; and nothing at all when detection is off.
@Suite struct PartitionAggregatorAttackTests {
    static func aggregator(attacks: AttackOptions?, sketches: SketchOptions? = nil) throws -> PartitionAggregator {
        PartitionAggregator(
            topic: "edgelog.requests", partition: 0, ring: try ShardRing(shardCount: 1), latenessMicros: 3_600_000_000,
            resume: .fresh(shardCount: 1), sketches: sketches, attacks: attacks)
    }

    static let attacker: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 203, 0, 113, 9]
    static let visitor: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 198, 51, 100, 7]

    static func request(_ path: String, _ query: String = "", agent: String = "Mozilla/5.0", from ip: [UInt8] = attacker,
                        second: Int64 = 1) -> TestRecord {
        var record = TestRecord.request(timeUs: Minutes.micros(0, plusSeconds: second))
        record.path = Array(path.utf8)
        record.query = Array(query.utf8)
        record.userAgent = Array(agent.utf8)
        record.clientIP = ip
        return record
    }

    /// Three SQL injections, one XSS, one traversal, a scanner, two clean requests.
    static let stream: [TestRecord] = [
        request("/item.php", "id=1%27%20or%20%271%27%3D%271", second: 1),
        request("/item.php", "id=1+union+select+password+from+users--", second: 2),
        request("/search", "q=<script>alert(1)</script>", second: 3),
        request("/item.php", "id=1;drop table users", second: 4),
        request("/static/../../../../etc/passwd", second: 5),
        request("/wp-login.php", agent: "sqlmap/1.7.2#stable (https://sqlmap.org)", second: 6),
        request("/search", "q=union+station", from: visitor, second: 7),
        request("/authors/o'reilly", from: visitor, second: 8),
    ]

    @Test func countsPerClassAndSamplesTheFirstOfEach() throws {
        let detector = AttackDetector()
        let expected = Self.stream.map { record in
            detector.classify(
                method: "GET", path: String(decoding: record.path, as: UTF8.self),
                query: String(decoding: record.query, as: UTF8.self),
                userAgent: String(decoding: record.userAgent, as: UTF8.self), referer: "")
        }
        // The stream is what it claims (the detector's own tests judge it; here it sets the truth).
        try #require(expected.filter { $0.contains(.sqli) }.count == 3, "\(expected)")
        try #require(expected.filter { $0.contains(.xss) }.count == 1)
        try #require(expected.filter { $0.contains(.traversal) }.count == 1)
        try #require(expected.filter { $0.contains(.scanner) }.count == 1)
        try #require(expected.suffix(2).allSatisfy { $0.isEmpty })

        var aggregator = try Self.aggregator(attacks: AttackOptions(samplesPerClass: 2), sketches: SketchOptions())
        try aggregator.add(Self.stream, from: 0)
        #expect(aggregator.statistics.attackRecords == Int64(expected.filter { !$0.isEmpty }.count))
        let delta = aggregator.takeDelta(shard: 0)
        let row = try #require(delta.counters(minute: Minutes.start(0), site: "www.example.com"))
        #expect(row[.attacksSQLi] == 3)
        #expect(row[.attacksXSS] == 1)
        #expect(row[.attacksTraversal] == 1)
        #expect(row[.attacksScanner] == 1)
        #expect(row[.requests] == 8)

        // Samples: the first two SQL injections only (slots 0, 1), one of each other class.
        let samples = delta.attackSamples
        #expect(samples.filter { $0.attackClass == "sqli" }.map(\.slot) == [0, 1])
        #expect(
            samples.filter { $0.attackClass == "sqli" }.map(\.request) == [
                "GET /item.php?id=1%27%20or%20%271%27%3D%271", "GET /item.php?id=1+union+select+password+from+users--",
            ])
        #expect(Set(samples.map(\.attackClass)) == ["sqli", "xss", "traversal", "scanner"])
        #expect(samples.count == 5)
        #expect(samples.allSatisfy { $0.clientIP == "203.0.113.9" && $0.row == 0 })
        let scanner = try #require(samples.first { $0.attackClass == "scanner" })
        #expect(scanner.userAgent.hasPrefix("sqlmap/"))
        #expect(scanner.timeMicros == Minutes.micros(0, plusSeconds: 6))

        // The attacker's top-talker row carries its attacks per class, the visitor's none.
        let attackerRow = try #require(delta.topIPs.first { $0.key == "203.0.113.9" })
        #expect(attackerRow.requests == 6)
        #expect(attackerRow.attacks == SIMD4(3, 1, 1, 1))
        #expect(delta.topIPs.first { $0.key == "198.51.100.7" }?.attacks == .zero)

        // The next delta samples again from slot 0 (the shard keeps the earlier delta's slots).
        try aggregator.add([Self.stream[0]], from: 8)
        #expect(aggregator.takeDelta(shard: 0).attackSamples.map(\.slot) == [0])
    }

    @Test func detectionOffCountsNothing() throws {
        var aggregator = try Self.aggregator(attacks: nil, sketches: SketchOptions())
        try aggregator.add(Self.stream, from: 0)
        #expect(aggregator.statistics.attackRecords == 0)
        let delta = aggregator.takeDelta(shard: 0)
        let row = try #require(delta.counters(minute: Minutes.start(0), site: "www.example.com"))
        #expect(row[.attacksSQLi] == nil && row[.attacksScanner] == nil)
        #expect(delta.attackSamples.isEmpty)
        #expect(delta.topIPs.allSatisfy { $0.attacks == .zero })
    }

    @Test func zeroSamplesStillCounts() throws {
        var aggregator = try Self.aggregator(attacks: AttackOptions(samplesPerClass: 0))
        try aggregator.add(Self.stream, from: 0)
        let delta = aggregator.takeDelta(shard: 0)
        #expect(delta.counters(minute: Minutes.start(0), site: "www.example.com")?[.attacksSQLi] == 3)
        #expect(delta.attackSamples.isEmpty)
    }

    /// Sample text from log bytes: cut at a character boundary, NUL as `?`, invalid UTF-8 as U+FFFD.
    @Test func sampleTextIsValidUTF8WithoutNUL() {
        let bytes: [UInt8] = Array("ab".utf8) + [0] + [0xFF] + Array("é".utf8) + Array("é".utf8)
        let text = bytes.withUnsafeBytes { AttackSample.text($0, limit: 6) }
        // 6 bytes end before the second é: no character is split.
        #expect(text == "ab?\u{FFFD}é")
        #expect(!text.utf8.contains(0))
    }
}
