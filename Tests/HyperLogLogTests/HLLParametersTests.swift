import HyperLogLog
import Testing

@Suite struct HLLParametersTests {
    /// The header bytes of `hll_empty(...)` for each `empty_*` vector (README §3).
    @Test func headerBytesOfEveryEmptyVector() throws {
        let vectors = try ReferenceVectors.load()
        let empties = vectors.hll.filter { $0.inputs?.kind == "none" }
        #expect(empties.count == 12)
        for vector in empties {
            let parameters = try #require(try vector.params?.make(), "\(vector.name)")
            let (byte1, byte2) = parameters.headerBytes
            let expected = try bytes(fromHex: vector.hex)
            #expect([0x11, byte1, byte2] == expected, "\(vector.name)")
        }
    }

    @Test func postgresDefaultIsHllEmpty() {
        let defaults = HLLParameters.postgresDefault
        #expect(defaults.log2m == 11)
        #expect(defaults.regwidth == 5)
        #expect(defaults.expthresh == -1)
        #expect(defaults.sparseOn)
        #expect(defaults.registerCount == 2048)
        #expect(defaults.headerBytes.0 == 0x8B)
        #expect(defaults.headerBytes.1 == 0x7F)
    }

    /// `E` for auto: as many 8-byte values as fit in the FULL body (README §5).
    @Test(arguments: [
        (11, 5, -1, 160), (12, 6, -1, 384), (10, 4, -1, 64), (17, 7, -1, 14336), (4, 1, -1, 0),
        (11, 5, 0, 0), (11, 5, 8, 8), (11, 5, 8192, 8192),
    ])
    func explicitCapacity(log2m: Int, regwidth: Int, expthresh: Int, capacity: Int) throws {
        let parameters = try HLLParameters(log2m: log2m, regwidth: regwidth, expthresh: expthresh, sparseOn: true)
        #expect(parameters.explicitCapacity == capacity)
    }

    /// The extension's own refusals (`errors[]`: regwidth 8, log2m 18, expthresh 100 and 16384), plus
    /// log2m 3, which the extension creates but cannot estimate ("number of registers too small").
    @Test(arguments: [
        (11, 8, -1, HLLError.invalidParameter(.regwidth, value: 8)),
        (11, 0, -1, HLLError.invalidParameter(.regwidth, value: 0)),
        (18, 5, -1, HLLError.invalidParameter(.log2m, value: 18)),
        (3, 5, -1, HLLError.invalidParameter(.log2m, value: 3)),
        (11, 5, 100, HLLError.invalidParameter(.expthresh, value: 100)),
        (11, 5, 16384, HLLError.invalidParameter(.expthresh, value: 16384)),
        (11, 5, -2, HLLError.invalidParameter(.expthresh, value: -2)),
    ])
    func rejectsOutOfRange(log2m: Int, regwidth: Int, expthresh: Int, error: HLLError) {
        #expect(throws: error) {
            try HLLParameters(log2m: log2m, regwidth: regwidth, expthresh: expthresh, sparseOn: true)
        }
    }
}
