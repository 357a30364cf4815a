import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Minimal blocking TCP and HTTP/1.1 clients for 127.0.0.1, used to decide whether a server is
/// up. Deliberately tiny and dependency-free: readiness checks must not depend on the code
/// under test (no NIO client), and a half-started server must never hang a probe, so every
/// socket has send and receive timeouts (on Linux `SO_SNDTIMEO` also bounds `connect`).
public enum LoopbackProbe {
    /// An HTTP response as received: status code, raw header block, raw body (no chunked decoding).
    public struct HTTPReply: Sendable, Hashable {
        public var status: Int
        public var headers: String
        public var body: [UInt8]
        public var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port` right now.
    public static func isListening(port: Int, timeout: Duration = .seconds(1)) -> Bool {
        guard let fd = try? connect(port: port, timeout: timeout) else { return false }
        close(fd)
        return true
    }

    /// Sends `GET path` with `Connection: close` and reads the reply to EOF (at most 4 MiB).
    public static func httpGet(port: Int, path: String, timeout: Duration = .seconds(2)) throws -> HTTPReply {
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8)
        return try parse(exchange(port: port, request: request, timeout: timeout), port: port)
    }

    /// Sends `request` exactly as given (any bytes: a malformed request line is fine), then
    /// reads until the server closes the connection (at most `limit` bytes) and returns what
    /// came back. Ask the server to close (`Connection: close`, HTTP/1.0) or it waits for
    /// `timeout`.
    /// - Parameter ipv6: connect to `[::1]` instead of 127.0.0.1.
    public static func exchange(
        port: Int,
        request: [UInt8],
        ipv6: Bool = false,
        timeout: Duration = .seconds(2),
        limit: Int = 4 * 1024 * 1024
    ) throws -> [UInt8] {
        let fd = ipv6 ? try connectIPv6(port: port, timeout: timeout) : try connect(port: port, timeout: timeout)
        defer { close(fd) }
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Failure(description: "send to port \(port): \(String(cString: strerror(errno)))") }
            sent += n
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while received.count < limit {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else {
                throw Failure(description: "recv from port \(port): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            received.append(contentsOf: chunk[0..<n])
        }
        return received
    }

    /// Parses a reply as `exchange` returned it.
    public static func reply(_ bytes: [UInt8], port: Int) throws -> HTTPReply {
        try parse(bytes, port: port)
    }

    /// Splits a raw reply at the first CRLFCRLF and reads the status from `HTTP/1.x NNN ...`.
    static func parse(_ bytes: [UInt8], port: Int) throws -> HTTPReply {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headerEnd = bytes.count
        var bodyStart = bytes.count
        if bytes.count >= 4 {
            for index in 0...(bytes.count - 4) where bytes[index..<(index + 4)].elementsEqual(separator) {
                headerEnd = index
                bodyStart = index + 4
                break
            }
        }
        let headers = String(decoding: bytes[0..<headerEnd], as: UTF8.self)
        let statusLine = headers.split(separator: "\r\n", maxSplits: 1).first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw Failure(description: "port \(port) did not answer with HTTP: \(statusLine.prefix(80))")
        }
        return HTTPReply(status: status, headers: headers, body: Array(bytes[bodyStart...]))
    }

    /// A connected TCP socket to 127.0.0.1:`port`, with `timeout` on connect, send and receive.
    static func connect(port: Int, timeout: Duration) throws -> Int32 {
        var address = loopbackAddress(port: port)
        return try connect(family: AF_INET, to: &address, named: "127.0.0.1:\(port)", port: port, timeout: timeout)
    }

    /// A connected TCP socket to [::1]:`port`, with `timeout` on connect, send and receive.
    static func connectIPv6(port: Int, timeout: Duration) throws -> Int32 {
        var address = ipv6LoopbackAddress(port: port)
        return try connect(family: AF_INET6, to: &address, named: "[::1]:\(port)", port: port, timeout: timeout)
    }

    /// The one connect behind both: `address` is a `sockaddr_in` or `sockaddr_in6` of `family`.
    private static func connect<Address>(
        family: Int32, to address: inout Address, named name: String, port: Int, timeout: Duration
    ) throws -> Int32 {
        guard (1...65535).contains(port) else { throw Failure(description: "port \(port) out of range") }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var limit = timeval(seconds: timeout)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<Address>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw Failure(description: "connect to \(name): \(String(cString: strerror(code)))")
        }
        return fd
    }

    /// Whether this machine has an IPv6 loopback (`::1` can be bound); containers may not.
    public static var hasIPv6Loopback: Bool {
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = ipv6LoopbackAddress(port: 0)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0
            }
        }
    }

    static func ipv6LoopbackAddress(port: Int) -> sockaddr_in6 {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = UInt16(port).bigEndian
        address.sin6_addr = in6addr_loopback
        return address
    }

    static func loopbackAddress(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }
}

extension timeval {
    init(seconds duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.init(tv_sec: Int(max(0, seconds)), tv_usec: Int(attoseconds / 1_000_000_000_000))
        if tv_sec == 0 && tv_usec == 0 { tv_usec = 1000 }
    }
}
