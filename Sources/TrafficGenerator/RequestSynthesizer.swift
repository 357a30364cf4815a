import Foundation

/// Decides every request of the generated traffic from the profile's seed.
///
/// Invariant: the sequence of requests is a pure function of the profile, so a test can
/// regenerate a log and its ground truth anywhere.
public struct RequestSynthesizer: Sendable {
    public let profile: TrafficProfile
    private var random: SeededRandom
    private let sites: [String]
    private let siteChoice: ZipfDistribution
    private let clients: [String]
    private let clientChoice: ZipfDistribution
    private let pathChoice: ZipfDistribution
    private let paths: [String]
    /// Planted keys, exposed so the ground truth can name them.
    public let heavyClients: [String]
    public let heavyPaths: [String]
    public let floodClient: String?
    public let floodSite: String?
    private var sequence: Int64 = 0

    public init(profile: TrafficProfile) {
        self.profile = profile
        var random = SeededRandom(seed: profile.seed)
        let siteCount = max(1, profile.siteCount)
        sites = (0..<siteCount).map { index in
            let names = ["www", "shop", "api", "static", "blog", "cdn", "img", "media", "news", "app"]
            let tlds = ["example.com", "example.net", "example.org", "test"]
            return "\(names[index % names.count])\(index / names.count == 0 ? "" : String(index / names.count)).\(tlds[index % tlds.count])"
        }
        siteChoice = ZipfDistribution(count: siteCount, exponent: 1.1)
        let clientCount = max(1, profile.clientCount)
        var pool = [String]()
        pool.reserveCapacity(clientCount)
        for _ in 0..<clientCount {
            pool.append(Self.randomAddress(&random, ipv6Share: profile.ipv6Share))
        }
        clients = pool
        clientChoice = ZipfDistribution(count: clientCount, exponent: 0.9)
        paths = Self.makePaths(&random)
        pathChoice = ZipfDistribution(count: paths.count, exponent: 1.0)
        heavyClients = (0..<profile.heavyClients).map { "198.51.100.\(10 + $0)" }
        heavyPaths = (0..<profile.heavyPaths).map { "/hot/item-\($0).html" }
        floodClient = profile.flood ? "203.0.113.66" : nil
        floodSite = profile.flood ? sites[min(3, siteCount - 1)] : nil
        self.random = random
    }

