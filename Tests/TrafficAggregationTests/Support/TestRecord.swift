import PipelineTestSupport
import AccessRecord
import TrafficAggregation

/// One record for a test stream, encoded with `AccessRecordBuilder` exactly as a shipper
/// would, then read back with `AccessRecordReader` for the aggregator.
struct TestRecord {
    var timeUs: Int64 = 0
    /// Raw site bytes; `nil` leaves the field absent.
    var site: [UInt8]? = Array("www.example.com".utf8)
    var edge: [UInt8] = Array("edge-fra-01".utf8)
    var sourceFile: [UInt8] = Array("/var/log/nginx/access.log".utf8)
    var status: UInt16 = 200
    var bodyBytes: UInt64 = 0
    var requestLength: UInt64 = 0
    var requestTimeUs: UInt64 = 0
    var cache: AccessRecord.CacheStatus = .none
    var parseError = false
    var truncated = false
    /// The format logs no `$request_time` (`requestTimeUs` is then meaningless).
    var requestTimeAbsent = false
    var kind: AccessRecord.RecordKind = .request
    /// Overwrites the kind with an ordinal this version does not know (set after encoding).
    var unknownKindOrdinal: UInt16?
    var shippedLines: UInt64 = 0
    var lostLines: UInt64 = 0
    var lostBytes: UInt64 = 0
    var lostBytesReplaced: UInt64 = 0
    var lostBytesUnfinished: UInt64 = 0
    /// The client IP's bytes as a shipper writes them (16, IPv4 mapped); empty = unknown.
    var clientIP: [UInt8] = []
    var path: [UInt8] = []
    var query: [UInt8] = []
    var userAgent: [UInt8] = []
    var method: AccessRecord.Method = .get

    static func request(
        _ site: String = "www.example.com", timeUs: Int64, status: UInt16 = 200, bodyBytes: UInt64 = 0,
        requestLength: UInt64 = 0, requestTimeUs: UInt64 = 0, cache: AccessRecord.CacheStatus = .none,
        truncated: Bool = false
    ) -> TestRecord {
        var record = TestRecord()
        record.site = Array(site.utf8)
        record.timeUs = timeUs
        record.status = status
        record.bodyBytes = bodyBytes
        record.requestLength = requestLength
        record.requestTimeUs = requestTimeUs
        record.cache = cache
        record.truncated = truncated
        return record
    }

    static func unparsed(site: String? = nil, timeUs: Int64 = 0, truncated: Bool = false) -> TestRecord {
        var record = TestRecord()
        record.site = site.map { Array($0.utf8) }
        record.timeUs = timeUs
        record.parseError = true
        record.truncated = truncated
        record.status = 0
        return record
    }

    static func fileStats(
        edge: String = "edge-fra-01", sourceFile: String = "/var/log/nginx/access.log",
        shipped: UInt64, lost: UInt64 = 0, lostBytes: UInt64 = 0, lostBytesReplaced: UInt64 = 0,
        lostBytesUnfinished: UInt64 = 0, timeUs: Int64 = 0
    ) -> TestRecord {
        var record = TestRecord()
        record.kind = .fileStats
        record.site = nil
        record.edge = Array(edge.utf8)
        record.sourceFile = Array(sourceFile.utf8)
        record.shippedLines = shipped
        record.lostLines = lost
        record.lostBytes = lostBytes
        record.lostBytesReplaced = lostBytesReplaced
        record.lostBytesUnfinished = lostBytesUnfinished
        record.timeUs = timeUs
        return record
    }

