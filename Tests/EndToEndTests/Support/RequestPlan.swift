import PipelineTestSupport

/// One request the load sends: the raw bytes (request line, headers, body) exactly as they go
/// on the wire, and the attack class it plants, if any.
struct PlannedRequest: Sendable {
    var bytes: [UInt8]
    var plantedAttack: String?
    var label: String
}

/// The bounded, deterministic load: for a seed and a count, always the same requests in the
/// same order. Mostly ordinary traffic over the sites and the origin's paths (so the cache goes
/// through MISS, HIT, EXPIRED, REVALIDATED and BYPASS, and statuses 2xx to 5xx appear), one
/// request in ten an attack (SQL injection, XSS, traversal, a scanner's user agent), and a few
/// of what real nginx logs oddly: a Host header in capitals with a port, no Host at all, raw
/// UTF-8 and spaces in the target, a quote in the user agent, junk that is not HTTP.
struct RequestPlan {
    /// Sizes of the origin's static files `file-<index>.txt`, in bytes (0 included).
    static let staticFileSizes = [0, 1, 17, 100, 512, 1000, 4096, 10_000, 33_333, 65_536]

    static func requests(seed: UInt64, count: Int) -> [PlannedRequest] {
        var random = SplitMix64(seed: seed)
        func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }
        var plan: [PlannedRequest] = []
        for index in 0..<count {
            let roll = random.next() % 100
            switch roll {
            case 0..<10:
                plan.append(attack(pick(Self.attacks), host: pick(EdgeProxyConfiguration.shopSites)))
            case 10..<13:
                plan.append(odd(pick(Self.oddRequests)))
            default:
                let host = pick(EdgeProxyConfiguration.defaultSites + EdgeProxyConfiguration.shopSites)
                let path: String
                switch roll {
                case 13..<45: path = "/static/file-\(random.next() % UInt64(staticFileSizes.count)).txt"
                case 45..<60: path = "/gen/item-\(random.next() % 6)"
                case 60..<68: path = "/api/items?page=\(random.next() % 20)"
                case 68..<72: path = "/static/file-\(random.next() % 3).txt?nocache=1"
                case 72..<77: path = "/static/missing-\(random.next() % 4)"
                case 77..<80: path = pick(["/error", "/unavailable"])
                case 80..<84: path = pick(["/healthz", "/moved", "/admin"])
                case 84..<88: path = pick(["/search?q=union+station", "/search?q=o%27reilly+books", "/search?q=select+a+size"])
                default: path = "/static/file-\(random.next() % 4).txt"
                }
                let method = roll == 99 ? "HEAD" : "GET"
                plan.append(
                    ordinary(method: method, path: path, host: host, userAgent: pick(Self.browsers), index: index))
            }
        }
        return plan
    }

    static let browsers = [
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
        "curl/8.5.0",
    ]

    /// (class, request target, user agent).
    static let attacks: [(String, String, String?)] = [
        ("sqli", "/search?q=1%27%20OR%20%271%27%3D%271", nil),
        ("sqli", "/search?id=1%20UNION%20SELECT%20username,password%20FROM%20users--", nil),
        ("xss", "/search?q=%3Cscript%3Ealert(document.cookie)%3C/script%3E", nil),
        ("xss", "/search?q=%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E", nil),
        ("traversal", "/download?file=../../../../etc/passwd", nil),
        ("traversal", "/download?file=..%2F..%2F..%2Fetc%2Fshadow", nil),
        ("scanner", "/wp-login.php", "Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000001)"),
        ("scanner", "/search?q=1", "sqlmap/1.7.2#stable (https://sqlmap.org)"),
    ]

    static func attack(_ attack: (String, String, String?), host: String) -> PlannedRequest {
        let agent = attack.2 ?? "Mozilla/5.0 (X11; Linux x86_64)"
        let text = "GET \(attack.1) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: \(agent)\r\nConnection: close\r\n\r\n"
        return PlannedRequest(bytes: Array(text.utf8), plantedAttack: attack.0, label: "\(attack.0) \(attack.1)")
    }

    static func ordinary(method: String, path: String, host: String, userAgent: String, index: Int) -> PlannedRequest {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: \(userAgent)\r\n"
        if index % 7 == 0 { text += "Referer: https://\(host)/static/file-\(index % 5).txt\r\n" }
        text += "Connection: close\r\n\r\n"
        return PlannedRequest(bytes: Array(text.utf8), plantedAttack: nil, label: "\(method) \(path) \(host)")
    }

    /// Requests as real clients (and junk) send them; each ends with the connection closed.
    static let oddRequests: [(label: String, text: String)] = [
        ("host in capitals with a port", "GET /static/file-2.txt HTTP/1.1\r\nHost: WWW.Example.TEST:8080\r\nConnection: close\r\n\r\n"),
        ("HTTP/1.0 without Host", "GET /static/file-3.txt HTTP/1.0\r\n\r\n"),
        ("raw UTF-8 in the path", "GET /caf\u{e9}/men\u{fc}?q=cr\u{e8}me HTTP/1.1\r\nHost: static.example.test\r\nConnection: close\r\n\r\n"),
        ("quote and backslash in the user agent", "GET /gen/item-1 HTTP/1.1\r\nHost: shop.example.test\r\nUser-Agent: Mozilla \"quoted\" \\back\\\r\nConnection: close\r\n\r\n"),
        ("space in the target", "GET /static/a b HTTP/1.1\r\nHost: www.example.test\r\nConnection: close\r\n\r\n"),
        ("not HTTP", "HELLO THERE FRIEND\r\n\r\n"),
        ("POST with a body", "POST /api/items HTTP/1.1\r\nHost: api.example.test\r\nContent-Type: application/json\r\nContent-Length: 27\r\nConnection: close\r\n\r\n{\"name\":\"widget\",\"qty\":12}\n"),
        ("unknown host on the default server", "GET /static/file-5.txt HTTP/1.1\r\nHost: Unknown.Example.TEST\r\nConnection: close\r\n\r\n"),
        ("HTTP/0.9", "GET /static/file-1.txt\r\n"),
        ("request line beyond the header buffers (414)", "GET /static/\(String(repeating: "a", count: 9_000)) HTTP/1.1\r\nHost: www.example.test\r\nConnection: close\r\n\r\n"),
        ("TLS handshake on the plain port", "\u{16}\u{3}\u{1}\u{0}\u{5}\u{1}\u{0}\u{0}\u{1}\u{3}\r\n\r\n"),
    ]

    static func odd(_ request: (label: String, text: String)) -> PlannedRequest {
        PlannedRequest(bytes: Array(request.text.utf8), plantedAttack: nil, label: request.label)
    }
}
