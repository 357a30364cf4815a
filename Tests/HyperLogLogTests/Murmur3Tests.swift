import HyperLogLog
import Testing

/// The hash must equal every `hll_hash_*` the extension computed: any difference makes sketches
/// built here count different elements than SQL-built ones they are unioned with.
@Suite struct Murmur3Tests {
    /// Every `hash[]` vector: text, bytea, bigint, integer, smallint, boolean and `hll_hash_any`, each
    /// reduced to the exact bytes the server hashed (`input_hex`), with seeds 0, 1, 42, 123,
    /// 2147483647 and -1 (which the server converts to `uint32` 0xFFFFFFFF).
    @Test func everyHashVector() throws {
        let vectors = try ReferenceVectors.load()
        #expect(vectors.hash.count == 106)
        #expect(Set(vectors.hash.map(\.function)).count == 7)
        for vector in vectors.hash {
            let input = try bytes(fromHex: vector.inputHex)
            let seed = UInt32(truncatingIfNeeded: vector.seed)
            let hash = input.withUnsafeBytes { Murmur3.hllHash($0, seed: seed) }
            #expect(String(hash) == vector.result, "\(vector.sql)")
            #expect(hex(withUnsafeBytes(of: UInt64(bitPattern: hash).bigEndian) { Array($0) }) == vector.resultHex, "\(vector.sql)")
        }
    }

    /// Both halves, against the Python reference in check_vectors.py (which passes every vector):
    /// the block loop (16, 17, 31 bytes), 1…15-byte tails, multi-byte UTF-8, and the seed.
    @Test(arguments: [
        ("", 0 as UInt32, 0x0 as UInt64, 0x0 as UInt64),
        ("31302e302e302e31", 0, 0x85AF_96B9_D83B_CE29, 0x37AB_E641_196A_CE07),
        ("30313233343536373839616263646566", 0, 0x4BE0_6D94_CF4A_D1A7, 0x87C3_5B5C_63A7_08DA),
        ("3031323334353637383961626364656667", 0, 0x8E32_612D_AA45_F9DE, 0x0800_F4C2_06C3_72EE),
        ("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e", 0, 0x053D_D3E1_A32C_D094, 0x9EE5_9AEF_B400_5490),
        ("6dc3bc6c6c6572", 0, 0x89CC_807E_5B3D_0D59, 0x3051_DFF7_C130_0A53),
        ("3139322e302e322e31", 0xFFFF_FFFF, 0xFD30_EDB3_F0D1_27C4, 0x3D77_5123_BDB7_DC99),
    ])
    func bothHalves(inputHex: String, seed: UInt32, h1: UInt64, h2: UInt64) throws {
        let input = try bytes(fromHex: inputHex)
        let result = input.withUnsafeBytes { Murmur3.x64_128($0, seed: seed) }
        #expect(result.h1 == h1)
        #expect(result.h2 == h2)
    }

    /// Little-endian loads must not depend on the input's alignment.
    @Test func unalignedInputGivesTheSameHash() {
        let payload = Array("2001:db8:85a3::8a2e:370:7334 and a tail".utf8)
        let expected = payload.withUnsafeBytes { Murmur3.hllHash($0) }
        for shift in 0..<16 {
            let padded = Array(repeating: UInt8(0xAA), count: shift) + payload
            let hash = padded.withUnsafeBytes { Murmur3.hllHash(UnsafeRawBufferPointer(rebasing: $0[shift...])) }
            #expect(hash == expected, "shift \(shift)")
        }
    }

    /// `add(bytes:)` is `add(hash: hll_hash_bytea(bytes))`: vector `ipv4text_1_1` holds exactly
    /// `hll_hash_text('10.0.0.1')`.
    @Test func addBytesHashesLikeHllHashBytea() throws {
        var sketch = HyperLogLog()
        Array("10.0.0.1".utf8).withUnsafeBytes { sketch.add(bytes: $0) }
        #expect(hex(sketch.serialized()) == "128b7f85af96b9d83bce29")
    }
}
