import PipelineTestSupport
import LZ4Frame
import Testing

/// The decoder must read whatever liblz4's CLI and Kafka producers write, reject every damaged
/// or oversized input with a typed error, and stay usable afterwards. Frames under test come
/// from the `lz4` CLI or the golden Kafka vectors wherever the property is about interop.
struct LZ4FrameDecoderTests {
    /// `lz4 -c` variants, named by what they put in the frame.
    enum CommandLineVariant: String, CaseIterable, Sendable, CustomStringConvertible {
        case defaults
        case contentSize
        case linkedBlocks64KiB
        case blockChecksums64KiB
        case noContentChecksum
        case highCompression
        case fastAcceleration
        case everythingOptional

        var description: String { rawValue }

        var arguments: [String] {
            switch self {
            case .defaults: []
            case .contentSize: ["--content-size"]
            case .linkedBlocks64KiB: ["-BD", "-B4"]
            case .blockChecksums64KiB: ["-B4", "-BX"]
            case .noContentChecksum: ["--no-frame-crc"]
            case .highCompression: ["-9"]
            case .fastAcceleration: ["--fast=5"]
            case .everythingOptional: ["-BD", "-B4", "-BX", "--content-size"]
            }
        }
    }

    @Test("decodes lz4 -c output exactly, whatever the frame carries",
          arguments: CommandLineVariant.allCases, SampleInput.allCases)
    func decodesCommandLineFrames(variant: CommandLineVariant, sample: SampleInput) throws {
        let input = sample.bytes
        let frame = try LZ4CommandLine.compress(input, arguments: variant.arguments)

        // Make sure the CLI really wrote the feature under test (FLG bits from the frame spec).
        let layout = try FrameLayout(parsing: frame)
        let arguments = variant.arguments
        if arguments.contains("--content-size") && !input.isEmpty {
            #expect(layout.contentSize == UInt64(input.count))
        }
        if arguments.contains("-BD") && input.count > 65536 { #expect(!layout.independentBlocks) }
        if arguments.contains("-BX") { #expect(layout.blockChecksums) }
        #expect(layout.contentChecksum == !arguments.contains("--no-frame-crc"))

        let decoder = try LZ4FrameDecoder()
        var output: [UInt8] = []
        // The limit is inclusive: exactly the decompressed size is allowed.
        let appended = try decoder.decompress(frame, into: &output, maxOutputBytes: input.count)
        #expect(appended == input.count)
        #expect(output == input)
    }

    @Test("decodes the golden Kafka frames (minimal header, content size, kafka-python batch)")
    func decodesGoldenKafkaFrames() throws {
        let decoder = try LZ4FrameDecoder()
        for frame in [KafkaGoldenFrames.payloadMinimalFrame, KafkaGoldenFrames.payloadFrameWithContentSize] {
            var output: [UInt8] = []
            try decoder.decompress(frame, into: &output, maxOutputBytes: 1 << 20)
            #expect(output == KafkaGoldenFrames.payload)
        }
        var records: [UInt8] = []
        try decoder.decompress(KafkaGoldenFrames.kafkaPythonRecordsFrame, into: &records, maxOutputBytes: 1 << 20)
        #expect(records == KafkaGoldenFrames.kafkaPythonRecordsDecompressed)
    }

    @Test("concatenated frames (and skippable frames) decode like lz4 -d decodes them")
    func concatenatedAndSkippableFrames() throws {
        let a = makeLogText(byteCount: 100_000, seed: 11)
        let b = makeRandomBytes(byteCount: 70_000, seed: 12)
        let c = makeLogText(byteCount: 5_000, seed: 13)
        var ours: [UInt8] = []
        try LZ4FrameEncoder().compress(c, into: &ours)
        // A skippable frame: magic 0x184D2A50..5F (little-endian), 32-bit size, that many bytes.
        let skippable: [UInt8] = [0x53, 0x2A, 0x4D, 0x18, 0x05, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5]
        let stream = try LZ4CommandLine.compress(a)
            + skippable
            + LZ4CommandLine.compress(b, arguments: ["--content-size", "-BD"])
            + ours
        let reference = try LZ4CommandLine.decompress(stream)
        #expect(reference == a + b + c)

        var output: [UInt8] = [0x01]
        let appended = try LZ4FrameDecoder().decompress(stream, into: &output, maxOutputBytes: reference.count)
        #expect(appended == reference.count)
        #expect(output == [0x01] + reference)
    }

    @Test("a frame cut anywhere throws .truncated, leaves output alone, and the decoder recovers")
    func truncatedAtEveryCut() throws {
        let small = makeLogText(byteCount: 3_000, seed: 21)
        let large = makeLogText(byteCount: 300_000, seed: 22)
        var oursPlain: [UInt8] = []
        try LZ4FrameEncoder().compress(small, into: &oursPlain)
        var oursWithSize: [UInt8] = []
        try LZ4FrameEncoder(options: .init(writesContentSize: true, writesBlockChecksums: true)).compress(large, into: &oursWithSize)
        let cases: [(frame: [UInt8], content: [UInt8])] = [
            (oursPlain, small),
            (oursWithSize, large),
            (try LZ4CommandLine.compress(small), small),
            (try LZ4CommandLine.compress(large, arguments: ["-BD", "-B4"]), large),
            (KafkaGoldenFrames.payloadMinimalFrame, KafkaGoldenFrames.payload),
        ]
        let decoder = try LZ4FrameDecoder()
        for (frame, content) in cases {
            // Every cut in the header, end mark and checksum region; a spread of cuts elsewhere.
            let cuts = Set(Array(0..<min(frame.count, 64))
                + Array(stride(from: 0, to: frame.count, by: max(1, frame.count / 300)))
                + Array(max(0, frame.count - 64)..<frame.count))
            for cut in cuts.sorted() {
                var output: [UInt8] = [0xEE, 0xFF]
                #expect(throws: LZ4FrameError.truncated, "cut at \(cut) of \(frame.count)") {
                    try decoder.decompress(Array(frame.prefix(cut)), into: &output, maxOutputBytes: Int.max)
                }
                #expect(output == [0xEE, 0xFF])
            }
            // Whole frame, same decoder, straight after the errors.
            var output: [UInt8] = []
            try decoder.decompress(frame, into: &output, maxOutputBytes: content.count)
            #expect(output == content)
        }

        // A complete frame followed by part of a second one is also truncated.
        var two = KafkaGoldenFrames.payloadMinimalFrame
        two += KafkaGoldenFrames.payloadFrameWithContentSize.dropLast(1)
        var output: [UInt8] = []
        #expect(throws: LZ4FrameError.truncated) {
            try decoder.decompress(two, into: &output, maxOutputBytes: Int.max)
        }
        #expect(output.isEmpty)
    }

