import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child process of the benchmark (broker, shipper or consumer), with what `/proc` tells about it.
/// (Shared by shipper-bench and consumer-bench.)
public final class ChildProcess {
    public let process: Process
    public let name: String

    public init(_ executable: String, _ arguments: [String], log: String) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = output
        process.standardError = output
        name = URL(fileURLWithPath: executable).lastPathComponent
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }

    /// User + system CPU seconds so far (`/proc/<pid>/stat` fields 14 and 15).
    public func cpuSeconds() -> Double { ProcStat.read(pid)?.cpuSeconds ?? 0 }

    /// Peak resident set (`VmHWM`), bytes.
    public func peakResidentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return (line.split(separator: " ").compactMap { Int($0) }.first ?? 0) * 1024
        }
        return 0
    }

    public func terminate() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}

/// Loopback helpers: a free port, and one `GET` whose body is returned.
public enum Loopback {
    public static func freePort() -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 ? getsockname(descriptor, pointer, &length) : -1
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public static func connect(port: Int) -> Int32? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            return nil
        }
        return descriptor
    }

    public static func get(port: Int, path: String) -> String? {
        guard let descriptor = connect(port: port) else { return nil }
        defer { close(descriptor) }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, 0) }) == request.count else {
            return nil
        }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            response += chunk[0..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let body = text.range(of: "\r\n\r\n") else { return nil }
        return String(text[body.upperBound...])
    }

    /// The value of one sample line `name value` on a Prometheus page.
    public static func sample(_ name: String, in page: String) -> Double? {
        for line in page.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1))
        }
        return nil
    }
}

/// The fields of `/proc/<pid>/stat` the benchmark uses.
public struct ProcStat {
    public var parent: Int32
    /// utime + stime, seconds.
    public var cpuSeconds: Double
    /// cutime + cstime: CPU of children that exited and were waited for, seconds.
    public var waitedChildrenSeconds: Double

    public static func read(_ pid: Int32) -> ProcStat? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command: state (3), ppid (4), ..., utime (14), stime (15), cutime (16), cstime (17).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 15, let parent = Int32(fields[1]), let user = Double(fields[11]),
            let system = Double(fields[12]), let childUser = Double(fields[13]), let childSystem = Double(fields[14])
        else { return nil }
        let tick = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ProcStat(
            parent: parent, cpuSeconds: (user + system) / tick, waitedChildrenSeconds: (childUser + childSystem) / tick)
    }

    /// Every process whose parent is `parent`, with its stat.
    public static func children(of parent: Int32) -> [Int32: ProcStat] {
        var result: [Int32: ProcStat] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let stat = read(pid), stat.parent == parent else { continue }
            result[pid] = stat
        }
        return result
    }
}

/// The one-minute load average (`/proc/loadavg`).
public func loadAverage() -> String {
    let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
    return text.split(separator: " ").prefix(3).joined(separator: " ")
}

public enum Seconds {
    public static func of(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
