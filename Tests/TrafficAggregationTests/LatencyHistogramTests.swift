import Foundation
import Testing
import TrafficAggregation

@Suite struct LatencyHistogramTests {
    /// The bounds in `schemas/latency_buckets.txt` (the source of truth), found from this file.
    static func schemaBounds(_ file: String = "latency_buckets.txt") throws -> [UInt64] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("schemas/" + file), encoding: .utf8)
        return try text.split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { return nil }
            guard let value = UInt64(trimmed) else { throw SchemaFileError(line: String(line)) }
            return value
        }
    }

    struct SchemaFileError: Error { var line: String }

    @Test func boundsMatchTheSchemaFile() throws {
        let bounds = try Self.schemaBounds()
        #expect(bounds.count == 13)
        #expect(LatencyHistogram.upperBoundsMicros == bounds)
        #expect(LatencyHistogram.counters.count == bounds.count + 1)
        #expect(zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 })
    }

    /// The counters are consecutive in a row, first bucket at `latencyLe1ms`, named after their
    /// bound, the overflow last.
    @Test func countersAreConsecutiveAndNamedAfterTheirBounds() throws {
        let first = SiteCounter.latencyLe1ms.index
        for (bucket, counter) in LatencyHistogram.counters.enumerated() {
            #expect(counter.index == first + bucket)
        }
        #expect(LatencyHistogram.counters.last == .latencyGt10s)
        let names = LatencyHistogram.counters.dropLast().map(\.rawValue)
        let expected = try Self.schemaBounds().map { bound -> String in
            bound % 1_000_000 == 0 ? "latency_le_\(bound / 1_000_000)s" : "latency_le_\(bound / 1_000)ms"
        }
        #expect(names == expected)
    }

    /// At, just above and just below every bound of the file, the bucket is the first bound
    /// >= the time (a linear scan over the file's bounds is the reference).
    @Test func bucketIsTheFirstBoundAtOrAboveTheTime() throws {
        let bounds = try Self.schemaBounds()
        func reference(_ micros: UInt64) -> Int { bounds.firstIndex { micros <= $0 } ?? bounds.count }
        var samples: [UInt64] = [0, 1, .max, .max - 1]
        for bound in bounds { samples += [bound - 1, bound, bound + 1] }
        for micros in samples {
            #expect(LatencyHistogram.bucket(forMicros: micros) == reference(micros), "\(micros) µs")
        }
        #expect(LatencyHistogram.bucket(forMicros: 1_000) == 0)
        #expect(LatencyHistogram.bucket(forMicros: 1_001) == 1)
        #expect(LatencyHistogram.bucket(forMicros: 10_000_001) == 13)
    }
}

extension LatencyHistogramTests {
    @Test func fineBoundsMatchTheSchemaFile() throws {
        let bounds = try Self.schemaBounds("latency_fine_buckets.txt")
        #expect(bounds.count == 47)
        #expect(LatencyHistogram.fineUpperBoundsMicros == bounds)
        #expect(LatencyHistogram.fineCounters.count == bounds.count)
        #expect(zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 })
        // Whole milliseconds to 10 ms, then no bucket wider than 1.25 times its lower bound.
        #expect(Array(bounds.prefix(11)) == (0...10).map { UInt64($0) * 1_000 })
        for (low, high) in zip(bounds.dropFirst(10), bounds.dropFirst(11)) {
            #expect(Double(high) <= 1.25 * Double(low), "\(low)...\(high)")
        }
        #expect(bounds.last == LatencyHistogram.upperBoundsMicros.last, "both histograms end at 10 s")
    }

    @Test func fineCountersAreConsecutiveAfterTheCoarseOnesAndNamedAfterTheirBounds() throws {
        let first = SiteCounter.latencyFineLe0ms.index
        #expect(first == SiteCounter.rejectedLate.index + 1)
        for (bucket, counter) in LatencyHistogram.fineCounters.enumerated() {
            #expect(counter.index == first + bucket)
            #expect(!counter.isInAnalystViews)
        }
        #expect(LatencyHistogram.fineCounters.last?.index == SiteCounter.attacksSQLi.index - 1)
        let expected = try Self.schemaBounds("latency_fine_buckets.txt").map { "latency_fine_le_\($0 / 1_000)ms" }
        #expect(LatencyHistogram.fineCounters.map(\.rawValue) == expected)
    }

    /// At, around and between every bound, the fine bucket is the first bound >= the time (a
    /// linear scan over the file's bounds), nil above 10 s.
    @Test func fineBucketIsTheFirstBoundAtOrAboveTheTime() throws {
        let bounds = try Self.schemaBounds("latency_fine_buckets.txt")
        func reference(_ micros: UInt64) -> Int? { bounds.firstIndex { micros <= $0 } }
        var samples: [UInt64] = [0, 1, 999, .max, .max - 1, 10_000_001]
        for bound in bounds { samples += [bound &- 1, bound, bound + 1, bound + 500, bound * 11 / 10] }
        for micros in samples {
            #expect(LatencyHistogram.fineBucket(forMicros: micros) == reference(micros), "\(micros) µs")
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let micros = UInt64.random(in: 0...12_000_000, using: &generator)
            #expect(LatencyHistogram.fineBucket(forMicros: micros) == reference(micros), "\(micros) µs")
        }
    }
}

@Suite struct SiteCounterTests {
    @Test func indexIsThePositionInAllCases() {
        for (position, counter) in SiteCounter.allCases.enumerated() {
            #expect(counter.index == position, "\(counter)")
        }
        #expect(SiteCounter.count == SiteCounter.allCases.count)
        #expect(SiteCounter.count == 99)
        #expect(SiteCounter.columnNames.first == "requests")
        #expect(SiteCounter.columnNames.last == "attacks_scanner")
        #expect(SiteCounter.allCases.filter { !$0.isInAnalystViews } == LatencyHistogram.fineCounters)
        #expect(SiteCounter.attackCounters.map(\.index) == Array(SiteCounter.attacksSQLi.index...SiteCounter.attacksScanner.index))
    }
}
