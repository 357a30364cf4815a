import BrokerCore
import NIOCore
import Testing

struct ClientNetworkTests {
    func address(_ text: String) throws -> SocketAddress { try SocketAddress(ipAddress: text, port: 1234) }

    @Test(arguments: [
        ("10.0.0.0/8", "10.255.1.2", true),
        ("10.0.0.0/8", "11.0.0.1", false),
        ("192.168.1.128/25", "192.168.1.200", true),
        ("192.168.1.128/25", "192.168.1.127", false),
        ("127.0.0.1", "127.0.0.1", true),
        ("127.0.0.1", "127.0.0.2", false),
        ("0.0.0.0/0", "8.8.8.8", true),
        ("fd00::/8", "fd12:3456::1", true),
        ("fd00::/8", "fe80::1", false),
        ("10.0.0.0/8", "::ffff:10.1.2.3", true),
        ("10.0.0.0/8", "::1", false),
    ])
    func membership(network: String, peer: String, expected: Bool) throws {
        #expect(try ClientNetwork(network).contains(address(peer)) == expected)
    }

    @Test(arguments: ["10.0.0.0/33", "fd00::/129", "not-an-ip", "10.0.0.0/", "10.0.0.0/x", ""])
    func malformedEntriesAreRejected(text: String) {
        #expect(throws: BrokerError.self) { try ClientNetwork(text) }
    }

    @Test func emptyListAllowsEveryone() throws {
        #expect(ClientNetwork.allows(try address("203.0.113.9"), networks: []))
        #expect(!ClientNetwork.allows(try address("203.0.113.9"), networks: [try ClientNetwork("10.0.0.0/8")]))
        #expect(!ClientNetwork.allows(nil, networks: [try ClientNetwork("10.0.0.0/8")]))
    }

    @Test func hostBitsAreCleared() throws {
        #expect(try ClientNetwork("10.1.2.3/8").description == "10.0.0.0/8")
    }
}
