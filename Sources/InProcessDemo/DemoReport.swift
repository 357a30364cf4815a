import Foundation

/// What the demo read, encoded, compressed and decoded back, with per-site totals.
public struct DemoReport: Sendable {
    public struct SiteTotals: Sendable {
        public var requests = 0
        public var bodyBytes: UInt64 = 0
        public var cacheHits = 0
        public var serverErrors = 0
    }

    public var lines = 0
    public var rawBytes = 0
    public var records = 0
    public var parseErrors = 0
    public var encodedBytes = 0
    public var compressedBytes = 0
    public var batches = 0
    public var sites: [String: SiteTotals] = [:]

    /// The report `edgelog demo` prints.
    public func rendered(elapsed: Duration) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var out = """
            read      \(lines) lines, \(rawBytes) bytes of nginx log
            encoded   \(records) Cap'n Proto records (\(parseErrors) unparsed lines kept with their raw bytes), \(encodedBytes) bytes
            batched   \(batches) LZ4 frames, \(compressedBytes) bytes (\(ratio(rawBytes, compressedBytes)) smaller than the raw log)
            decoded   every record back from the compressed batches in \(String(format: "%.2f", seconds)) s total

            top sites by requests:
            """
        out += "\n  site                          requests     body bytes   cache hit   5xx\n"
        for (site, t) in sites.sorted(by: { $0.value.requests > $1.value.requests }).prefix(10) {
            let hit = t.requests == 0 ? 0 : 100 * Double(t.cacheHits) / Double(t.requests)
            out += "  " + site.padding(toLength: 28, withPad: " ", startingAt: 0)
                + String(format: "%10ld %14llu %10.1f%% %5ld\n", t.requests, t.bodyBytes, hit, t.serverErrors)
        }
        return out
    }

    private func ratio(_ a: Int, _ b: Int) -> String {
        b == 0 ? "n/a" : String(format: "%.1fx", Double(a) / Double(b))
    }
}