    @Test("damaged frames give liblz4's named error, as lz4 -d rejects them too")
    func damagedFrames() throws {
        let content = makeLogText(byteCount: 200_000, seed: 31)
        let frame = try LZ4CommandLine.compress(content, arguments: ["-B4", "-BX"])
        let layout = try FrameLayout(parsing: frame)
        #expect(layout.blockChecksums && layout.contentChecksum)
        let firstBlockData = 7 + 4  // header without content size, then the first block's size word

        // Names from lz4frame.h's LZ4F_LIST_ERRORS; codes are their positions in that list.
        let damages: [(name: String, offset: Int, code: Int, error: String)] = [
            ("magic", 0, 13, "ERROR_frameType_unknown"),
            ("header checksum", 6, 17, "ERROR_headerChecksum_invalid"),
            ("block data", firstBlockData + 100, 7, "ERROR_blockChecksum_invalid"),
            ("content checksum", frame.count - 1, 18, "ERROR_contentChecksum_invalid"),
        ]
        let decoder = try LZ4FrameDecoder()
        for damage in damages {
            var damaged = frame
            damaged[damage.offset] ^= 0x40
            #expect(try !LZ4CommandLine.accepts(damaged), "lz4 should reject damaged \(damage.name)")
            var output: [UInt8] = [9]
            #expect(throws: LZ4FrameError.library(code: damage.code, name: damage.error), "\(damage.name)") {
                try decoder.decompress(damaged, into: &output, maxOutputBytes: Int.max)
            }
            #expect(output == [9])
            try expectDecodes(frame, to: content, with: decoder)
        }
    }

    @Test("random garbage, garbage after a valid magic, and trailing garbage all throw")
    func garbage() throws {
        let decoder = try LZ4FrameDecoder()
        let good = KafkaGoldenFrames.payloadMinimalFrame
        var generator = SplitMix64(seed: 41)
        for round in 0..<500 {
            let length = Int.random(in: 0...2_000, using: &generator)
            var bytes = makeRandomBytes(byteCount: length, seed: UInt64(1000 + round))
            switch round % 3 {
            case 0: break
            case 1: bytes = [0x04, 0x22, 0x4D, 0x18] + bytes
            default: bytes = good + [0x04, 0x22, 0x4D, 0x18, 0x64] + bytes
            }
            var output: [UInt8] = []
            #expect(throws: LZ4FrameError.self, "round \(round)") {
                try decoder.decompress(bytes, into: &output, maxOutputBytes: 1 << 24)
            }
            #expect(output.isEmpty)
        }
        var output: [UInt8] = []
        #expect(throws: LZ4FrameError.self) {
            try decoder.decompress(good + [0x00], into: &output, maxOutputBytes: 1 << 20)
        }
        try expectDecodes(good, to: KafkaGoldenFrames.payload, with: decoder)
    }

    @Test("a decompression bomb stops at maxOutputBytes, with or without a content size",
          arguments: [false, true])
    func bombIsStopped(announcesSize: Bool) throws {
        let content = [UInt8](repeating: 0x61, count: 64 << 20)
        let bomb = try LZ4CommandLine.compress(content, arguments: announcesSize ? ["--content-size"] : [])
        #expect(bomb.count < 512 << 10)
        #expect(try FrameLayout(parsing: bomb).hasContentSize == announcesSize)

        let decoder = try LZ4FrameDecoder()
        let limit = 1 << 20
        var output: [UInt8] = [7, 7]
        #expect(throws: LZ4FrameError.outputLimitExceeded(limit: limit)) {
            try decoder.decompress(bomb, into: &output, maxOutputBytes: limit)
        }
        #expect(output == [7, 7])
        // Memory stayed near the limit, not near the 64 MiB the frame expands to.
        #expect(output.capacity <= 4 * limit)

        // One byte under the real size fails; the real size succeeds (same decoder).
        #expect(throws: LZ4FrameError.outputLimitExceeded(limit: content.count - 1)) {
            try decoder.decompress(bomb, into: &output, maxOutputBytes: content.count - 1)
        }
        try expectDecodes(bomb, to: content, with: decoder)
    }

    @Test("the limit counts all concatenated frames of one call, not each frame alone")
    func limitSpansFrames() throws {
        let part = makeLogText(byteCount: 1_000, seed: 51)
        let stream = try LZ4CommandLine.compress(part) + LZ4CommandLine.compress(part)
        let decoder = try LZ4FrameDecoder()
        var output: [UInt8] = []
        #expect(throws: LZ4FrameError.outputLimitExceeded(limit: 1_500)) {
            try decoder.decompress(stream, into: &output, maxOutputBytes: 1_500)
        }
        #expect(output.isEmpty)
        try decoder.decompress(stream, into: &output, maxOutputBytes: 2_000)
        #expect(output == part + part)
    }

    @Test("empty input holds no frame and is truncated")
    func emptyInput() throws {
        var output: [UInt8] = []
        #expect(throws: LZ4FrameError.truncated) {
            try LZ4FrameDecoder().decompress([], into: &output, maxOutputBytes: 100)
        }
    }

    @Test("one encoder and one decoder round-trip 1000 frames of varying sizes, reusing buffers")
    func reusedFor1000Frames() throws {
        let encoder = try LZ4FrameEncoder()
        let decoder = try LZ4FrameDecoder()
        let source = makeLogText(byteCount: 1 << 20, seed: 61)
        var generator = SplitMix64(seed: 62)
        var frame: [UInt8] = []
        var output: [UInt8] = []
        for index in 0..<1000 {
            let count = index % 25 == 0 ? Int.random(in: 0...400_000, using: &generator)
                                        : Int.random(in: 0...5_000, using: &generator)
            let offset = Int.random(in: 0...(source.count - count), using: &generator)
            let input = source[offset ..< offset + count]
            encoder.options.writesContentSize = index.isMultiple(of: 2)
            frame.removeAll(keepingCapacity: true)
            output.removeAll(keepingCapacity: true)
            _ = try input.withUnsafeBytes { try encoder.compress($0, into: &frame) }
            _ = try frame.withUnsafeBytes { try decoder.decompress($0, into: &output, maxOutputBytes: count) }
            #expect(output[...] == input, "frame \(index), \(count) bytes")
        }
    }

    private func expectDecodes(_ frame: [UInt8], to content: [UInt8], with decoder: LZ4FrameDecoder) throws {
        var output: [UInt8] = []
        try decoder.decompress(frame, into: &output, maxOutputBytes: content.count)
        #expect(output == content)
    }
}