    /// The next request. Its time advances at `requestsPerSecond`, with jitter and planted lateness.
    public mutating func next() -> GeneratedRequest {
        let p = profile
        let baseMs = p.startTimeMs + sequence * 1000 / Int64(max(1, p.requestsPerSecond))
        sequence += 1
        var timeMs = baseMs - Int64(random.below(p.jitterSeconds * 1000 + 1))
        var late = false
        if p.lateShare > 0, random.chance(p.lateShare) {
            late = true
            timeMs = baseMs - Int64(p.latenessBoundSeconds) * 1000 - 60_000 - Int64(random.below(600_000))
        }

        var site = sites[siteChoice.sample(&random)]
        var client = clients[clientChoice.sample(&random)]
        var pathText = paths[pathChoice.sample(&random)]
        var forcedStatus: Int?
        if let floodClient, let floodSite, random.chance(p.floodShare) {
            client = floodClient
            site = floodSite
            pathText = "/"
        } else if !heavyClients.isEmpty, random.chance(p.heavyHitterShare * Double(heavyClients.count)) {
            client = heavyClients[random.below(heavyClients.count)]
        }
        if !heavyPaths.isEmpty, client != floodClient,
           random.chance(p.heavyHitterShare * Double(heavyPaths.count)) {
            pathText = heavyPaths[random.below(heavyPaths.count)]
        }

        if random.chance(p.junkRequestShare), client != floodClient {
            return junkRequest(timeMs: timeMs, client: client, late: late)
        }

        var method = random.chance(0.9) ? "GET" : random.pick(["POST", "HEAD", "PUT", "OPTIONS", "DELETE", "PATCH", "PROPFIND"])
        var query: String? = random.chance(0.25) ? random.pick(Self.queries) : nil
        var userAgent: String? = random.chance(0.02) ? nil : random.pick(Self.userAgents)
        var attack: AttackClass?
        var lookalike = false
        if random.chance(p.attackShare) {
            let kind = AttackClass.allCases[random.below(AttackClass.allCases.count)]
            attack = kind
            switch kind {
            case .sqlInjection:
                let payload = random.pick(Self.sqlInjections)
                pathText = payload.path
                query = payload.query
            case .xss:
                let payload = random.pick(Self.xssPayloads)
                pathText = payload.path
                query = payload.query
            case .pathTraversal:
                pathText = random.pick(Self.traversals)
                query = nil
            case .scanner:
                userAgent = random.pick(Self.scannerAgents)
                pathText = random.pick(Self.scannerPaths)
                query = nil
                forcedStatus = 404
            }
            if method != "GET" && method != "POST" { method = "GET" }
            // Attack tools send spaces percent-encoded: nginx (>= 1.21.1) answers a raw space in
            // the request line with 400, and only the planted junk lines are meant to be that.
            query = query.map { $0.replacingOccurrences(of: " ", with: "%20") }
        } else if random.chance(p.lookalikeShare) {
            lookalike = true
            let payload = random.pick(Self.lookalikes)
            pathText = payload.path
            query = payload.query
        }

        let http2 = random.chance(0.05)
        let httpProtocol = random.chance(0.001) ? nil : (random.chance(0.1) ? "HTTP/1.0" : (http2 ? "HTTP/2.0" : "HTTP/1.1"))
        let effectiveMethod = httpProtocol == nil ? "GET" : method
        let path = Array(pathText.utf8)
        let queryBytes = query.map { Array($0.utf8) }
        var line = Array(effectiveMethod.utf8) + [0x20] + path
        if let queryBytes { line += [UInt8(ascii: "?")] + queryBytes }
        if let httpProtocol { line += [0x20] + Array(httpProtocol.utf8) }

        let status = forcedStatus ?? Self.status(&random, method: effectiveMethod)
        let cache = Self.cacheStatus(&random, status: status, path: pathText)
        let body = status == 304 || effectiveMethod == "HEAD" || status == 204 ? 0 : Self.bodySize(&random, path: pathText)
        // Hits are served from the edge's cache in a millisecond or two; everything else waits for
        // an upstream: log-normal (median 60 ms, sigma 0.9), the smooth heavy tail real request
        // times have (a uniform range with a hard edge would be no server's distribution).
        let requestTimeMs = cache == "HIT" ? random.below(3) : Self.upstreamTimeMs(&random)
        var upstream = [Int]()
        if cache != "HIT" && status != 404 && (cache != nil || random.chance(0.5)) {
            upstream.append(max(0, requestTimeMs - random.below(3)))
            if random.chance(0.01) { upstream.insert(random.below(20), at: 0) }
        }
        let requestLength = line.count + 80 + random.below(600)
        return GeneratedRequest(
            timeMs: timeMs, clientIP: client,
            remoteUser: random.chance(0.01) ? random.pick(["alice", "bob", "deploy"]) : nil,
            site: site, requestLine: line, method: effectiveMethod, path: path, query: queryBytes,
            httpProtocol: httpProtocol, status: status, bodyBytes: body, requestLength: requestLength,
            requestTimeMs: requestTimeMs, upstreamTimesMs: upstream, cacheStatus: cache,
            referer: random.chance(0.6) ? nil : "https://\(site)\(random.pick(paths))",
            userAgent: userAgent,
            forwardedFor: random.chance(0.05) ? Self.randomAddress(&random, ipv6Share: 0) : nil,
            attack: attack, lookalike: lookalike, late: late)
    }

    private mutating func junkRequest(timeMs: Int64, client: String, late: Bool) -> GeneratedRequest {
        let junk: [[UInt8]] = [
            Array("GARBAGE".utf8), Array("HELLO THERE FRIEND".utf8), [],
            [0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x03, 0x03],
            [0x03, 0x00, 0x00, 0x2F, 0x2A, 0xE0, 0x00, 0x00, 0x00, 0x00, 0x00],
            Array("GET /a b HTTP/1.1".utf8),
        ]
        return GeneratedRequest(
            timeMs: timeMs, clientIP: client, remoteUser: nil, site: sites[0],
            requestLine: random.pick(junk), method: nil, path: [], query: nil, httpProtocol: nil,
            status: 400, bodyBytes: 150 + random.below(20), requestLength: 0, requestTimeMs: random.below(2),
            upstreamTimesMs: [], cacheStatus: nil, referer: nil, userAgent: nil, forwardedFor: nil,
            attack: nil, lookalike: false, late: late)
    }

    // MARK: - Vocabulary

    private static func randomAddress(_ random: inout SeededRandom, ipv6Share: Double) -> String {
        if random.chance(ipv6Share) {
            let groups = (0..<4).map { _ in String(random.below(0x10000), radix: 16) }
            return "2001:db8:\(groups[0]):\(groups[1])::\(groups[2]):\(groups[3])"
        }
        let first = [23, 31, 45, 66, 77, 81, 92, 104, 151, 176, 185, 212][random.below(12)]
        return "\(first).\(random.below(256)).\(random.below(256)).\(1 + random.below(254))"
    }

    private static func makePaths(_ random: inout SeededRandom) -> [String] {
        var result = ["/", "/index.html", "/favicon.ico", "/robots.txt", "/sitemap.xml", "/api/v1/health"]
        let sections = ["products", "blog", "news", "docs", "api/v2/items", "static/js", "static/css", "images", "users", "caf\u{e9}"]
        let exts = [".html", ".js", ".css", ".png", ".jpg", ".webp", "", ".json", ".woff2"]
        for index in 0..<2_000 {
            let section = sections[random.below(sections.count)]
            result.append("/\(section)/\(index)-\(random.below(100_000))\(exts[random.below(exts.count)])")
        }
        return result
    }

