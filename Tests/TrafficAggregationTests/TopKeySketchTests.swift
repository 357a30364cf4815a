import PipelineTestSupport
import Testing
@testable import TrafficAggregation

@Suite struct TopKeySketchTests {
    /// An IPv4-mapped address key (`::ffff:a.b.c.d`), the shape of most client keys.
    static func address(_ value: UInt32) -> TopKey {
        TopKey(high: 0, low: 0x0000_FFFF_0000_0000 | UInt64(value))
    }

    static func add(_ key: TopKey, _ label: String = "", to sketch: inout TopKeySketch) {
        Array(label.utf8).withUnsafeBytes { sketch.add(key, label: $0) }
    }

    // MARK: - Space-Saving rules

    /// Capacity 3 over `a a b c d a e b`, every step worked by hand. Among counters at the
    /// minimum the lowest-numbered one (first taken) is evicted.
    @Test func rulesOnAHandWorkedStream() {
        let (a, b, c, d, e) = (Self.address(1), Self.address(2), Self.address(3), Self.address(4), Self.address(5))
        var sketch = TopKeySketch(capacity: 3, labelLimit: 0)
        for key in [a, a, b, c] { Self.add(key, to: &sketch) }
        #expect(sketch.evictions == 0)
        // Full at [a 2, b 1, c 1]: d takes b's counter (the first at the minimum 1).
        Self.add(d, to: &sketch)
        #expect(sketch.entry(for: b) == nil)
        #expect(sketch.entry(for: d) == TopKeyEntry(key: d, count: 2, error: 1, label: []))
        Self.add(a, to: &sketch)
        // [a 3, d 2, c 1]: e takes c's counter.
        Self.add(e, to: &sketch)
        #expect(sketch.entry(for: c) == nil)
        // [a 3, d 2, e 2]: b comes back in d's counter (first at the new minimum 2).
        Self.add(b, to: &sketch)
        #expect(sketch.entry(for: d) == nil)
        #expect(sketch.total == 8)
        #expect(sketch.evictions == 3)
        #expect(
            sketch.top(5) == [
                TopKeyEntry(key: a, count: 3, error: 0, label: []),
                TopKeyEntry(key: b, count: 3, error: 2, label: []),
                TopKeyEntry(key: e, count: 2, error: 1, label: []),
            ])
        // c and d were seen once each, the minimum count is 2.
        #expect(sketch.upperBound(excludingTop: 3) == 2)
        #expect(sketch.upperBound(excludingTop: 2) == 2)
        #expect(sketch.upperBound(excludingTop: 1) == 3)
        #expect(sketch.upperBound(excludingTop: 0) == 3)
        #expect(sketch.indexIsConsistent())
    }

    /// No more distinct keys than counters: every count is exact and nothing is left out.
    @Test(arguments: [1, 5, 64])
    func exactWhileDistinctKeysFitTheCapacity(capacity: Int) {
        var sketch = TopKeySketch(capacity: capacity, labelLimit: 0)
        var generator = SplitMix64(seed: UInt64(capacity))
        var truth: [TopKey: Int64] = [:]
        let keys = (0..<capacity).map { _ in TopKey(high: generator.next(), low: generator.next()) }
        for _ in 0..<(capacity * 50) {
            let key = keys[Int(generator.next() % UInt64(capacity))]
            Self.add(key, to: &sketch)
            truth[key, default: 0] += 1
        }
        #expect(sketch.evictions == 0)
        #expect(sketch.monitoredCount == truth.count)
        let top = sketch.top(capacity)
        #expect(top.count == truth.count)
        for entry in top {
            #expect(entry.error == 0)
            #expect(entry.count == truth[entry.key])
        }
        #expect(sketch.upperBound(excludingTop: capacity) == 0)
        #expect(sketch.upperBound(excludingTop: capacity + 10) == 0)
        if top.count > 1 {
            #expect(sketch.upperBound(excludingTop: 1) == top[1].count)
        }
    }

    /// A Zipf-like stream (key rank with a log-uniform distribution over 2^20 ranks) with five
    /// planted heavy hitters above `total / capacity`, checked against exact counts.
    @Test(arguments: [(1 as UInt64, 16), (2, 64), (3, 64), (4, 200)])
    func guaranteesHoldOnASkewedStream(seed: UInt64, capacity: Int) {
        var sketch = TopKeySketch(capacity: capacity, labelLimit: 0)
        var generator = SplitMix64(seed: seed)
        let planted = (0..<5).map { TopKey(high: 0xDEAD_0000 + UInt64($0), low: generator.next()) }
        // Shares 1/12, 1/16, 1/24, 1/32, 1/48: all above 1/64, a few below 1/16 (capacity 16).
        let plantedPer96: [UInt64] = [8, 6, 4, 3, 2]
        var truth: [TopKey: Int64] = [:]
        let length = 150_000
        for _ in 0..<length {
            var draw = generator.next() % 96
            var key: TopKey?
            for (index, share) in plantedPer96.enumerated() {
                if draw < share {
                    key = planted[index]
                    break
                }
                draw -= share
            }
            if key == nil {
                let bits = generator.next() % 21
                let rank = generator.next() & ((1 << bits) - 1)
                key = Self.address(UInt32(truncatingIfNeeded: rank))
            }
            guard let key else { continue }
            Self.add(key, to: &sketch)
            truth[key, default: 0] += 1
        }
        #expect(sketch.total == Int64(length))
        #expect(sketch.evictions > 0)
        let monitored = sketch.top(capacity)
        #expect(monitored.count == capacity)
        #expect(monitored.reduce(0) { $0 + $1.count } == sketch.total)
        let minimum = monitored.map(\.count).min() ?? 0
        #expect(minimum <= sketch.total / Int64(capacity))
        for entry in monitored {
            let trueCount = truth[entry.key] ?? 0
            #expect(entry.guaranteedCount <= trueCount && trueCount <= entry.count, "\(entry) true \(trueCount)")
            #expect(entry.error <= minimum)
        }
        let monitoredKeys = Set(monitored.map(\.key))
        let threshold = sketch.total / Int64(capacity)
        for (key, trueCount) in truth {
            if trueCount > threshold {
                #expect(monitoredKeys.contains(key), "\(key) seen \(trueCount) > \(threshold) times is not monitored")
            } else if !monitoredKeys.contains(key) {
                #expect(trueCount <= minimum)
            }
        }
        // The stream does plant keys above the threshold (the largest share is 1/12).
        #expect(truth.values.filter { $0 > threshold }.count >= 2)
        #expect(monitoredKeys.contains(planted[0]))
        // Whatever a top-10 leaves out, monitored or not, is within the reported bound.
        let top10 = Set(sketch.top(10).map(\.key))
        let bound = sketch.upperBound(excludingTop: 10)
        let largestLeftOut = truth.filter { !top10.contains($0.key) }.map(\.value).max() ?? 0
        #expect(largestLeftOut <= bound)
        let consistent = sketch.indexIsConsistent()
        #expect(consistent)
    }

    // MARK: - Index

    /// Mostly fresh keys (an eviction on most adds) with a recurring pool, and keys crowded
    /// onto the last and first slots of the index (probe runs that wrap around), against a
    /// plain reference Space-Saving (linear search, first counter at the minimum). Every 7
    /// adds, and after each of the last 100, the two agree on every counter, the index holds
    /// exactly the monitored keys, and every monitored key is found through it.
    @Test(arguments: [(1, false), (2, true), (8, false), (8, true), (64, false), (64, true)])
    func evictionStressKeepsTheIndexConsistent(capacity: Int, crowded: Bool) {
        var sketch = TopKeySketch(capacity: capacity, labelLimit: 0)
        var generator = SplitMix64(seed: 0x5EED &+ UInt64(capacity))
        let size = sketch.indexSize
        let crowdedSlots: Set<Int> = [size - 2, size - 1, 0]
        var crowd: [TopKey] = []
        while crowd.count < capacity * 4 {
            let key = TopKey(high: generator.next() >> 40, low: generator.next())
            if crowdedSlots.contains(sketch.homeSlot(of: key)) { crowd.append(key) }
        }
        let pool = (0..<(capacity * 2)).map { _ in TopKey(high: generator.next(), low: generator.next()) }
        var reference: [(key: TopKey, count: Int64, error: Int64)] = []
        for step in 0..<20_000 {
            let draw = generator.next() % 10
            let key: TopKey
            if crowded {
                key = crowd[Int(generator.next() % UInt64(crowd.count))]
            } else if draw < 4 {
                key = pool[Int(generator.next() % UInt64(pool.count))]
            } else {
                key = TopKey(high: generator.next(), low: generator.next())
            }
            Self.add(key, to: &sketch)
            if let found = reference.firstIndex(where: { $0.key == key }) {
                reference[found].count += 1
            } else if reference.count < capacity {
                reference.append((key, 1, 0))
            } else if let victim = reference.indices.min(by: { reference[$0].count < reference[$1].count }) {
                let minimum = reference[victim].count
                reference[victim] = (key, minimum + 1, minimum)
            }
            if step % 7 == 0 || step > 19_900 {
                let expected = reference.map { TopKeyEntry(key: $0.key, count: $0.count, error: $0.error, label: []) }
                    .sorted { $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key }
                let top = sketch.top(capacity)
                let consistent = sketch.indexIsConsistent()
                let allFound = top.allSatisfy { sketch.entry(for: $0.key) == $0 }
                let sum = top.reduce(0) { $0 + $1.count }
                // One report per failing case, at the first step that goes wrong.
                guard consistent, allFound, top == expected, sum == sketch.total else {
                    let state = "index consistent \(consistent), every key found \(allFound), "
                        + "agrees with reference \(top == expected), counts sum \(sum) of \(sketch.total)"
                    Issue.record("step \(step): \(state)")
                    return
                }
            }
        }
        #expect(sketch.evictions > 1_000)
    }

    /// 64 keys that differ only in one half, or only in a few bits of it, each land on at
    /// least 40 of the 128 index slots (a uniform hash averages 50; hashing one half only
    /// would put each family on a single slot).
    @Test func homeSlotsMixBothHalves() {
        let sketch = TopKeySketch(capacity: 64, labelLimit: 0)
        #expect(sketch.indexSize == 128)
        let families: [(String, (UInt64) -> TopKey)] = [
            ("IPv4 last octet", { Self.address(0xC000_0200 | UInt32($0)) }),
            ("IPv4 first octet", { Self.address(UInt32($0) << 24) }),
            ("IPv6 prefix (top bits of high)", { TopKey(high: (0x2001 + $0) << 48, low: 1) }),
            ("IPv6 interface (top bits of low)", { TopKey(high: 0x2001_0DB8_0000_0000, low: $0 << 56) }),
            ("path length only", { TopKey(high: 0x1234_5678_9ABC_DEF0, low: $0) }),
        ]
        for (name, key) in families {
            let slots = Set((0..<64 as Range<UInt64>).map { sketch.homeSlot(of: key($0)) })
            #expect(slots.count >= 40, "\(name): 64 keys on \(slots.count) slots")
        }
    }

    // MARK: - Labels, reuse, bounds, order

    @Test func labelsAreCopiedWhenAKeyTakesACounterAndTruncatedAtTheLimit() {
        let (first, second, third) = (Self.address(1), Self.address(2), Self.address(3))
        var sketch = TopKeySketch(capacity: 2, labelLimit: 4)
        Self.add(first, "ab", to: &sketch)
        Self.add(second, "abcdef", to: &sketch)
        // A monitored key keeps the label it came with.
        Self.add(first, "zzzz", to: &sketch)
        #expect(sketch.entry(for: first)?.label == Array("ab".utf8))
        #expect(sketch.entry(for: second)?.label == Array("abcd".utf8))
        // `third` takes `second`'s counter and overwrites its label, not the neighbour's.
        Self.add(third, "xyz12345", to: &sketch)
        #expect(sketch.entry(for: third)?.label == Array("xyz1".utf8))
        #expect(sketch.entry(for: first)?.label == Array("ab".utf8))
        // A shorter label over a longer one keeps only its own bytes; an empty label is empty.
        Self.add(second, "q", to: &sketch)
        #expect(sketch.entry(for: second)?.label == Array("q".utf8))
        Self.add(first, to: &sketch)
        Self.add(first, to: &sketch)
        Self.add(third, to: &sketch)
        Self.add(third, to: &sketch)
        Self.add(Self.address(4), to: &sketch)
        #expect(sketch.entry(for: Self.address(4))?.label == [])

        var unlabelled = TopKeySketch(capacity: 2, labelLimit: 0)
        Self.add(first, "ignored", to: &unlabelled)
        #expect(unlabelled.top(1).map(\.label) == [[]])
    }

    @Test func removeAllEmptiesTheSketchForTheNextMinute() {
        var sketch = TopKeySketch(capacity: 4, labelLimit: 8)
        let storageBytes = sketch.storageBytes
        #expect(sketch.isEmpty)
        for value in 0..<100 as Range<UInt32> { Self.add(Self.address(value % 9), "longlabel", to: &sketch) }
        #expect(!sketch.isEmpty)
        #expect(sketch.evictions > 0)
        sketch.removeAll()
        #expect(sketch.isEmpty)
        #expect(sketch.total == 0 && sketch.evictions == 0 && sketch.monitoredCount == 0)
        #expect(sketch.top(10).isEmpty)
        #expect(sketch.upperBound(excludingTop: 0) == 0)
        #expect(sketch.entry(for: Self.address(0)) == nil)
        #expect(sketch.indexIsConsistent())
        // The next minute counts from zero, exactly, and its labels carry no old bytes.
        for value in [10, 11, 10, 12, 13, 10] as [UInt32] { Self.add(Self.address(value), "m\(value)", to: &sketch) }
        #expect(
            sketch.top(4) == [
                TopKeyEntry(key: Self.address(10), count: 3, error: 0, label: Array("m10".utf8)),
                TopKeyEntry(key: Self.address(11), count: 1, error: 0, label: Array("m11".utf8)),
                TopKeyEntry(key: Self.address(12), count: 1, error: 0, label: Array("m12".utf8)),
                TopKeyEntry(key: Self.address(13), count: 1, error: 0, label: Array("m13".utf8)),
            ])
        #expect(sketch.upperBound(excludingTop: 4) == 0)
        #expect(sketch.indexIsConsistent())
        #expect(sketch.storageBytes == storageBytes)
    }

    /// The eviction search restarts with the sketch: a minute that ended with minimum 2 must
    /// not make the next minute evict a count of 2 while a count of 1 exists.
    @Test func evictionAfterRemoveAllTakesTheTrueMinimum() {
        let (a, b, c, d) = (Self.address(1), Self.address(2), Self.address(3), Self.address(4))
        var sketch = TopKeySketch(capacity: 3, labelLimit: 0)
        // [a 2, b 2, c 2], then d evicts a: the search stops in the middle at minimum 2.
        for key in [a, a, b, b, c, c, d] { Self.add(key, to: &sketch) }
        #expect(sketch.entry(for: d) == TopKeyEntry(key: d, count: 3, error: 2, label: []))
        sketch.removeAll()
        let (x, y, z, w) = (Self.address(11), Self.address(12), Self.address(13), Self.address(14))
        // [x 1, y 2, z 2]: w must take x's counter.
        for key in [x, y, y, z, z, w] { Self.add(key, to: &sketch) }
        #expect(sketch.entry(for: x) == nil)
        #expect(sketch.entry(for: y) == TopKeyEntry(key: y, count: 2, error: 0, label: []))
        #expect(sketch.entry(for: w) == TopKeyEntry(key: w, count: 2, error: 1, label: []))
    }

    /// Without evictions the bound is the largest count left out (0 when none is); after one,
    /// it is at least the minimum count even when every monitored key is returned.
    @Test func upperBoundCoversEveryKeyLeftOut() {
        var sketch = TopKeySketch(capacity: 3, labelLimit: 0)
        #expect(sketch.upperBound(excludingTop: 0) == 0)
        for value in [1, 1, 1, 1, 2, 2, 3] as [UInt32] { Self.add(Self.address(value), to: &sketch) }
        #expect(sketch.upperBound(excludingTop: 0) == 4)
        #expect(sketch.upperBound(excludingTop: 1) == 2)
        #expect(sketch.upperBound(excludingTop: 2) == 1)
        #expect(sketch.upperBound(excludingTop: 3) == 0)
        // Key 4 evicts key 3 (count 1) and holds (2, error 1).
        Self.add(Self.address(4), to: &sketch)
        #expect(sketch.upperBound(excludingTop: 3) == 2)
        #expect(sketch.upperBound(excludingTop: 100) == 2)
        #expect(sketch.upperBound(excludingTop: 1) == 2)
    }

    /// Equal counts order by key, so the same counts give the same list whatever the arrival
    /// order (and so whichever counter each key sits in).
    @Test func orderDependsOnlyOnCountsAndKeys() {
        var generator = SplitMix64(seed: 11)
        let stream: [UInt32] = [5, 3, 9, 3, 1, 7, 9, 5, 2, 8, 8, 6]
        var lists: [[TopKeyEntry]] = []
        for _ in 0..<5 {
            var sketch = TopKeySketch(capacity: 16, labelLimit: 0)
            for value in stream.shuffled(using: &generator) { Self.add(Self.address(value), to: &sketch) }
            lists.append(sketch.top(16))
        }
        #expect(lists.allSatisfy { $0 == lists[0] })
        #expect(lists[0].map(\.key.low).map { UInt32(truncatingIfNeeded: $0) } == [3, 5, 8, 9, 1, 2, 6, 7])
        #expect(lists[0].map(\.count) == [2, 2, 2, 2, 1, 1, 1, 1])
        var sketch = TopKeySketch(capacity: 16, labelLimit: 0)
        for value in stream { Self.add(Self.address(value), to: &sketch) }
        #expect(sketch.top(3) == Array(sketch.top(16).prefix(3)))
        #expect(sketch.top(0).isEmpty)
    }

    // MARK: - Keys

    @Test func addressKeysAreTheAddressInOrder() {
        let loopback: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 127, 0, 0, 1]
        let documentation: [UInt8] = [0x20, 0x01, 0x0D, 0xB8] + Array(repeating: 0, count: 11) + [1]
        let keys = [loopback, documentation].map { bytes in bytes.withUnsafeBytes { TopKey(address: $0) } }
        #expect(keys[0] == TopKey(high: 0, low: 0x0000_FFFF_7F00_0001))
        #expect(keys[0]?.addressBytes == loopback)
        #expect(keys[1]?.addressBytes == documentation)
        if let first = keys[0], let second = keys[1] { #expect(first < second) }
        #expect([UInt8]().withUnsafeBytes { TopKey(address: $0) } == nil)
        #expect([UInt8]([127, 0, 0, 1]).withUnsafeBytes { TopKey(address: $0) } == nil)
    }

    @Test func pathKeysAreTheStableHashAndLength() {
        let path = Array("/index.html".utf8)
        let key = path.withUnsafeBytes { TopKey(path: $0) }
        #expect(key == TopKey(high: StableHash.hash("/index.html"), low: 11))
        #expect(Array("/index.htm".utf8).withUnsafeBytes { TopKey(path: $0) } != key)
    }

    // MARK: - Marks

    /// Each mark bit tallies in its own lane while the key holds its counter; a takeover
    /// starts the new key's tallies from its own add; an unmarked add leaves them alone.
    @Test func marksTallyPerBitAndRestartOnTakeover() {
        var sketch = TopKeySketch(capacity: 2, labelLimit: 0)
        let none = UnsafeRawBufferPointer(start: nil, count: 0)
        let a = Self.address(1), b = Self.address(2), c = Self.address(3)
        sketch.add(a, label: none, marks: 0b0001)
        sketch.add(a, label: none, marks: 0b0101)
        sketch.add(a, label: none)
        sketch.add(a, label: none, marks: 0b1000 | 0b1111_0000)  // bits above 3 are ignored
        sketch.add(b, label: none, marks: 0b0010)
        #expect(sketch.entry(for: a)?.markCounts == SIMD4(2, 0, 1, 1))
        #expect(sketch.entry(for: b)?.markCounts == SIMD4(0, 1, 0, 0))
        // c evicts b (the minimum, count 1): its tallies start from c's add, not b's.
        sketch.add(c, label: none, marks: 0b0100)
        #expect(sketch.entry(for: b) == nil)
        let entry = sketch.entry(for: c)
        #expect(entry?.count == 2 && entry?.error == 1 && entry?.markCounts == SIMD4(0, 0, 1, 0))
        #expect(sketch.top(2).map(\.markCounts) == [SIMD4(2, 0, 1, 1), SIMD4(0, 0, 1, 0)])
        sketch.removeAll()
        sketch.add(a, label: none)
        #expect(sketch.entry(for: a)?.markCounts == .zero)
    }
}
