import PipelineTestSupport
import AccessRecord


/// Hand-picked records covering the interesting encodings.
enum RecordSamples {
    static var typical: AccessRecord {
        var record = AccessRecord()
        record.timeUs = 1_700_000_000_123_456
        record.clientIp = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 7]
        record.site = "www.example.com"
        record.edge = "edge-fra-01"
        record.sourceFile = "/var/log/nginx/access.log"
        record.method = .get
        record.path = "/index.html"
        record.query = "a=1&b=2"
        record.protocol = .http11
        record.status = 200
        record.bodyBytesSent = 5120
        record.bytesSent = 5400
        record.requestLength = 431
        record.requestTimeUs = 1834
        record.upstreamResponseTimeUs = 1500
        record.cacheStatus = .hit
        record.referer = "https://www.example.com/"
        record.userAgent = "curl/7.88.1"
        record.remoteUser = "alice"
        record.forwardedFor = "203.0.113.9, 198.51.100.2"
        record.fileOffset = 987_654_321
        record.utcOffsetMin = 60
        return record
    }

    static var unicode: AccessRecord {
        var record = AccessRecord()
        record.site = "bücher.example"
        record.path = "/中文/😀"
        record.userAgent = "Mozilla/5.0 \"quoted\" \\ back\tslash"
        record.method = .other
        record.methodText = "PROPFIND"
        record.protocol = .http2
        record.utcOffsetMin = -300
        record.timeUs = -1  // one microsecond before the epoch
        return record
    }

    static var binaryParseError: AccessRecord {
        var record = AccessRecord()
        record.parseError = true
        record.truncated = true
        record.rawLine = [0x00, 0xff, 0xfe, 0x0a, 0x00, 0xc3, 0x28, 0x7f, 0x80, 0x00]
        record.sourceFile = "/var/log/nginx/broken.log"
        record.fileOffset = 42
        return record
    }

    static var ipv6: AccessRecord {
        var record = AccessRecord()
        // 2001:db8::8a2e:370:7334
        record.clientIp = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0x8a, 0x2e, 0x03, 0x70, 0x73, 0x34]
        record.method = .trace
        record.protocol = .http3
        record.cacheStatus = .bypass
        record.status = 418
        return record
    }

    static var maxInts: AccessRecord {
        var record = AccessRecord()
        record.timeUs = .max
        record.status = .max
        record.bodyBytesSent = .max
        record.bytesSent = .max
        record.requestLength = .max
        record.requestTimeUs = .max
        record.upstreamResponseTimeUs = .max
        record.fileOffset = .max
        record.utcOffsetMin = .max
        record.method = .trace
        record.cacheStatus = .bypass
        record.protocol = .http3
        return record
    }

    static var minInts: AccessRecord {
        var record = AccessRecord()
        record.timeUs = .min
        record.utcOffsetMin = .min
        record.parseError = true
        return record
    }

    static var withExtras: AccessRecord {
        var record = typical
        record.extras = [
            .init(name: "ssl_protocol", value: "TLSv1.3"),
            .init(name: "ssl_cipher", value: "TLS_AES_128_GCM_SHA256"),
            .init(name: "request_id", value: "-"),
        ]
        return record
    }

    /// A shipper control record: counts for one range of one file, no request.
    static var fileStats: AccessRecord {
        var record = AccessRecord()
        record.kind = .fileStats
        record.timeUs = 1_795_867_200_000_000
        record.edge = "edge-07"
        record.sourceFile = "/var/log/nginx/access.log"
        record.fileOffset = 1_048_576
        record.endOffset = 2_097_233
        record.shippedLines = 4_711
        record.lostLines = 3
        record.lostBytes = .max
        record.lostBytesReplaced = 4_096
        record.lostBytesUnfinished = 17
        return record
    }

    static let all: [(String, AccessRecord)] = [
        ("typical", typical), ("all defaults", AccessRecord()), ("unicode", unicode),
        ("binary raw line", binaryParseError), ("ipv6", ipv6), ("max ints", maxInts),
        ("min ints", minInts), ("extras", withExtras), ("file stats", fileStats),
    ]

    /// A random record: random field values, random text of random length (possibly empty,
    /// possibly multi-byte UTF-8), random extras.
    static func random(using rng: inout SplitMix64) -> AccessRecord {
        var record = AccessRecord()
        record.timeUs = Int64(bitPattern: rng.next())
        record.clientIp = Bool.random(using: &rng) ? randomBytes(exactly: 16, using: &rng) : []
        record.site = randomText(using: &rng)
        record.edge = randomText(using: &rng)
        record.sourceFile = randomText(using: &rng)
        record.method = AccessRecord.Method.allCases.randomElement(using: &rng) ?? .other
        record.methodText = randomText(using: &rng)
        record.path = randomText(using: &rng)
        record.query = randomText(using: &rng)
        record.protocol = AccessRecord.HTTPProtocol.allCases.randomElement(using: &rng) ?? .unknown
        record.status = UInt16.random(in: .min ... .max, using: &rng)
        record.bodyBytesSent = rng.next()
        record.bytesSent = rng.next()
        record.requestLength = rng.next()
        record.requestTimeUs = rng.next()
        record.upstreamResponseTimeUs = rng.next()
        record.cacheStatus = AccessRecord.CacheStatus.allCases.randomElement(using: &rng) ?? .none
        record.referer = randomText(using: &rng)
        record.userAgent = randomText(using: &rng)
        record.remoteUser = randomText(using: &rng)
        record.forwardedFor = randomText(using: &rng)
        record.parseError = Bool.random(using: &rng)
        record.truncated = Bool.random(using: &rng)
        record.requestTimeAbsent = Bool.random(using: &rng)
        record.rawLine = randomBytes(exactly: Int.random(in: 0...40, using: &rng), using: &rng)
        record.fileOffset = rng.next()
        record.utcOffsetMin = Int16.random(in: .min ... .max, using: &rng)
        for _ in 0..<Int.random(in: 0...4, using: &rng) {
            record.extras.append(.init(name: randomText(using: &rng), value: randomText(using: &rng)))
        }
        return record
    }

    private static func randomBytes(exactly count: Int, using rng: inout SplitMix64) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }

    private static let alphabet: [Character] = Array("abcXYZ019 /?&=.-_\"\\\tü中😀")

    private static func randomText(using rng: inout SplitMix64) -> String {
        String((0..<Int.random(in: 0...24, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? "a" })
    }
}
