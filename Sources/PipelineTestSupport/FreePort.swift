import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Ephemeral TCP ports on 127.0.0.1 for servers the tests start.
///
/// The kernel picks a free port when we bind port 0; we read it back and close the socket, so
/// the port is free *now* but nothing reserves it: another process may take it before our
/// server binds. Starters therefore retry with a fresh port when the bind fails (see
/// `PostgresCluster.start`). Ports handed out by this process are remembered so two servers
/// started in the same run never get the same number from us.
public enum FreePort {
    public struct Failure: Error, CustomStringConvertible {
        public var operation: String
        public var code: Int32
        public var description: String { "FreePort: \(operation) failed: \(String(cString: strerror(code)))" }
    }

    private static let handedOut = Mutex<Set<Int>>([])

    /// A TCP port on 127.0.0.1 that was free a moment ago and that this process has not handed out before.
    public static func next() throws -> Int {
        for _ in 0..<64 {
            let port = try bindLoopback(port: 0)
            let isNew = handedOut.withLock { $0.insert(port).inserted }
            if isNew { return port }
        }
        throw Failure(operation: "finding a port not handed out before", code: EADDRINUSE)
    }

    /// A free port below the kernel's ephemeral range (`ip_local_port_range`), for a server
    /// that clients dial before it is up or across its restarts (a broker killed and started
    /// again on its port).
    ///
    /// A port from `next()` lies inside the ephemeral range, so while nothing listens on it the
    /// kernel may hand it out as the *source* port of an outgoing connection — any test's, or
    /// the retrying client's own, which then connects to itself (TCP self-connect) — and the
    /// server's bind fails with "Address already in use". Ports below the range are never
    /// chosen as source ports. Checked free by binding it, and never handed out twice.
    public static func redialable() throws -> Int {
        let ceiling = max(1_100, ephemeralRangeStart() - 1)
        let floor = max(1_024, ceiling - 12_000)
        for _ in 0..<256 {
            let port = Int.random(in: floor...ceiling)
            guard isBindable(port), handedOut.withLock({ $0.insert(port).inserted }) else { continue }
            return port
        }
        throw Failure(operation: "finding a free port below the ephemeral range", code: EADDRINUSE)
    }

    /// The first port of the kernel's ephemeral range; Linux's default when it cannot be read.
    static func ephemeralRangeStart() -> Int {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        return text.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
    }

    private static func isBindable(_ port: Int) -> Bool {
        (try? bindLoopback(port: port)) != nil
    }

    /// Binds a TCP socket to 127.0.0.1:`port` (0: the kernel picks one), closes it again, and
    /// returns the port it was bound to.
    private static func bindLoopback(port: Int) throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(operation: "socket", code: errno) }
        defer { close(fd) }
        var address = LoopbackProbe.loopbackAddress(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw Failure(operation: "bind", code: errno) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw Failure(operation: "getsockname", code: errno) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
