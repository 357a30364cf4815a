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
            let port = try bindEphemeral()
            let isNew = handedOut.withLock { $0.insert(port).inserted }
            if isNew { return port }
        }
        throw Failure(operation: "finding a port not handed out before", code: EADDRINUSE)
    }

    private static func bindEphemeral() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(operation: "socket", code: errno) }
        defer { close(fd) }
        var address = LoopbackProbe.loopbackAddress(port: 0)
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