    /// The framed Cap'n Proto message.
    func encoded() throws -> [UInt8] {
        var builder = AccessRecordBuilder()
        builder.beginRecord()
        builder.setTimeUs(timeUs)
        if let site { builder.setText(.site, site) }
        builder.setText(.edge, edge)
        builder.setText(.sourceFile, sourceFile)
        if !clientIP.isEmpty { builder.setData(.clientIp, clientIP) }
        if !path.isEmpty { builder.setText(.path, path) }
        if !query.isEmpty { builder.setText(.query, query) }
        if !userAgent.isEmpty { builder.setText(.userAgent, userAgent) }
        builder.setMethod(method)
        builder.setStatus(status)
        builder.setBodyBytesSent(bodyBytes)
        builder.setRequestLength(requestLength)
        builder.setRequestTimeUs(requestTimeUs)
        builder.setCacheStatus(cache)
        builder.setParseError(parseError)
        builder.setTruncated(truncated)
        builder.setRequestTimeAbsent(requestTimeAbsent)
        builder.setKind(kind)
        builder.setShippedLines(shippedLines)
        builder.setLostLines(lostLines)
        builder.setLostBytes(lostBytes)
        builder.setLostBytesReplaced(lostBytesReplaced)
        builder.setLostBytesUnfinished(lostBytesUnfinished)
        _ = try builder.endRecord()
        var bytes = builder.buffer
        if let ordinal = unknownKindOrdinal {
            // `kind` is bits 480..<496 of the data section, which starts after the 8-byte
            // framing header and the root pointer (schemas/access_record.capnp, capnp compile).
            bytes[16 + 60] = UInt8(truncatingIfNeeded: ordinal)
            bytes[16 + 61] = UInt8(truncatingIfNeeded: ordinal >> 8)
        }
        return bytes
    }
}

extension PartitionAggregator {
    /// Adds `records` at consecutive offsets from `firstOffset` (Kafka timestamp = time in ms).
    mutating func add(_ records: [TestRecord], from firstOffset: Int64, timestampMs: Int64 = 0) throws {
        for (index, record) in records.enumerated() {
            try add(record, offset: firstOffset + Int64(index), timestampMs: timestampMs)
        }
    }

    mutating func add(_ record: TestRecord, offset: Int64, timestampMs: Int64 = 0) throws {
        let message = try record.encoded()
        try message.withUnsafeBytes { raw in
            let reader = try AccessRecordReader(raw)
            add(reader, offset: offset, timestampMs: timestampMs)
        }
    }
}

extension ShardDelta {
    /// The counters of (minute, site) as a dictionary of the non-zero ones, or nil if no row.
    func counters(minute: Int64, site: String) -> [SiteCounter: Int64]? {
        let matches = siteRows.filter { $0.minuteEpochSeconds == minute && $0.site == site }
        guard let row = matches.first else { return nil }
        precondition(matches.count == 1, "two rows for one (minute, site)")
        var result: [SiteCounter: Int64] = [:]
        for counter in SiteCounter.allCases where row[counter] != 0 { result[counter] = row[counter] }
        return result
    }

    /// Every row as (minute, site) -> non-zero counters.
    var nonZeroRows: [RowKey: [SiteCounter: Int64]] {
        var result: [RowKey: [SiteCounter: Int64]] = [:]
        for row in siteRows {
            var counters: [SiteCounter: Int64] = [:]
            for counter in SiteCounter.allCases where row[counter] != 0 { counters[counter] = row[counter] }
            precondition(result[RowKey(minute: row.minuteEpochSeconds, site: row.site)] == nil, "duplicate row")
            result[RowKey(minute: row.minuteEpochSeconds, site: row.site)] = counters
        }
        return result
    }
}

struct RowKey: Hashable, CustomStringConvertible {
    var minute: Int64
    var site: String
    var description: String { "(\(minute), \(site))" }
}


/// Minutes used in the tests: 2023-11-14 22:13:00 UTC and the following ones, in µs.
enum Minutes {
    static let base: Int64 = 1_699_999_980  // epoch seconds, a multiple of 60
    static func micros(_ minute: Int64, plusSeconds seconds: Int64 = 0) -> Int64 {
        (base + minute * 60 + seconds) * 1_000_000
    }
    static func start(_ minute: Int64) -> Int64 { base + minute * 60 }
}
