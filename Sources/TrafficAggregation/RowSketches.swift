import HyperLogLog
import NginxLog

/// How big the per-row sketches are. Fixed for a consumer's life; changing them between runs
/// is harmless (every stored value is a union or a sum).
public struct SketchOptions: Sendable, Equatable {
    /// Space-Saving counters per (minute, site) for client IPs and for paths. A key with more
    /// than 1/capacity of a row's requests in a flush is always among them.
    public var topKeyCapacity: Int
    /// Keys per (minute, site) and kind written per flush: the sketch's top ones.
    public var topKeysPerRow: Int
    /// Bytes of a path kept as its label (longer paths are stored cut, at a UTF-8 boundary).
    public var pathLabelLimit: Int

    public init(topKeyCapacity: Int = 64, topKeysPerRow: Int = 16, pathLabelLimit: Int = 256) {
        precondition(topKeyCapacity >= 1 && topKeysPerRow >= 1 && topKeysPerRow <= topKeyCapacity)
        precondition(pathLabelLimit >= 1)
        self.topKeyCapacity = topKeyCapacity
        self.topKeysPerRow = topKeysPerRow
        self.pathLabelLimit = pathLabelLimit
    }
}

/// The sketches of one pending (minute, site) row: unique client IPs and the top client IPs and
/// paths of the requests added since the row's shard was last flushed.
///
/// Reused: after a flush the aggregator empties them and hands them to the next new row, so a
/// steady stream allocates their storage once.
struct RowSketches {
    var uniqueIPs: HyperLogLog
    var topIPs: TopKeySketch
    var topPaths: TopKeySketch

    init(options: SketchOptions) {
        uniqueIPs = HyperLogLog()
        topIPs = TopKeySketch(capacity: options.topKeyCapacity, labelLimit: 0)
        topPaths = TopKeySketch(capacity: options.topKeyCapacity, labelLimit: options.pathLabelLimit)
    }

    /// Adds one request's client IP (the record's 16 bytes, IPv4 mapped; 4 bytes accepted; any
    /// other length is "unknown" and counts nowhere) and path (without the query string).
    /// `marks` (attack class bits) tally on the client IP's top-talker counter.
    ///
    /// The hll hashes the address as PostgreSQL's `hll_hash_bytea` of its 4 (IPv4) or 16 (IPv6)
    /// network-order bytes (DESIGN §6), so the stored value equals `hll_add_agg` in SQL.
    @inline(__always)
    mutating func add(clientIP ip: UnsafeRawBufferPointer, path: UnsafeRawBufferPointer, marks: UInt8 = 0) {
        let noLabel = UnsafeRawBufferPointer(start: nil, count: 0)
        if let address = IPAddress(recordBytes: ip) {
            let mapped = ip.count == 16 && address.isIPv4Mapped
            uniqueIPs.add(bytes: mapped ? UnsafeRawBufferPointer(rebasing: ip[12...]) : ip)
            topIPs.add(TopKey(high: address.high, low: address.low), label: noLabel, marks: marks)
        }
        topPaths.add(TopKey(path: path), label: path)
    }

    /// Back to empty, keeping storage.
    mutating func removeAll() {
        uniqueIPs = HyperLogLog()
        topIPs.removeAll()
        topPaths.removeAll()
    }
}
