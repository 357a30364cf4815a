import HyperLogLog
import Testing

/// Behaviour beyond the individual vectors: order independence, the fold/aggregate equivalence,
/// promotion at the exact thresholds.
@Suite struct HyperLogLogTests {
    /// The same values in a different order (and with repeats) give the same bytes, in every state.
    @Test(arguments: [1, 2, 10, 160, 161, 500, 752, 753, 5000])
    func orderDoesNotMatter(count: Int) {
        let hashes = Array(IPv4TextSeries.hashes[1...count])
        let inOrder = sketch(of: hashes)
        var generator = SplitMix64(state: UInt64(count))
        for _ in 0..<3 {
            let shuffled = (hashes + hashes.prefix(count / 3)).shuffled(using: &generator)
            let other = sketch(of: shuffled)
            #expect(other == inOrder)
            #expect(other.serialized() == inOrder.serialized())
        }
    }

    /// `hll_add_fold_equals_hll_add_agg`: folding `hll_add` one value at a time equals the aggregate.
    /// Here the fold is checked against the extension's aggregate bytes (`ipv4text_1_n`) and against a
    /// second way to the same set, a balanced tree of unions of one-value sketches.
    @Test func foldEqualsAggregate() throws {
        let vectors = try ReferenceVectors.load()
        #expect(vectors.hllAddFoldEqualsHllAddAgg.map(\.n) == [1, 10, 160, 161, 300, 753])
        for fold in vectors.hllAddFoldEqualsHllAddAgg {
            #expect(fold.equal, "the extension itself found fold and aggregate equal for n = \(fold.n)")
            let hashes = Array(IPv4TextSeries.hashes[1...fold.n])
            let folded = sketch(of: hashes)
            let aggregate = try vectors.sketch(named: "ipv4text_1_\(fold.n)")
            #expect(hex(folded.serialized()) == aggregate.hex, "n = \(fold.n)")
            #expect(try unionTree(of: hashes[...]) == folded, "n = \(fold.n)")
        }
    }

    /// EXPLICIT holds exactly `E` distinct values; duplicates never promote; the next distinct value
    /// switches to registers (SPARSE for the defaults, FULL with sparse off).
    @Test(arguments: [true, false])
    func promotionHappensAfterExactlyEDistinctValues(sparseOn: Bool) throws {
        let parameters = try HLLParameters(log2m: 11, regwidth: 5, expthresh: -1, sparseOn: sparseOn)
        var sketch = HyperLogLog(parameters: parameters)
        for hash in IPv4TextSeries.hashes[1...160] {
            sketch.add(hash: hash)
        }
        for hash in IPv4TextSeries.hashes[1...160].reversed() {
            sketch.add(hash: hash)
        }
        #expect(sketch.serializedRepresentation == .explicit)
        #expect(sketch.cardinality == 160)
        sketch.add(hash: IPv4TextSeries.hashes[161])
        #expect(sketch.serializedRepresentation == (sparseOn ? .sparse : .full))
    }

    /// The hash 0 (the empty string's) is a stored, counted EXPLICIT value but sets no register.
    @Test func zeroHashIsCountedExplicitlyButSetsNoRegister() throws {
        var explicit = HyperLogLog()
        explicit.add(hash: 0)
        #expect(explicit.serialized() == [0x12, 0x8B, 0x7F, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(explicit.cardinality == 1)

        var registers = HyperLogLog(parameters: try HLLParameters(log2m: 11, regwidth: 5, expthresh: 0, sparseOn: true))
        Array<UInt8>().withUnsafeBytes { registers.add(bytes: $0) }
        #expect(registers.serialized() == [0x13, 0x8B, 0x40])
        #expect(registers.cardinality == 0)
    }

    @Test func emptyDefaultSketch() {
        let sketch = HyperLogLog()
        #expect(sketch.serialized() == [0x11, 0x8B, 0x7F])
        #expect(sketch.hexLiteral == "\\x118b7f")
        #expect(sketch.cardinality == 0)
        #expect(sketch.parameters == .postgresDefault)
    }

    private func sketch(of hashes: some Sequence<Int64>) -> HyperLogLog {
        var sketch = HyperLogLog()
        for hash in hashes {
            sketch.add(hash: hash)
        }
        return sketch
    }

    private func unionTree(of hashes: ArraySlice<Int64>) throws -> HyperLogLog {
        if hashes.count <= 1 {
            return sketch(of: hashes)
        }
        let middle = hashes.startIndex + hashes.count / 2
        var left = try unionTree(of: hashes[..<middle])
        try left.formUnion(try unionTree(of: hashes[middle...]))
        return left
    }
}
