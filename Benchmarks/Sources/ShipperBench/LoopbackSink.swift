import BenchSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The reference: `lz4 -1 -c FILE` with its output going straight into a loopback TCP socket,
/// read and thrown away by a sink thread — the cost of compressing the raw log and moving it
/// over a socket, with no parsing, encoding, batching or broker.
enum LoopbackSink {
    struct Result {
        var seconds: Double
        var bytes: Int
    }

    static func lz4OverLoopback(file: String) throws -> Result {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, 1) == 0
                    && getsockname(listener, pointer, &length) == 0
            }
        }
        guard bound else { throw BenchmarkFile.Failure(description: "cannot listen on loopback") }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let received = Counter()
        let done = DispatchSemaphore(value: 0)
        let sink = Thread {
            let connection = accept(listener, nil, nil)
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while connection >= 0 {
                let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { break }
                received.add(count)
            }
            if connection >= 0 { close(connection) }
            done.signal()
        }
        sink.start()
        guard let client = Loopback.connect(port: port) else {
            throw BenchmarkFile.Failure(description: "cannot connect to the sink")
        }
        let start = ContinuousClock.now
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/lz4")
        process.arguments = ["-1", "-c", "-q", file]
        process.standardOutput = FileHandle(fileDescriptor: client, closeOnDealloc: true)
        try process.run()
        process.waitUntilExit()
        shutdown(client, Int32(SHUT_WR))
        done.wait()
        let elapsed = start.duration(to: .now)
        guard process.terminationStatus == 0 else {
            throw BenchmarkFile.Failure(description: "lz4 exited \(process.terminationStatus)")
        }
        return Result(seconds: Seconds.of(elapsed), bytes: received.value)
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var total = 0
        func add(_ count: Int) { lock.withLock { total += count } }
        var value: Int { lock.withLock { total } }
    }
}

enum Seconds {
    static func of(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
