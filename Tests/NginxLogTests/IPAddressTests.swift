import PipelineTestSupport
import NginxLog
import Testing

@Suite struct IPAddressTests {
    /// Each text is checked against glibc's inet_pton: same 16 bytes, or refused by both.
    @Test(arguments: [
        "192.0.2.1", "0.0.0.0", "255.255.255.255", "256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1..2.3",
        "::", "::1", "1::", "2001:db8::1", "2001:0db8:0000:0000:0000:ff00:0042:8329", "fe80::1:2:3:4:5:6",
        "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::",
        "::ffff:192.0.2.128", "::192.0.2.128", "64:ff9b::198.51.100.7", "1:2:3:4:5:6:1.2.3.4",
        "1:2:3:4:5:6:7:1.2.3.4", "1::2::3", ":1", "1:", ":::", "12345::1", "g::1", "2001:db8::1%eth0",
        "unix:", "-", "", " 1.2.3.4", "::ffff:1.2.3", "ABCD:EF01::2345",
    ])
    func matchesInetPton(text: String) {
        #expect(IPAddress(text)?.bytes == inetPton(text))
    }

    @Test func layoutIsNetworkOrderInTwoWords() throws {
        let address = try #require(IPAddress("2001:db8::1"))
        #expect(address.high == 0x2001_0db8_0000_0000)
        #expect(address.low == 1)
        let mapped = try #require(IPAddress("192.0.2.1"))
        #expect(mapped == IPAddress(ipv4: 0xC000_0201))
        #expect(mapped.isIPv4Mapped)
        #expect(mapped.description == "192.0.2.1")
        #expect(!address.isIPv4Mapped)
    }

    @Test func randomAddressesRoundTripThroughTheirText() {
        var random = SplitMix64(seed: 42)
        for _ in 0..<2_000 {
            let address = IPAddress(high: random.next(), low: random.next())
            #expect(IPAddress(address.description) == address)
            #expect(inetPton(address.description) == address.bytes)
        }
    }
}
