import PipelineTestSupport
@testable import KafkaProtocol
import NIOCore
import Testing

/// Expected bytes are worked out by hand from the encodings' definitions (Protocol Buffers
/// base-128 varints; zig-zag `(n << 1) ^ (n >> 63)`), not produced by the code under test.
struct VarintTests {
    struct SignedCase: Sendable, CustomTestStringConvertible {
        var value: Int64
        var bytes: [UInt8]
        var testDescription: String { "\(value)" }
    }

    static let signed32: [SignedCase] = [
        SignedCase(value: 0, bytes: [0x00]),
        SignedCase(value: -1, bytes: [0x01]),
        SignedCase(value: 1, bytes: [0x02]),
        SignedCase(value: -64, bytes: [0x7F]),
        SignedCase(value: 64, bytes: [0x80, 0x01]),
        SignedCase(value: 11, bytes: [0x16]),  // RECORD_BATCH.md §3 worked example
        SignedCase(value: Int64(Int32.max), bytes: [0xFE, 0xFF, 0xFF, 0xFF, 0x0F]),
        SignedCase(value: Int64(Int32.min), bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
    ]

    static let signed64: [SignedCase] =
        signed32 + [
            SignedCase(value: Int64.max, bytes: [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
            SignedCase(value: Int64.min, bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
            SignedCase(value: 1_700_000_000_000, bytes: [0x80, 0xA0, 0xAB, 0xFE, 0xF9, 0x62]),
        ]

    @Test(arguments: signed32)
    func signedVarint(_ testCase: SignedCase) throws {
        var buffer = ByteBuffer()
        buffer.writeVarlong(testCase.value)
        #expect(buffer.bytes == testCase.bytes)
        #expect(Varint.encodedSize(signed: testCase.value) == testCase.bytes.count)
        var input = ByteBuffer(bytes: testCase.bytes + [0xAA])
        #expect(try input.readVarint(field: "test") == Int32(testCase.value))
        #expect(input.readableBytes == 1)
    }

    @Test(arguments: signed64)
    func signedVarlong(_ testCase: SignedCase) throws {
        var buffer = ByteBuffer()
        buffer.writeVarlong(testCase.value)
        #expect(buffer.bytes == testCase.bytes)
        var array: [UInt8] = []
        Varint.appendSigned(testCase.value, to: &array)
        #expect(array == testCase.bytes)
        var input = ByteBuffer(bytes: testCase.bytes)
        #expect(try input.readVarlong(field: "test") == testCase.value)
        #expect(input.readableBytes == 0)
    }

    @Test(
        arguments: [
            (UInt32(0), [UInt8(0x00)]),
            (1, [0x01]),
            (127, [0x7F]),
            (128, [0x80, 0x01]),
            (300, [0xAC, 0x02]),
            (16_384, [0x80, 0x80, 0x01]),
            (UInt32.max, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
        ] as [(UInt32, [UInt8])]
    )
    func unsignedVarint(_ value: UInt32, _ bytes: [UInt8]) throws {
        var buffer = ByteBuffer()
        buffer.writeUnsignedVarint(value)
        #expect(buffer.bytes == bytes)
        #expect(Varint.encodedSize(unsigned: UInt64(value)) == bytes.count)
        var input = ByteBuffer(bytes: bytes)
        #expect(try input.readUnsignedVarint(field: "test") == value)
    }

    @Test func unsignedAndSignedDifferOnTheSameBytes() throws {
        var unsigned = ByteBuffer(bytes: [0x01])
        var signed = ByteBuffer(bytes: [0x01])
        #expect(try unsigned.readUnsignedVarint(field: "u") == 1)
        #expect(try signed.readVarint(field: "s") == -1)
    }

    @Test(arguments: [
        [UInt8](),  // nothing
        [0x80],  // continuation, then nothing
        [0xFF, 0xFF, 0xFF, 0xFF],
    ])
    func truncatedVarintsThrowTruncated(_ bytes: [UInt8]) {
        var buffer = ByteBuffer(bytes: bytes)
        #expect(throws: KafkaProtocolError.truncated(field: "f")) { try buffer.readVarint(field: "f") }
        #expect(buffer.readerIndex == 0)
    }

    @Test(arguments: [
        [UInt8](repeating: 0xFF, count: 5) + [0x01],  // a 6th byte for 32 bits
        [0xFF, 0xFF, 0xFF, 0xFF, 0x1F],  // a 33rd bit
        [0x80, 0x80, 0x80, 0x80, 0x10],  // bit 32 only
    ])
    func overlong32BitVarintsAreRejected(_ bytes: [UInt8]) {
        var signed = ByteBuffer(bytes: bytes)
        #expect(throws: KafkaProtocolError.invalidVarint(field: "f")) { try signed.readVarint(field: "f") }
        var unsigned = ByteBuffer(bytes: bytes)
        #expect(throws: KafkaProtocolError.invalidVarint(field: "f")) { try unsigned.readUnsignedVarint(field: "f") }
    }

    @Test(arguments: [
        [UInt8](repeating: 0xFF, count: 10) + [0x01],  // an 11th byte
        [UInt8](repeating: 0xFF, count: 9) + [0x03],  // a 65th bit
    ])
    func overlong64BitVarintsAreRejected(_ bytes: [UInt8]) {
        var buffer = ByteBuffer(bytes: bytes)
        #expect(throws: KafkaProtocolError.invalidVarint(field: "f")) { try buffer.readVarlong(field: "f") }
    }

    @Test func zigZagRoundTripsAcrossMagnitudes() {
        var generator = SplitMix64(seed: 7)
        for _ in 0..<2_000 {
            let value = Int64(bitPattern: generator.next()) >> Int64.random(in: 0...63, using: &generator)
            #expect(Varint.unZigZag(Varint.zigZag(value)) == value)
            // Non-negative n maps to 2n, negative n to -2n-1 (definition), checked where no overflow.
            if value >= 0 && value < Int64.max / 2 { #expect(Varint.zigZag(value) == UInt64(value) * 2) }
            if value < 0 && value > Int64.min / 2 { #expect(Varint.zigZag(value) == UInt64(-value) * 2 - 1) }
        }
    }

    /// The inlined path for varints of up to three bytes (taken when three bytes remain)
    /// reads what the general loop reads: the same value and length, or the same error, for
    /// hand-made encodings of every length and for random bytes, followed by bytes that must
    /// not be read.
    @Test func shortPathAgreesWithTheLoop() throws {
        func both(_ bytes: [UInt8], bitWidth: Int) -> (Result<UInt64, KafkaProtocolError>, Int, Result<UInt64, KafkaProtocolError>, Int) {
            bytes.withUnsafeBytes { raw in
                var fastIndex = 0
                var loopIndex = 0
                let fast = Result { () throws(KafkaProtocolError) -> UInt64 in
                    try Varint.readUnsigned(raw, at: &fastIndex, bitWidth: bitWidth, field: "f")
                }
                let loop = Result { () throws(KafkaProtocolError) -> UInt64 in
                    try Varint.readUnsignedLoop(raw, at: &loopIndex, bitWidth: bitWidth, field: "f")
                }
                return (fast, fastIndex, loop, loopIndex)
            }
        }
        // value, its encoding by hand
        let cases: [(UInt64, [UInt8])] = [
            (0, [0x00]), (127, [0x7F]), (128, [0x80, 0x01]), (300, [0xAC, 0x02]), (16_383, [0xFF, 0x7F]),
            (16_384, [0x80, 0x80, 0x01]), (2_097_151, [0xFF, 0xFF, 0x7F]), (2_097_152, [0x80, 0x80, 0x80, 0x01]),
        ]
        for (value, encoding) in cases {
            for tail in [[], [0x05], [0xFF, 0xFF, 0xFF, 0xFF]] as [[UInt8]] {
                for width in [32, 64] {
                    let (fast, fastIndex, _, _) = both(encoding + tail, bitWidth: width)
                    #expect(try fast.get() == value, "\(encoding) + \(tail)")
                    #expect(fastIndex == encoding.count, "\(encoding) + \(tail)")
                }
            }
        }
        var generator = SplitMix64(seed: 11)
        for _ in 0..<20_000 {
            let count = Int(generator.next() % 13)
            // Mostly continuation bits, so that every length up to the limit occurs.
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) | (generator.next() % 4 == 0 ? 0 : 0x80) }
            for width in [32, 64] {
                let (fast, fastIndex, loop, loopIndex) = both(bytes, bitWidth: width)
                #expect(fast == loop && fastIndex == loopIndex, "\(bytes) width \(width)")
            }
        }
    }
}