    private static let queries = [
        "page=2", "utm_source=newsletter&utm_medium=email", "q=shoes", "v=1.4.2", "lang=en&sort=price",
        "token=eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA", "id=42", "ref=home&a=1&b=%20x",
    ]

    private static let userAgents = [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
        "curl/7.88.1", "Go-http-client/2.0", "python-requests/2.32.3",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 \"quoted\" agent \\ with backslash",
        "Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36 \u{00fc}ber",
    ]

    private static let sqlInjections: [(path: String, query: String?)] = [
        ("/products", "id=1' UNION SELECT username,password FROM users--"),
        ("/item", "id=1%27%20OR%20%271%27%3D%271"),
        ("/login", "user=admin'--&pass=x"),
        ("/search", "q=1+union+all+select+null,null,version()--"),
        ("/view", "id=1;DROP%20TABLE%20users"),
        ("/api/v1/items", "sort=(SELECT%20SLEEP(5))"),
        ("/news", "id=-1%2527%2520or%25201=1--"),
    ]
    private static let xssPayloads: [(path: String, query: String?)] = [
        ("/search", "q=<script>alert(1)</script>"),
        ("/search", "q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E"),
        ("/comment", "text=<img src=x onerror=alert(1)>"),
        ("/redirect", "to=javascript:alert(1)"),
        ("/profile", "name=&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("/p", "x=%253Csvg%2520onload%253Dalert(1)%253E"),
    ]
    private static let traversals = [
        "/../../etc/passwd", "/static/..%2f..%2f..%2fetc%2fpasswd", "/download/%252e%252e%252f%252e%252e%252fetc%252fshadow",
        "/images/....//....//etc/passwd", "/cgi-bin/.%2e/.%2e/.%2e/bin/sh", "/files/..\\..\\windows\\win.ini",
    ]
    private static let scannerAgents = [
        "sqlmap/1.7.2#stable (https://sqlmap.org)", "Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000001)",
        "masscan/1.3 (https://github.com/robertdavidgraham/masscan)", "Mozilla/5.0 zgrab/0.x",
        "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)", "WPScan v3.8.25 (https://wpscan.com/wordpress-security-scanner)",
    ]
    private static let scannerPaths = ["/wp-login.php", "/.env", "/phpmyadmin/index.php", "/.git/config", "/admin/config.php", "/server-status"]
    private static let lookalikes: [(path: String, query: String?)] = [
        ("/search", "q=union+station"), ("/authors/o'reilly", nil), ("/search", "q=select+a+script+font"),
        ("/blog/how-to-use-script-tags", nil), ("/search", "q=drop+shipping+table+lamps"),
        ("/books", "title=The+Alert+Reader&author=O%27Brien"),
    ]

    private static func status(_ random: inout SeededRandom, method: String) -> Int {
        let r = random.below(1000)
        switch r {
        case ..<820: return method == "POST" && r % 5 == 0 ? 201 : 200
        case ..<850: return 304
        case ..<870: return random.pick([301, 302, 307])
        case ..<950: return 404
        case ..<965: return random.pick([400, 401, 403, 429])
        case ..<990: return 206
        case ..<996: return random.pick([500, 502])
        default: return random.pick([503, 504])
        }
    }

    /// A log-normal request time in whole milliseconds (nginx logs ms), at least 3, at most 60 s.
    private static func upstreamTimeMs(_ random: inout SeededRandom) -> Int {
        // Box-Muller: one standard normal from two uniforms (the first kept away from 0).
        let u1 = max(random.unit(), 1e-12)
        let u2 = random.unit()
        let normal = (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
        let ms = Foundation.exp(Foundation.log(60.0) + 0.9 * normal)
        return min(60_000, max(3, Int(ms)))
    }

    private static func cacheStatus(_ random: inout SeededRandom, status: Int, path: String) -> String? {
        if status >= 400 || path.hasPrefix("/api") { return random.chance(0.3) ? "BYPASS" : nil }
        let r = random.below(100)
        switch r {
        case ..<62: return "HIT"
        case ..<85: return "MISS"
        case ..<90: return "EXPIRED"
        case ..<92: return "STALE"
        case ..<93: return "UPDATING"
        case ..<95: return "REVALIDATED"
        case ..<97: return "BYPASS"
        default: return nil
        }
    }

    private static func bodySize(_ random: inout SeededRandom, path: String) -> Int {
        if path.hasSuffix(".png") || path.hasSuffix(".jpg") || path.hasSuffix(".webp") { return 2_000 + random.below(400_000) }
        if path.hasSuffix(".js") || path.hasSuffix(".css") || path.hasSuffix(".woff2") { return 500 + random.below(120_000) }
        return 200 + random.below(40_000)
    }
}
