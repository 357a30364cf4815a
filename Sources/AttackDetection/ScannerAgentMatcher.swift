/// Case-insensitive substring search of every `ScannerUserAgents` pattern in one user agent,
/// in one pass over its bytes.
///
/// Each pattern is anchored on one of its byte pairs, chosen to be rare in real browser and bot
/// user agents (`Self.typicalAgents`). The scan folds each adjacent byte pair of the user agent
/// to lower case and tests it in a 64 Ki-bit set of anchors (8 KiB, stays in L1); only a hit
/// compares whole patterns. A browser user agent of 120 bytes costs about 120 bit tests and
/// almost never a comparison.
///
/// Invariant: every pattern has at least two bytes, and a pattern's anchor lies inside it,
/// so a match is found wherever it starts.
struct ScannerAgentMatcher: Sendable {
    private struct Anchor: Sendable {
        var pattern: [UInt8]
        var offset: Int
    }

    private let anchorBits: [UInt64]
    private let anchors: [UInt16: [Anchor]]

    static let shared = ScannerAgentMatcher(patterns: ScannerUserAgents.patterns)

    init(patterns: [String]) {
        var frequency = [Int](repeating: 0, count: 65536)
        for agent in Self.typicalAgents {
            let bytes = Array(agent.utf8).map(\.asciiLowercased)
            for index in 0..<max(0, bytes.count - 1) { frequency[Self.pair(bytes[index], bytes[index + 1])] += 1 }
        }
        var bits = [UInt64](repeating: 0, count: 1024)
        var anchors: [UInt16: [Anchor]] = [:]
        for text in patterns {
            let bytes = Array(text.utf8).map(\.asciiLowercased)
            precondition(bytes.count >= 2, "scanner pattern shorter than two bytes: \(text)")
            var best = 0
            for offset in 0..<(bytes.count - 1)
            where frequency[Self.pair(bytes[offset], bytes[offset + 1])] < frequency[Self.pair(bytes[best], bytes[best + 1])] {
                best = offset
            }
            let key = Self.pair(bytes[best], bytes[best + 1])
            bits[key >> 6] |= 1 << UInt64(key & 63)
            anchors[UInt16(key), default: []].append(Anchor(pattern: bytes, offset: best))
        }
        self.anchorBits = bits
        self.anchors = anchors
    }

    @inline(__always)
    private static func pair(_ first: UInt8, _ second: UInt8) -> Int { Int(first) << 8 | Int(second) }

    /// True if `agent` contains any pattern, ignoring ASCII case.
    func matches(_ agent: UnsafeRawBufferPointer) -> Bool {
        let count = agent.count
        guard count >= 2 else { return false }
        return anchorBits.withUnsafeBufferPointer { bits in
            var previous = agent[0].asciiLowercased
            for index in 1..<count {
                let current = agent[index].asciiLowercased
                let key = Self.pair(previous, current)
                if bits[key >> 6] & (1 << UInt64(key & 63)) != 0, verify(agent, pairAt: index - 1, key: key) {
                    return true
                }
                previous = current
            }
            return false
        }
    }

    private func verify(_ agent: UnsafeRawBufferPointer, pairAt position: Int, key: Int) -> Bool {
        guard let candidates = anchors[UInt16(key)] else { return false }
        for candidate in candidates {
            let start = position - candidate.offset
            guard start >= 0, start + candidate.pattern.count <= agent.count else { continue }
            var equal = true
            for (offset, byte) in candidate.pattern.enumerated() where agent[start + offset].asciiLowercased != byte {
                equal = false
                break
            }
            if equal { return true }
        }
        return false
    }

    /// Real user agents the anchors should avoid (browsers, crawlers, libraries).
    static let typicalAgents = [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "curl/7.88.1", "Go-http-client/2.0", "python-requests/2.32.3", "okhttp/4.12.0", "Wget/1.21.3",
        "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0)",
    ]
}
