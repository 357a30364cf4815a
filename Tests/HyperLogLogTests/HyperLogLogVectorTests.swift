import HyperLogLog
import Testing

/// Every `hll[]` vector rebuilt from its inputs must give the extension's bytes and cardinality.
@Suite struct HyperLogLogVectorTests {
    @Test func everyHllVector() throws {
        let vectors = try ReferenceVectors.load()
        #expect(vectors.hll.count == 65)
        var kinds: [String: Int] = [:]
        for vector in vectors.hll {
            kinds[vector.inputs?.kind ?? "?", default: 0] += 1
            try expectMatches(try vector.rebuild(), vector)
        }
        #expect(kinds == ["none": 12, "raw": 5, "ipv4text": 43, "registers": 5])
    }

    /// Hand-built register values: what the extension re-emits (`hll_union(x, hll_empty())`) is
    /// what `serialized()` writes after decoding them.
    @Test func handBuiltRegistersReserializeLikeTheExtension() throws {
        let vectors = try ReferenceVectors.load()
        let handBuilt = vectors.hll.filter { $0.inputs?.kind == "registers" }
        #expect(handBuilt.count == 5)
        for vector in handBuilt {
            let decoded = try HyperLogLog(serialized: bytes(fromHex: vector.inputHex ?? ""))
            #expect(hex(decoded.serialized()) == vector.reserializedByHllUnionWithEmpty, "\(vector.name)")
        }
    }

    /// The estimator's branches, each pinned by one vector (README §6), bit for bit.
    @Test(arguments: [
        "ipv4text_1_1000",  // linear counting
        "ipv4text_1_10000",  // raw estimate
        "handbuilt_full_all_26",  // large-range correction
        "handbuilt_full_all_20",  // raw estimate, no zero register
        "handbuilt_full_all_31",  // NaN: log of a negative number
        "p12_6_m1_1_n100000",  // NaN: regwidth 6 overflows 1 << L
        "p4_5_0_0_n20",  // m = 16 constant
        "p5_3_0_1_n100",  // m = 32 constant
    ])
    func estimatorBranch(name: String) throws {
        let vector = try ReferenceVectors.load().sketch(named: name)
        try expectMatches(try vector.rebuild(), vector)
    }
}
