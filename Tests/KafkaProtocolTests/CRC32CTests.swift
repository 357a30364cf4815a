import PipelineTestSupport
import KafkaProtocol
import NIOCore
import Testing

struct CRC32CTests {
    /// The check value of CRC-32C (RECORD_BATCH.md §6; also the CRC catalogue's "check").
    @Test func checkValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    /// RFC 3720 (iSCSI) appendix B.4 test patterns, 32 bytes each.
    @Test(arguments: [
        ([UInt8](repeating: 0, count: 32), UInt32(0x8A91_36AA)),
        ([UInt8](repeating: 0xFF, count: 32), UInt32(0x62A8_AB43)),
        ((0..<32).map { UInt8($0) }, UInt32(0x46DD_794E)),
        ((0..<32).reversed().map { UInt8($0) }, UInt32(0x113F_DB5C)),
    ])
    func rfc3720Patterns(_ input: [UInt8], _ expected: UInt32) {
        #expect(CRC32C.checksum(input) == expected)
    }

    @Test func emptyInputIsZero() {
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    /// The sliced implementation against the textbook bit-at-a-time definition, over every
    /// length 0...100 (all tail lengths, all alignments of the 8-byte loop) and random bytes.
    @Test func matchesBitwiseDefinition() {
        var generator = SplitMix64(seed: 0xC5C3)
        for length in 0...100 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(CRC32C.checksum(bytes) == bitwiseCRC32C(bytes), "length \(length)")
        }
    }

    /// Both paths — the CPU instruction (when `usesHardware`) and the tables — against the
    /// bitwise definition, at lengths around the 8-byte step and at every start alignment.
    @Test func hardwareAndSoftwarePathsAgree() {
        var generator = SplitMix64(seed: 0x5EED)
        let bytes = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for start in 0..<8 {
            for length in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4000] {
                let slice = Array(bytes[start..<(start + length)])
                let expected = bitwiseCRC32C(slice)
                let software = slice.withUnsafeBytes { CRC32C.softwareUpdate(0, with: $0) }
                #expect(software == expected, "software, start \(start), length \(length)")
                #expect(CRC32C.checksum(slice) == expected, "default path, start \(start), length \(length)")
            }
        }
    }

    #if arch(x86_64)
        /// Every x86-64 machine this runs on since 2008 has SSE 4.2; if this fails, the fast path
        /// is silently off (correct, but slower).
        @Test func usesTheCPUInstructionOnX86() {
            #expect(CRC32C.usesHardware)
        }
    #endif

    @Test func chainingEqualsOneShot() {
        let bytes = Array("The quick brown fox jumps over the lazy dog, twice over.".utf8)
        let whole = CRC32C.checksum(bytes)
        for split in 0...bytes.count {
            let first = CRC32C.checksum(Array(bytes[..<split]))
            let chained = Array(bytes[split...]).withUnsafeBytes { CRC32C.update(first, with: $0) }
            #expect(chained == whole, "split at \(split)")
        }
    }

    @Test func byteBufferUsesReadableBytesOnly() {
        var buffer = ByteBuffer(bytes: Array("xx123456789".utf8))
        buffer.moveReaderIndex(forwardBy: 2)
        #expect(CRC32C.checksum(buffer) == 0xE306_9283)
    }

    /// Reference: one bit at a time, reflected polynomial 0x82F63B78.
    private func bitwiseCRC32C(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 {
                crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1
            }
        }
        return ~crc
    }
}
