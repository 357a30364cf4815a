@testable import AttackDetection
import Testing

/// `ClassificationMemo.hash` picks a value's set from its top eight bits. Browser user agents
/// share long runs of bytes and often differ in a few digits only (`Chrome/120` against
/// `Chrome/121`, the same length), so a hash that let some bytes miss those bits would put
/// them all in one set of two slots, and the memo would stop remembering them (the results
/// stay right, the detector's clean path gets slow). Whether they really spread is tested
/// here; that a hit never changes a result is `ComponentTests.rememberingChangesNoResult`.
@Suite struct ClassificationMemoTests {
    /// Agents that differ in the version digits only, in the middle or near the end.
    static let agents: [String] = {
        var agents: [String] = []
        for major in 100..<140 {
            for platform in ["Windows NT 10.0; Win64; x64", "X11; Linux x86_64", "Macintosh; Intel Mac OS X 10_15_7"] {
                agents.append(
                    "Mozilla/5.0 (\(platform)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/\(major).0.0.0 Safari/537.36")
            }
            agents.append("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:\(major).0) Gecko/20100101 Firefox/\(major).0")
            agents.append("curl/8.\(major - 100).0")
        }
        return agents
    }()

    /// The set (top eight bits of the hash) of each agent.
    static func sets(of agents: [String]) -> [Int] {
        agents.map { agent in
            Array(agent.utf8).withUnsafeBytes { Int(ClassificationMemo.hash($0) >> 56) }
        }
    }

    /// 200 agents into 256 sets: uniform hashing fills ≈ 139 and puts rarely more than five in
    /// one; the bounds leave room for chance, not for digits that do not reach the set.
    @Test func similarAgentsSpreadOverTheSets() {
        let sets = Self.sets(of: Self.agents)
        #expect(Self.agents.count == 200)
        var perSet = [Int](repeating: 0, count: 256)
        for set in sets { perSet[set] += 1 }
        #expect(perSet.filter { $0 > 0 }.count >= 110, "\(perSet.filter { $0 > 0 }.count) sets used")
        #expect(perSet.max() ?? 0 <= 7, "fullest set holds \(perSet.max() ?? 0)")
    }

    /// Every byte position reaches the set: the same 64-byte value with one byte changed lands,
    /// over the 64 positions, in many different sets (so no position is left out of the top
    /// bits, as it would be without the final mixing).
    @Test func everyBytePositionReachesTheSet() {
        for count in [3, 8, 20, 31, 32, 64, 100, 111] {
            let base = [UInt8](repeating: UInt8(ascii: "a"), count: count)
            for position in 0..<count {
                var variants: Set<Int> = []
                for value in UInt8(ascii: "0")...UInt8(ascii: "9") {
                    var bytes = base
                    bytes[position] = value
                    variants.insert(bytes.withUnsafeBytes { Int(ClassificationMemo.hash($0) >> 56) })
                }
                #expect(variants.count >= 5, "count \(count), position \(position): \(variants.count) sets for 10 digits")
            }
        }
    }
}
