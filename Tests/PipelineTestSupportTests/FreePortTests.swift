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
