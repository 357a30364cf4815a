import PipelineTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

struct FreePortTests {
    @Test func portsAreDistinctAndBindable() throws {
        let ports = try (0..<20).map { _ in try FreePort.next() }
        #expect(Set(ports).count == ports.count)
        for port in ports {
            #expect((1024...65535).contains(port))
            // The kernel is the reference: we can listen on it.
            #expect(canListen(on: port), "port \(port)")
        }
    }

    /// Ports for servers that clients redial lie below the kernel's ephemeral range, so no
    /// outgoing connection (nor a client connecting to itself) can hold them.
    @Test func redialablePortsAreBelowTheEphemeralRange() throws {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? "32768 60999"
        let low = try #require(text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }.first)
        let ports = try (0..<20).map { _ in try FreePort.redialable() }
        #expect(Set(ports).count == ports.count)
        for port in ports {
            #expect(port >= 1024 && port < low, "port \(port), ephemeral range from \(low)")
            #expect(canListen(on: port), "port \(port)")
        }
    }

    private func canListen(on port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return bound == 0 && listen(fd, 1) == 0
    }
}
