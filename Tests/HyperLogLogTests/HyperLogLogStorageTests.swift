@testable import HyperLogLog
import Testing

/// The consumer calls `add(hash:)` once per record: once in register form it must update the
/// sketch's own array in place, never copy it (a copy would be a 2 KiB allocation per record).
@Suite struct HyperLogLogStorageTests {
    @Test func addingToRegistersWritesInPlace() {
        var sketch = HyperLogLog()
        for hash in IPv4TextSeries.hashes[1...1000] {
            sketch.add(hash: hash)
        }
        let before = registerBufferAddress(sketch)
        #expect(before != nil)
        for hash in IPv4TextSeries.hashes[1001...20000] {
            sketch.add(hash: hash)
        }
        #expect(registerBufferAddress(sketch) == before)
    }

    @Test func unionOfRegistersWritesInPlace() throws {
        var sketch = HyperLogLog()
        var other = HyperLogLog()
        for hash in IPv4TextSeries.hashes[1...1000] {
            sketch.add(hash: hash)
        }
        for hash in IPv4TextSeries.hashes[1001...3000] {
            other.add(hash: hash)
        }
        let before = registerBufferAddress(sketch)
        try sketch.formUnion(other)
        #expect(registerBufferAddress(sketch) == before)
    }

    private func registerBufferAddress(_ sketch: HyperLogLog) -> UInt? {
        guard case .registers(let registers) = sketch.storage else { return nil }
        return registers.withUnsafeBufferPointer { $0.baseAddress.map { UInt(bitPattern: $0) } }
    }
}
