/// A client address as 16 bytes: IPv6 as is, IPv4 mapped to `::ffff:a.b.c.d` (RFC 4291 §2.5.5.2).
///
/// Layout: `high` is bytes 0–7 and `low` bytes 8–15 of the address in network order, each read
/// as a big-endian integer, so `2001:db8::1` is `high == 0x2001_0db8_0000_0000`, `low == 1`.
///
/// The text parser accepts what `inet_pton` accepts (tests compare against it): dotted quads
/// without leading zeros, IPv6 groups of 1–4 hex digits, one `::`, and a trailing embedded
/// IPv4. It refuses everything else, e.g. `unix:` (nginx's `$remote_addr` on a Unix socket)
/// and zone suffixes (`fe80::1%eth0`).
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The IPv4-mapped address `::ffff:a.b.c.d`.
    public init(ipv4: UInt32) {
        self.high = 0
        self.low = 0xFFFF_0000_0000 | UInt64(ipv4)
    }

    /// Parses IPv4 or IPv6 text; `nil` when it is neither.
    public init?(_ text: String) {
        var utf8 = Array(text.utf8)
        let parsed = utf8.withUnsafeMutableBytes { IPAddress.parse(UnsafeRawBufferPointer($0), 0..<$0.count) }
        guard let parsed else { return nil }
        self = parsed
    }

    public var isIPv4Mapped: Bool { high == 0 && low >> 32 == 0xFFFF }

    /// The 16 bytes in network order.
    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
    }

    public var description: String {
        if isIPv4Mapped {
            let v4 = UInt32(truncatingIfNeeded: low)
            return "\(v4 >> 24).\(v4 >> 16 & 0xFF).\(v4 >> 8 & 0xFF).\(v4 & 0xFF)"
        }
        let groups = (0..<4).map { String(high >> (48 - 16 * $0) & 0xFFFF, radix: 16) }
            + (0..<4).map { String(low >> (48 - 16 * $0) & 0xFFFF, radix: 16) }
        return groups.joined(separator: ":")
    }

    /// Parses `bytes[range]` as IPv4 (→ mapped) or IPv6 text. The caller guarantees `range` is
    /// within `bytes`.
    ///
    /// IPv4 is tried first, without looking for a `:`: a dotted quad that parses has only digits
    /// and dots, so text with a `:` never parses as IPv4 and text without one never as IPv6.
    public static func parse(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> IPAddress? {
        guard !range.isEmpty else { return nil }
        if let v4 = parseIPv4(bytes, range) { return IPAddress(ipv4: v4) }
        guard ByteScan.contains(UInt8(ascii: ":"), in: bytes, range) else { return nil }
        return parseIPv6(bytes, range)
    }

    /// Strict dotted quad: four decimal parts 0–255, no leading zeros, nothing else. Inlined
    /// into `parse`, which runs for every line's client address.
    @inline(__always)
    static func parseIPv4(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> UInt32? {
        let end = range.upperBound
        var value: UInt32 = 0
        var index = range.lowerBound
        for part in 0..<4 {
            // One to three digits, the first not `0` unless it is the whole part.
            guard index < end else { return nil }
            var number = UInt32(bytes[index] &- UInt8(ascii: "0"))
            guard number < 10 else { return nil }
            index &+= 1
            if number != 0 {
                for _ in 0..<2 {
                    guard index < end else { break }
                    let digit = UInt32(bytes[index] &- UInt8(ascii: "0"))
                    guard digit < 10 else { break }
                    number = number &* 10 &+ digit
                    index &+= 1
                }
                guard number <= 255 else { return nil }
            }
            value = value &<< 8 | number
            if part == 3 { break }
            guard index < end, bytes[index] == UInt8(ascii: ".") else { return nil }
            index &+= 1
        }
        return index == end ? value : nil
    }

    /// RFC 4291 §2.2 text forms. Groups before `::` accumulate in `head`, groups after it in
    /// `tail`; the address is `head` shifted past the zeros `::` stands for, OR `tail`.
    static func parseIPv6(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> IPAddress? {
        var head = Wide128()
        var tail = Wide128()
        var headGroups = 0
        var tailGroups = 0
        var sawDoubleColon = false
        var index = range.lowerBound
        let end = range.upperBound
        let colon = UInt8(ascii: ":")

        if bytes[index] == colon {
            guard index + 1 < end, bytes[index + 1] == colon else { return nil }
            sawDoubleColon = true
            index += 2
            if index == end { return IPAddress(high: 0, low: 0) }
        }
        while true {
            guard index < end else { return nil }  // a group must follow a single `:`
            let groupStart = index
            var group: UInt64 = 0
            var digits = 0
            while index < end, let nibble = bytes[index].hexValue {
                group = group << 4 | UInt64(nibble)
                digits += 1
                index += 1
            }
            if index < end, bytes[index] == UInt8(ascii: ".") {
                // Embedded IPv4: must be the last thing and fit in the last 32 bits.
                guard let v4 = parseIPv4(bytes, groupStart..<end) else { return nil }
                guard headGroups + tailGroups + 2 <= (sawDoubleColon ? 7 : 8) else { return nil }
                if sawDoubleColon {
                    tail.append(UInt64(v4 >> 16))
                    tail.append(UInt64(v4 & 0xFFFF))
                    tailGroups += 2
                } else {
                    head.append(UInt64(v4 >> 16))
                    head.append(UInt64(v4 & 0xFFFF))
                    headGroups += 2
                }
                index = end
                break
            }
            guard digits >= 1, digits <= 4 else { return nil }
            if sawDoubleColon {
                tail.append(group)
                tailGroups += 1
            } else {
                head.append(group)
                headGroups += 1
            }
            guard headGroups + tailGroups <= 8 else { return nil }
            if index == end { break }
            guard bytes[index] == colon else { return nil }
            index += 1
            if index < end, bytes[index] == colon {
                guard !sawDoubleColon else { return nil }
                sawDoubleColon = true
                index += 1
                if index == end { break }
            }
        }
        let total = headGroups + tailGroups
        if sawDoubleColon {
            guard total <= 7 else { return nil }
        } else {
            guard total == 8 else { return nil }
        }
        head.shiftLeft(by: 16 * (8 - headGroups))
        return IPAddress(high: head.high | tail.high, low: head.low | tail.low)
    }
}

/// A 128-bit value as two words, just enough for assembling IPv6 groups without UInt128
/// (not available on every deployment target of the package).
private struct Wide128 {
    var high: UInt64 = 0
    var low: UInt64 = 0

    /// Shifts left by 16 bits and puts `group` (< 0x10000) in the lowest 16 bits.
    mutating func append(_ group: UInt64) {
        high = high << 16 | low >> 48
        low = low << 16 | group
    }

    mutating func shiftLeft(by bits: Int) {
        if bits >= 128 {
            high = 0
            low = 0
        } else if bits >= 64 {
            high = low << (bits - 64)
            low = 0
        } else if bits > 0 {
            high = high << bits | low >> (64 - bits)
            low = low << bits
        }
    }
}

extension UInt8 {
    @inlinable
    var hexValue: UInt8? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): self - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): self - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): self - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
