import PipelineTestSupport
/// Deterministic test inputs. Everything is generated from fixed seeds, so a failure reproduces.


/// The inputs the interop tests run over, from trivial to several blocks long.
enum SampleInput: String, CaseIterable, Sendable, CustomStringConvertible {
    case empty
    case oneByte
    /// 1 MiB of nginx-combined-like lines: compressible, 16 blocks of 64 KiB.
    case logText1MiB
    /// 300 KiB of random bytes: incompressible (stored blocks), 5 blocks of 64 KiB.
    case random300KiB
    /// 5 MiB of zeros: extremely compressible, more than one block even at the 4 MiB maximum.
    case zeros5MiB

    var description: String { rawValue }

    var bytes: [UInt8] {
        switch self {
        case .empty: []
        case .oneByte: [0x41]
        case .logText1MiB: SampleInput.logText
        case .random300KiB: SampleInput.random
        case .zeros5MiB: SampleInput.zeros
        }
    }

    private static let logText = makeLogText(byteCount: 1 << 20, seed: 1)
    private static let random = makeRandomBytes(byteCount: 300 * 1024, seed: 2)
    private static let zeros = [UInt8](repeating: 0, count: 5 << 20)
}

func makeRandomBytes(byteCount: Int, seed: UInt64) -> [UInt8] {
    var generator = SplitMix64(seed: seed)
    return (0..<byteCount).map { _ in UInt8.random(in: 0...255, using: &generator) }
}

/// Access-log lines in nginx's combined format, exactly `byteCount` bytes (the last line may be
/// cut, as a tailer's read buffer would cut it).
func makeLogText(byteCount: Int, seed: UInt64) -> [UInt8] {
    var generator = SplitMix64(seed: seed)
    let methods = ["GET", "GET", "GET", "POST", "HEAD", "PUT"]
    let paths = ["/", "/index.html", "/api/v1/items", "/api/v1/users/", "/static/app.js", "/favicon.ico"]
    let statuses = ["200", "200", "200", "304", "404", "500", "301"]
    let agents = [
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
        "curl/8.5.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    ]
    var text: [UInt8] = []
    text.reserveCapacity(byteCount + 512)
    var second = 0
    while text.count < byteCount {
        second += Int.random(in: 0...2, using: &generator)
        let ip = "10.\(Int.random(in: 0...3, using: &generator)).\(Int.random(in: 0...255, using: &generator)).\(Int.random(in: 1...254, using: &generator))"
        let method = methods.randomElement(using: &generator) ?? "GET"
        let path = (paths.randomElement(using: &generator) ?? "/") + String(Int.random(in: 0...999, using: &generator))
        let status = statuses.randomElement(using: &generator) ?? "200"
        let size = Int.random(in: 0...99_999, using: &generator)
        let agent = agents.randomElement(using: &generator) ?? "-"
        let line = "\(ip) - - [10/Oct/2024:13:\(55 + second / 60 % 5):\(10 + second % 50) +0000] "
            + "\"\(method) \(path) HTTP/1.1\" \(status) \(size) \"-\" \"\(agent)\"\n"
        text.append(contentsOf: line.utf8)
    }
    return Array(text.prefix(byteCount))
}
