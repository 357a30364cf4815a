import Foundation

/// Counts nginx `edge` log lines per (UTC minute, site) without the product's parser: plain
/// splitting on the format's delimiters, Foundation's date parsing for `$time_local`.
///
/// The `edge` format is `$remote_addr - $remote_user [$time_local] "$request" $status
/// $body_bytes_sent "$http_referer" "$http_user_agent" $host $request_time
/// $upstream_cache_status $request_length`. nginx writes a `"` inside a variable as `\x22`
/// (reference/nginx/README.md), so every `"` in a line is a delimiter: a line has exactly six,
/// the time sits between the first `[` and the first `]` (nothing before it can hold one: an
/// address and a user name), and the four space-separated fields after the last `"` are host,
/// request time, cache status and request length.
struct IndependentLogCount {
    struct Key: Hashable, Comparable, CustomStringConvertible {
        var minute: Int64
        var site: String
        static func < (a: Key, b: Key) -> Bool { (a.minute, a.site) < (b.minute, b.site) }
        var description: String { "\(Date(timeIntervalSince1970: TimeInterval(minute))) \(site)" }
    }

    /// One log line's fields that the comparison uses.
    struct Line {
        var key: Key
        var clientAddress: String
        var utcOffset: String
        var status: Int
        var bodyBytes: Int64
        var requestLength: Int64
        var requestTimeMicros: Int64
        var cacheStatus: String
    }

    /// The `minute_site` columns compared, in this order.
    static let columns: [String] = {
        var names = [
            "requests", "body_bytes", "request_bytes", "status_1xx", "status_2xx", "status_3xx", "status_4xx",
            "status_5xx", "status_other",
        ]
        names += statusCodes.map { "status_\($0)" }
        names += cacheStatuses.map { "cache_\($0)" }
        names.append("request_time_us_sum")
        return names
    }()
    static let statusCodes = [200, 301, 302, 304, 400, 403, 404, 429, 499, 500, 502, 503, 504]
    static let cacheStatuses = ["hit", "miss", "expired", "stale", "updating", "revalidated", "bypass", "none"]

    struct Malformed: Error, CustomStringConvertible {
        var line: String
        var reason: String
        var description: String { "\(reason): \(line)" }
    }

    private(set) var rows: [Key: [Int64]] = [:]
    private(set) var lines = 0
    /// Every `$time_local` offset seen (`-0330`), to prove the zone was not UTC.
    private(set) var utcOffsets: Set<String> = []
    /// Lines per `$upstream_cache_status` value as written (`-` included).
    private(set) var cacheStatusesSeen: [String: Int] = [:]
    private(set) var statusesSeen: [Int: Int] = [:]
    /// Distinct `$remote_addr`s per (minute, site).
    private(set) var clientAddresses: [Key: Set<String>] = [:]

    /// Adds every line of a log file's text (which must end with a newline: nginx has exited).
    mutating func add(fileContents: Data) throws {
        let text = String(decoding: fileContents, as: UTF8.self)
        guard text.isEmpty || text.hasSuffix("\n") else {
            throw Malformed(line: String(text.suffix(200)), reason: "last line not terminated")
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            try add(Self.parse(String(line)))
        }
    }

    mutating func add(_ line: Line) {
        lines += 1
        utcOffsets.insert(line.utcOffset)
        cacheStatusesSeen[line.cacheStatus, default: 0] += 1
        statusesSeen[line.status, default: 0] += 1
        clientAddresses[line.key, default: []].insert(line.clientAddress)
        var row = rows[line.key] ?? Array(repeating: 0, count: Self.columns.count)
        func bump(_ column: String, _ by: Int64 = 1) {
            if let index = Self.columns.firstIndex(of: column) { row[index] += by }
        }
        bump("requests")
        bump("body_bytes", line.bodyBytes)
        bump("request_bytes", line.requestLength)
        bump((100...599).contains(line.status) ? "status_\(line.status / 100)xx" : "status_other")
        bump("status_\(line.status)")
        bump("cache_\(line.cacheStatus == "-" ? "none" : line.cacheStatus.lowercased())")
        bump("request_time_us_sum", line.requestTimeMicros)
        rows[line.key] = row
    }

    static func parse(_ line: String) throws -> Line {
        let quoted = line.split(separator: "\"", omittingEmptySubsequences: false)
        guard quoted.count == 7 else { throw Malformed(line: line, reason: "\(quoted.count - 1) quotes, not 6") }
        guard let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]"), open < close else {
            throw Malformed(line: line, reason: "no [time]")
        }
        let time = String(line[line.index(after: open)..<close])
        guard let date = timeLocal.date(from: time) else { throw Malformed(line: line, reason: "time \(time)") }
        // quoted[2] is ` $status $body_bytes_sent `; quoted[6] is ` $host $request_time $cache $request_length`.
        let statusAndBytes = quoted[2].split(separator: " ")
        let tail = quoted[6].split(separator: " ")
        guard statusAndBytes.count == 2, let status = Int(statusAndBytes[0]), let bytes = Int64(statusAndBytes[1]),
            tail.count == 4, let length = Int64(tail[3]), let micros = Self.micros(tail[1])
        else { throw Malformed(line: line, reason: "fields") }
        let epoch = Int64(date.timeIntervalSince1970)
        return Line(
            key: Key(minute: epoch - ((epoch % 60) + 60) % 60, site: String(tail[0])),
            clientAddress: String(line.prefix { $0 != " " }),
            utcOffset: String(time.suffix(5)), status: status, bodyBytes: bytes, requestLength: length,
            requestTimeMicros: micros, cacheStatus: String(tail[2]))
    }

    /// `$request_time` (`0.003`: seconds with millisecond resolution) in microseconds.
    static func micros(_ text: Substring) -> Int64? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let seconds = Int64(parts[0]), parts[1].count == 3, let millis = Int64(parts[1]) else {
            return nil
        }
        return seconds * 1_000_000 + millis * 1_000
    }

    /// `07/Dec/2026:08:02:11 -0330`.
    nonisolated(unsafe) static let timeLocal: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "dd/MMM/yyyy:HH:mm:ss Z"
        return formatter
    }()

    /// Differences from `minute_site` rows (bucket epoch, site, then `columns`).
    func differences(from stored: [[String?]]) -> [String] {
        var seen: [Key: [Int64]] = [:]
        for row in stored {
            guard let epoch = row[0].flatMap({ Int64($0) }), let site = row[1] else { continue }
            seen[Key(minute: epoch, site: site)] = row.dropFirst(2).map { $0.flatMap { Int64($0) } ?? -1 }
        }
        var problems: [String] = []
        for (key, values) in rows.sorted(by: { $0.key < $1.key }) where seen[key] != values {
            let stored = seen[key]
            let columns = Self.columns.indices.filter { stored?[$0] != values[$0] }.map { index in
                "\(Self.columns[index]) \(values[index]) in the logs, \(stored.map { "\($0[index])" } ?? "no row") stored"
            }
            problems.append("\(key): \(columns.joined(separator: "; "))")
        }
        for key in Set(seen.keys).subtracting(rows.keys).sorted() {
            problems.append("\(key): stored \(seen[key] ?? []) but not in the logs")
        }
        return problems
    }

    /// The SQL reading the compared columns from `minute_site`, bucket as epoch seconds.
    static var selectSQL: String {
        "SELECT extract(epoch FROM bucket)::bigint, site, \(columns.joined(separator: ", ")) FROM minute_site ORDER BY 1, 2"
    }
}
