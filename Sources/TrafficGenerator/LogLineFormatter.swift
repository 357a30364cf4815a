/// Writes a `GeneratedRequest` as nginx would, for a `log_format` in nginx's own syntax.
///
/// Deliberately independent of the `NginxLog` parser (the generator must never import it):
/// tests compare what the parser reads with what this formatter was told to write.
/// Escaping follows nginx's `escape=default`: `"`, `\`, bytes below 0x20 and bytes from 0x7F
/// up are written as `\xHH` inside variable values; spaces are not escaped.
public struct LogLineFormatter: Sendable {
    enum Piece: Sendable {
        case literal([UInt8])
        case variable(String)
    }

    public static let combinedFormat =
        #"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#
    public static let edgeFormat = combinedFormat + " $host $request_time $upstream_cache_status $request_length"

    let pieces: [Piece]
    let utcOffsetMinutes: Int
    public let variables: [String]

    public enum FormatError: Error, CustomStringConvertible {
        case emptyVariableName(offset: Int)
        case unterminatedBrace(offset: Int)
        public var description: String {
            switch self {
            case .emptyVariableName(let offset): "log_format: '$' without a variable name at offset \(offset)"
            case .unterminatedBrace(let offset): "log_format: '${' without '}' at offset \(offset)"
            }
        }
    }

