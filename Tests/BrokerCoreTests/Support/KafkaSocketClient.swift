import Foundation
import KafkaProtocol
import NIOCore
import PipelineTestSupport
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A deliberately small blocking Kafka client for integration tests: a plain TCP socket to
/// 127.0.0.1, request frames from KafkaProtocol's encoders, response frames split with
/// `KafkaFrameDecoder.nextFrame`. It can also send arbitrary bytes, which is the point: hostile
/// input no real client would produce. Every call has a receive/send timeout.
///
/// The blocking calls are for producer threads; async tests use the `async` forms, which run
/// the same call on a thread of their own (`OffPool`) so the socket never blocks the cooperative
/// pool. Calls are meant to come one at a time; the lock around the buffered bytes makes that
/// safe to share, not fast.
final class KafkaSocketClient: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Bytes received but not yet split into frames, and the next correlation id.
    private struct Pending {
        var inbound = ByteBuffer()
        var nextCorrelationID: Int32 = 1
    }

    private let fd: Int32
    private let pending = Mutex(Pending())
    private let decoder = KafkaFrameDecoder()

    init(port: Int, timeout: Duration = .seconds(10)) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        let (seconds, attoseconds) = timeout.components
        var time = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw Failure(description: "connect to port \(port): \(reason)")
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Sends raw bytes; an error once the broker has closed is reported, not trapped (no SIGPIPE).
    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw Failure(description: "send: \(String(cString: strerror(errno)))") }
            sent += count
        }
    }

    func send(_ buffer: ByteBuffer) throws {
        try send(Array(buffer.readableBytesView))
    }

    /// No more bytes from us (the broker sees EOF).
    func shutdownWrite() {
        shutdown(fd, Int32(SHUT_WR))
    }

    /// The next response frame (size prefix included), or `nil` at EOF.
    func readFrame() throws -> ByteBuffer? {
        try pending.withLock { try readFrame(&$0.inbound) }
    }

    private func readFrame(_ inbound: inout ByteBuffer) throws -> ByteBuffer? {
        while true {
            if let frame = try decoder.nextFrame(&inbound) {
                var whole = ByteBuffer()
                whole.writeInteger(Int32(frame.readableBytes))
                var body = frame
                whole.writeBuffer(&body)
                return whole
            }
            guard try receive(into: &inbound) else { return nil }
        }
    }

    /// Reads until the broker closes; true when it did within the socket timeout.
    func waitForClose() -> Bool {
        var ignored = ByteBuffer()
        while true {
            do {
                guard try receive(into: &ignored) else { return true }
            } catch {
                return errno == ECONNRESET
            }
        }
    }

    /// Sends `request` and decodes its response.
    func request<Request: KafkaRequestMessage>(_ request: Request, version: Int16) throws -> Request.Response {
        let (correlationID, frame) = try pending.withLock { pending in
            let correlationID = pending.nextCorrelationID
            pending.nextCorrelationID += 1
            try send(TestRequests.frame(request, version: version, correlationID: correlationID))
            guard let frame = try readFrame(&pending.inbound) else {
                throw Failure(description: "connection closed awaiting a response")
            }
            return (correlationID, frame)
        }
        let (answered, body) = try TestRequests.decode(Request.Response.self, version: version, frame: frame)
        guard answered == correlationID else {
            throw Failure(description: "response to correlation id \(answered), expected \(correlationID)")
        }
        return body
    }

    /// Appends received bytes to `inbound`; false at EOF.
    private func receive(into inbound: inout ByteBuffer) throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw Failure(description: "recv: \(String(cString: strerror(errno)))") }
            if count == 0 { return false }
            inbound.writeBytes(chunk[0..<count])
            return true
        }
    }
}

extension KafkaSocketClient {
    /// `init(port:timeout:)` with the connect off the cooperative pool.
    static func connecting(port: Int, timeout: Duration = .seconds(10)) async throws -> KafkaSocketClient {
        try await OffPool.run { try KafkaSocketClient(port: port, timeout: timeout) }
    }

    /// `request(_:version:)` on a thread of its own.
    func request<Request: KafkaRequestMessage>(_ request: Request, version: Int16) async throws -> Request.Response {
        try await OffPool.run { try self.request(request, version: version) }
    }

    /// `waitForClose()` on a thread of its own: it can wait for the whole receive timeout.
    func waitForClose() async -> Bool {
        await OffPool.run { self.waitForClose() }
    }
}
