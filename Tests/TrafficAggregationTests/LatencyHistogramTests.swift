import Foundation
import Testing
import TrafficAggregation

@Suite struct LatencyHistogramTests {
    /// The bounds in `schemas/latency_buckets.txt` (the source of truth), found from this file.
    static func schemaBounds() throws -> [UInt64] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("schemas/latency_buckets.txt"), encoding: .utf8)
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

@Suite struct SiteCounterTests {
    @Test func indexIsThePositionInAllCases() {
        for (position, counter) in SiteCounter.allCases.enumerated() {
            #expect(counter.index == position, "\(counter)")
        }
        #expect(SiteCounter.count == SiteCounter.allCases.count)
        #expect(SiteCounter.count == 48)
        #expect(SiteCounter.columnNames.first == "requests")
        #expect(SiteCounter.columnNames.last == "rejected_late")
    }
}
