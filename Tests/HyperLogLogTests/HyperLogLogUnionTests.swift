import HyperLogLog
import Testing

@Suite struct HyperLogLogUnionTests {
    /// Every `union[]` vector, with operands rebuilt from their own inputs (not decoded): EMPTY,
    /// EXPLICIT, SPARSE and FULL in every pairing the fixture has, the EXPLICIT promotion, and
    /// `hll_union_agg` over six overlapping minutes.
    @Test func everyUnionVector() throws {
        let vectors = try ReferenceVectors.load()
        #expect(vectors.union.count == 11)
        var operands: [String: HyperLogLog] = [:]
        for vector in vectors.hll {
            operands[vector.name] = try vector.rebuild()
        }
        func operand(_ name: String?) throws -> HyperLogLog {
            guard let name, let sketch = operands[name] else { throw FixtureError.missing(name ?? "nil") }
            return sketch
        }
        for vector in vectors.union {
            var union: HyperLogLog
            if let names = vector.operands {
                // hll_union_agg: empty with the first input's parameters, then each input.
                let first = try operand(names.first)
                union = HyperLogLog(parameters: first.parameters)
                for name in names {
                    try union.formUnion(try operand(name))
                }
            } else {
                union = try operand(vector.a)
                try union.formUnion(try operand(vector.b))
            }
            try expectMatches(union, vector)
        }
    }

    /// A union equals adding both operands' hashes into one sketch, whichever way round.
    @Test func unionEqualsAddingAllInputs() throws {
        var generator = SplitMix64(state: 7)
        for (leftCount, rightCount) in [(0, 5), (5, 0), (100, 60), (100, 61), (120, 400), (800, 30), (5000, 3000)] {
            let left = (0..<leftCount).map { _ in Int64(bitPattern: generator.next()) }
            let right = (0..<rightCount).map { _ in Int64(bitPattern: generator.next()) }
            let a = sketch(of: left)
            let b = sketch(of: right)
            let combined = sketch(of: left + right)
            var ab = a
            try ab.formUnion(b)
            var ba = b
            try ba.formUnion(a)
            #expect(ab == combined, "\(leftCount) ∪ \(rightCount)")
            #expect(ba == combined, "\(rightCount) ∪ \(leftCount)")
            #expect(ab.serialized() == combined.serialized())
        }
    }

    /// `errors[]`: PostgreSQL refuses unions across log2m, expthresh (auto vs 16) and sparseon;
    /// the left operand is unchanged.
    @Test(arguments: [
        (HLLParameters.postgresDefault, try HLLParameters(log2m: 12, regwidth: 5, expthresh: -1, sparseOn: true)),
        (HLLParameters.postgresDefault, try HLLParameters(log2m: 11, regwidth: 5, expthresh: 16, sparseOn: true)),
        (HLLParameters.postgresDefault, try HLLParameters(log2m: 11, regwidth: 5, expthresh: -1, sparseOn: false)),
        (HLLParameters.postgresDefault, try HLLParameters(log2m: 11, regwidth: 4, expthresh: -1, sparseOn: true)),
    ])
    func differentParametersAreRefused(left: HLLParameters, right: HLLParameters) {
        var sketch = HyperLogLog(parameters: left)
        sketch.add(hash: 1)
        let before = sketch
        var other = HyperLogLog(parameters: right)
        other.add(hash: 2)
        #expect(throws: HLLError.parametersDiffer(left, right)) {
            try sketch.formUnion(other)
        }
        #expect(sketch == before)
    }

    private func sketch(of hashes: [Int64]) -> HyperLogLog {
        var sketch = HyperLogLog()
        for hash in hashes {
            sketch.add(hash: hash)
        }
        return sketch
    }
}
