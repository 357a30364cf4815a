import NIOCore

/// One entry of the `allow-networks` list: an IPv4 or IPv6 network in CIDR form
/// (`10.0.0.0/8`, `fd00::/8`, or a bare address meaning /32 resp. /128).
///
/// Addresses are compared as raw network-order bytes: 4 for IPv4, 16 for IPv6. A peer connecting
/// over an IPv6 socket with an IPv4-mapped address (`::ffff:10.1.2.3`, what a dual-stack `::`
/// listener reports for IPv4 clients) is matched as the IPv4 address it maps.
public struct ClientNetwork: Sendable, Hashable, CustomStringConvertible {
    /// The network address, its host bits cleared; 4 or 16 bytes.
    public let prefixBytes: [UInt8]
    /// Leading bits that must match: 0...32 for IPv4, 0...128 for IPv6.
    public let prefixLength: Int

    /// Parses `address[/length]`.
    /// - Throws: ``BrokerError/Code/invalidConfiguration`` naming the entry.
    public init(_ text: String) throws(BrokerError) {
        func invalid(_ reason: String) -> BrokerError {
            BrokerError(code: .invalidConfiguration, message: "allow-networks entry \"\(text)\": \(reason)")
        }
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let addressText = String(parts[0])
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: addressText, port: 0)
        } catch {
            throw invalid("not an IPv4 or IPv6 address")
        }
        guard let bytes = Self.addressBytes(address) else { throw invalid("not an IP address") }
        let maximum = bytes.count * 8
        var length = maximum
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), (0...maximum).contains(parsed) else {
                throw invalid("prefix length must be 0...\(maximum)")
            }
            length = parsed
        }
        self.prefixLength = length
        self.prefixBytes = Self.masked(bytes, prefixLength: length)
    }

    /// Whether `address` lies in this network. Unix-domain peers never match.
    public func contains(_ address: SocketAddress) -> Bool {
        guard let bytes = Self.addressBytes(address), bytes.count == prefixBytes.count else { return false }
        return Self.masked(bytes, prefixLength: prefixLength) == prefixBytes
    }

    /// Whether `address` is allowed by `networks`: always when the list is empty.
    public static func allows(_ address: SocketAddress?, networks: [ClientNetwork]) -> Bool {
        guard !networks.isEmpty else { return true }
        guard let address else { return false }
        return networks.contains { $0.contains(address) }
    }

    public var description: String {
        if prefixBytes.count == 4 {
            return prefixBytes.map(String.init).joined(separator: ".") + "/\(prefixLength)"
        }
        let groups = stride(from: 0, to: 16, by: 2).map { index in
            String(UInt16(prefixBytes[index]) << 8 | UInt16(prefixBytes[index + 1]), radix: 16)
        }
        return groups.joined(separator: ":") + "/\(prefixLength)"
    }

    /// Network-order bytes of an IP socket address; IPv4-mapped IPv6 addresses become 4 bytes.
    static func addressBytes(_ address: SocketAddress) -> [UInt8]? {
        switch address {
        case .v4(let v4):
            var raw = v4.address.sin_addr
            return withUnsafeBytes(of: &raw) { Array($0) }
        case .v6(let v6):
            var raw = v6.address.sin6_addr
            let bytes = withUnsafeBytes(of: &raw) { Array($0) }
            let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]
            if bytes.count == 16, Array(bytes[0..<12]) == mappedPrefix { return Array(bytes[12..<16]) }
            return bytes
        case .unixDomainSocket:
            return nil
        }
    }

    private static func masked(_ bytes: [UInt8], prefixLength: Int) -> [UInt8] {
        var result = bytes
        for index in result.indices {
            let bitsBefore = index * 8
            if bitsBefore >= prefixLength {
                result[index] = 0
            } else if prefixLength - bitsBefore < 8 {
                let keep = prefixLength - bitsBefore
                result[index] &= UInt8(0xff) << UInt8(8 - keep)
            }
        }
        return result
    }
}
