import AttackDetection

/// How the consumer counts and samples the requests its attack detector classifies.
public struct AttackOptions: Sendable, Equatable {
    /// Requests kept per (minute, site, class) and flush, so an analyst can see what was
    /// caught; the shard keeps at most this many per (minute, site, class) over all flushes
    /// (slots 0..<samplesPerClass). 0: count only.
    public var samplesPerClass: Int
    /// Bytes of the request line (method, path, query) and of the user agent kept per sample.
    public var sampleTextLimit: Int

    public init(samplesPerClass: Int = 5, sampleTextLimit: Int = 1024) {
        precondition(samplesPerClass >= 0 && samplesPerClass <= 1000, "samplesPerClass \(samplesPerClass)")
        precondition(sampleTextLimit >= 16, "sampleTextLimit \(sampleTextLimit)")
        self.samplesPerClass = samplesPerClass
        self.sampleTextLimit = sampleTextLimit
    }
}

/// One sampled attack request of a delta, for `attack_sample_minute`.
///
/// Texts come from the logs: valid UTF-8 without NUL (invalid bytes became U+FFFD, NUL `?`),
/// written as COPY values, never into SQL.
public struct AttackSample: Sendable, Equatable {
    /// Index of the site row (minute, site) in the delta's `siteRows`.
    public let row: Int
    /// `sqli`, `xss`, `traversal` or `scanner` (`AttackClasses.named`, as the schema's check
    /// constraint and the `attacks_*` counters name them).
    public let attackClass: String
    /// 0..<samplesPerClass: the sample's place among its (minute, site, class)'s in this delta.
    public let slot: Int
    /// Request time, µs since the epoch (0 when the record had none).
    public let timeMicros: Int64
    /// PostgreSQL `inet` text, nil when the record had no client address.
    public let clientIP: String?
    /// `METHOD path?query`, cut at `sampleTextLimit` bytes.
    public let request: String
    public let userAgent: String

    public init(
        row: Int, attackClass: String, slot: Int, timeMicros: Int64, clientIP: String?, request: String,
        userAgent: String
    ) {
        self.row = row
        self.attackClass = attackClass
        self.slot = slot
        self.timeMicros = timeMicros
        self.clientIP = clientIP
        self.request = request
        self.userAgent = userAgent
    }

    /// Log bytes as sample text: at most `limit` bytes, cut at a UTF-8 boundary, invalid
    /// sequences as U+FFFD and NUL (which PostgreSQL text cannot hold) as `?`.
    public static func text(_ bytes: UnsafeRawBufferPointer, limit: Int) -> String {
        var end = min(bytes.count, limit)
        // Back off continuation bytes so a cut never splits a character.
        if end < bytes.count { while end > 0 && bytes[end] & 0xC0 == 0x80 { end -= 1 } }
        return String(decoding: bytes[..<end].lazy.map { $0 == 0 ? UInt8(ascii: "?") : $0 }, as: UTF8.self)
    }
}