    /// - Parameter format: a log_format body (`$remote_addr - ...`), or the names `combined`/`edge`.
    public init(format: String, utcOffsetMinutes: Int = 0) throws {
        let body: String
        switch format {
        case "combined": body = Self.combinedFormat
        case "edge": body = Self.edgeFormat
        default: body = format
        }
        let bytes = Array(body.utf8)
        var pieces = [Piece]()
        var literal = [UInt8]()
        var index = 0
        func isNameByte(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
        }
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "$") else {
                literal.append(byte)
                index += 1
                continue
            }
            var nameStart = index + 1
            var nameEnd: Int
            if nameStart < bytes.count, bytes[nameStart] == UInt8(ascii: "{") {
                nameStart += 1
                guard let close = bytes[nameStart...].firstIndex(of: UInt8(ascii: "}")) else {
                    throw FormatError.unterminatedBrace(offset: index)
                }
                nameEnd = close
                index = close + 1
            } else {
                nameEnd = nameStart
                while nameEnd < bytes.count, isNameByte(bytes[nameEnd]) { nameEnd += 1 }
                index = nameEnd
            }
            guard nameEnd > nameStart else { throw FormatError.emptyVariableName(offset: index) }
            if !literal.isEmpty { pieces.append(.literal(literal)); literal.removeAll() }
            pieces.append(.variable(String(decoding: bytes[nameStart..<nameEnd], as: UTF8.self)))
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        self.pieces = pieces
        self.utcOffsetMinutes = utcOffsetMinutes
        self.variables = pieces.compactMap { if case .variable(let name) = $0 { name } else { nil } }
    }

    /// Appends one line (with its `\n`) to `output`.
    public func append(_ request: GeneratedRequest, to output: inout [UInt8]) {
        for piece in pieces {
            switch piece {
            case .literal(let bytes): output.append(contentsOf: bytes)
            case .variable(let name): appendVariable(name, request, &output)
            }
        }
        output.append(0x0A)
    }

    private func appendVariable(_ name: String, _ r: GeneratedRequest, _ out: inout [UInt8]) {
        switch name {
        case "remote_addr": escaped(r.clientIP, &out)
        case "remote_user": escaped(r.remoteUser, &out)
        case "time_local": out.append(contentsOf: Self.timeLocal(r.timeMs, offsetMinutes: utcOffsetMinutes).utf8)
        case "time_iso8601": out.append(contentsOf: Self.timeISO8601(r.timeMs, offsetMinutes: utcOffsetMinutes).utf8)
        case "msec": out.append(contentsOf: Self.seconds(milliseconds: r.timeMs).utf8)
        case "request": escaped(r.requestLine, &out)
        case "request_method": escaped(r.method, &out)
        case "request_uri": if r.method == nil { out.append(0x2D) } else { escaped(r.path + (r.query.map { [0x3F] + $0 } ?? []), &out) }
        case "uri": if r.method == nil { out.append(0x2D) } else { escaped(r.path, &out) }
        case "args": if let q = r.query { escaped(q, &out) } else { out.append(0x2D) }
        case "server_protocol": escaped(r.httpProtocol ?? (r.method == nil ? nil : "HTTP/0.9"), &out)
        case "status": out.append(contentsOf: String(r.status).utf8)
        case "body_bytes_sent": out.append(contentsOf: String(r.bodyBytes).utf8)
        case "bytes_sent": out.append(contentsOf: String(Self.bytesSent(r)).utf8)
        case "http_referer": escaped(r.referer, &out)
        case "http_user_agent": escaped(r.userAgent, &out)
        case "http_x_forwarded_for": escaped(r.forwardedFor, &out)
        case "host", "server_name": escaped(r.site, &out)
        case "scheme": out.append(contentsOf: "https".utf8)
        case "request_time": out.append(contentsOf: Self.seconds(milliseconds: Int64(r.requestTimeMs)).utf8)
        case "upstream_response_time":
            if r.upstreamTimesMs.isEmpty { out.append(0x2D) } else {
                out.append(contentsOf: r.upstreamTimesMs.map { Self.seconds(milliseconds: Int64($0)) }.joined(separator: ", ").utf8)
            }
        case "upstream_cache_status": escaped(r.cacheStatus, &out)
        case "request_length": out.append(contentsOf: String(r.requestLength).utf8)
        default: out.append(0x2D)
        }
    }

    /// `$bytes_sent`: the body plus a header size that depends only on the request.
    public static func bytesSent(_ r: GeneratedRequest) -> Int { r.bodyBytes + (r.status == 200 ? 240 : 180) }

    private func escaped(_ text: String?, _ out: inout [UInt8]) {
        guard let text, !text.isEmpty else { out.append(0x2D); return }
        escaped(Array(text.utf8), &out)
    }

    private func escaped(_ bytes: [UInt8], _ out: inout [UInt8]) {
        if bytes.isEmpty { out.append(0x2D); return }
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        for b in bytes {
            if b == 0x22 || b == 0x5C || b < 0x20 || b >= 0x7F {
                out.append(contentsOf: [0x5C, 0x78, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            } else {
                out.append(b)
            }
        }
    }

    // MARK: - Time

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `28/Nov/2026:18:19:42 +0530`
    static func timeLocal(_ ms: Int64, offsetMinutes: Int) -> String {
        let c = CivilTime(utcMilliseconds: ms, offsetMinutes: offsetMinutes)
        return "\(two(c.day))/\(months[c.month - 1])/\(c.year):\(two(c.hour)):\(two(c.minute)):\(two(c.second)) \(offset(offsetMinutes, colon: false))"
    }

    /// `2026-11-28T18:19:42+05:30`
    static func timeISO8601(_ ms: Int64, offsetMinutes: Int) -> String {
        let c = CivilTime(utcMilliseconds: ms, offsetMinutes: offsetMinutes)
        return "\(c.year)-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(c.second))\(offset(offsetMinutes, colon: true))"
    }

    /// `1764353982.123` (nginx's `%T.%03M`).
    static func seconds(milliseconds ms: Int64) -> String {
        let whole = floorDiv(ms, 1000)
        let frac = Int(ms - whole * 1000)
        return "\(whole).\(frac < 10 ? "00" : frac < 100 ? "0" : "")\(frac)"
    }

    private static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    private static func offset(_ minutes: Int, colon: Bool) -> String {
        let sign = minutes < 0 ? "-" : "+"
        let m = abs(minutes)
        return "\(sign)\(two(m / 60))\(colon ? ":" : "")\(two(m % 60))"
    }
}

/// Calendar fields of an instant in a fixed UTC offset (proleptic Gregorian, Howard Hinnant's
/// days-to-civil algorithm).
struct CivilTime {
    var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int

    init(utcMilliseconds ms: Int64, offsetMinutes: Int) {
        let local = floorDiv(ms, 1000) + Int64(offsetMinutes) * 60
        let days = floorDiv(local, 86_400)
        let secondOfDay = Int(local - days * 86_400)
        hour = secondOfDay / 3600
        minute = (secondOfDay % 3600) / 60
        second = secondOfDay % 60
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = Int(doy - (153 * mp + 2) / 5 + 1)
        month = Int(mp < 10 ? mp + 3 : mp - 9)
        year = Int(yoe + era * 400) + (month <= 2 ? 1 : 0)
    }
}
