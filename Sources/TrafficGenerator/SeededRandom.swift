/// A small, fast, deterministic generator (xoshiro256**, seeded through SplitMix64).
///
/// The traffic generator must produce the same bytes for the same seed on every machine and
/// Swift version, which `SystemRandomNumberGenerator` cannot promise.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var x = seed
        func splitMix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(&x); s1 = splitMix(&x); s2 = splitMix(&x); s3 = splitMix(&x)
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in `0..<bound` (bound > 0), by multiply-shift: deterministic across platforms.
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    public mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// Draws ranks 0..<n with probability proportional to 1/(rank+1)^s: a few sites, paths and
/// clients get most of the traffic, as on a real edge.
public struct ZipfDistribution: Sendable {
    private let cumulative: [Double]

    public init(count: Int, exponent: Double) {
        precondition(count > 0)
        var sum = 0.0
        var table = [Double]()
        table.reserveCapacity(count)
        for rank in 0..<count {
            sum += 1.0 / pow(Double(rank + 1), exponent)
            table.append(sum)
        }
        cumulative = table.map { $0 / sum }
    }

    public func sample(_ random: inout SeededRandom) -> Int {
        let u = random.unit()
        var low = 0, high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] < u { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

import Foundation
