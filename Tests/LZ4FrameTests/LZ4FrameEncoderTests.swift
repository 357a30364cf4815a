import PipelineTestSupport
import LZ4Frame
import Testing

/// Frames we write must be what `lz4 -d` (liblz4's own reader) and Kafka readers expect. Expected
/// bytes come from the input itself, the `lz4` CLI, the frame spec (via ``FrameLayout``) or the
/// golden frames in shared/reference, never from the encoder.
struct LZ4FrameEncoderTests {
    @Test("lz4 -d restores what we compress, with and without the content-size field",
          arguments: SampleInput.allCases, [false, true])
    func lz4CommandLineDecodesOurFrames(sample: SampleInput, writesContentSize: Bool) throws {
        let input = sample.bytes
        let encoder = try LZ4FrameEncoder(options: .init(writesContentSize: writesContentSize))
        var frame: [UInt8] = []
        let appended = try encoder.compress(input, into: &frame)
        #expect(appended == frame.count)

        let layout = try FrameLayout(parsing: frame)
        #expect(layout.byteCount == frame.count)
        #expect(layout.version == 1)
        #expect(layout.independentBlocks)
        // FLG bit 3. liblz4 treats content size 0 as "unknown", so an empty input has no field.
        let expectsField = writesContentSize && !input.isEmpty
        #expect(layout.hasContentSize == expectsField)
        #expect(layout.contentSize == (expectsField ? UInt64(input.count) : nil))
        // Default BD: 64 KiB blocks, and every block but the last is full (autoFlush, one update).
        #expect(layout.bd == 0x40)
        #expect(layout.blocks.count == (input.count + 65535) / 65536)

        #expect(try LZ4CommandLine.decompress(frame) == input)
    }

    @Test("compressing into caller-owned space writes the same frame, and refuses space below the bound",
          arguments: SampleInput.allCases, [0, -2])
    func compressIntoSpaceMatchesTheAppendingForm(sample: SampleInput, level: Int) throws {
        let input = sample.bytes
        let encoder = try LZ4FrameEncoder(options: .init(compressionLevel: level))
        var expected: [UInt8] = []
        try encoder.compress(input, into: &expected)
        let bound = encoder.maximumFrameBytes(forInputBytes: input.count)
        #expect(bound >= expected.count)
        var space = [UInt8](repeating: 0xAA, count: bound)
        let written = try input.withUnsafeBytes { source in
            try space.withUnsafeMutableBytes { try encoder.compress(source, intoSpace: $0) }
        }
        #expect(Array(space[..<written]) == expected)
        #expect(try LZ4CommandLine.decompress(Array(space[..<written])) == input)
        var tooSmall = [UInt8](repeating: 0, count: bound - 1)
        #expect(throws: LZ4FrameError.self) {
            try input.withUnsafeBytes { source in
                try tooSmall.withUnsafeMutableBytes { try encoder.compress(source, intoSpace: $0) }
            }
        }
    }

    @Test("default options write exactly the Java client / librdkafka header 04 22 4D 18 60 40 82")
    func defaultHeaderIsKafkaHeader() throws {
        let encoder = try LZ4FrameEncoder()
        for input in [[], KafkaGoldenFrames.payload, SampleInput.logText1MiB.bytes] {
            var frame: [UInt8] = []
            try encoder.compress(input, into: &frame)
            #expect(Array(frame.prefix(7)) == KafkaGoldenFrames.minimalHeader)
        }
    }

    @Test("the golden kafka-python / python-lz4 frames come out byte for byte")
    func goldenFramesByteForByte() throws {
        var minimal: [UInt8] = []
        try LZ4FrameEncoder().compress(KafkaGoldenFrames.payload, into: &minimal)
        #expect(minimal == KafkaGoldenFrames.payloadMinimalFrame)

        var withSize: [UInt8] = []
        try LZ4FrameEncoder(options: .init(writesContentSize: true)).compress(KafkaGoldenFrames.payload, into: &withSize)
        #expect(withSize == KafkaGoldenFrames.payloadFrameWithContentSize)
    }

    @Test("every block size is announced in BD, respected, and read back by lz4",
          arguments: LZ4FrameEncoder.BlockSize.allCases)
    func blockSizes(blockSize: LZ4FrameEncoder.BlockSize) throws {
        let input = SampleInput.zeros5MiB.bytes + SampleInput.random300KiB.bytes
        var frame: [UInt8] = []
        try LZ4FrameEncoder(options: .init(blockSize: blockSize)).compress(input, into: &frame)
        let layout = try FrameLayout(parsing: frame)
        let expectedID: UInt8 = switch blockSize {
        case .max64KB: 4
        case .max256KB: 5
        case .max1MB: 6
        case .max4MB: 7
        }
        #expect(layout.blockSizeID == expectedID)
        let blockBytes = 1 << (8 + 2 * Int(expectedID))  // frame spec: 64 KiB * 4^(id - 4)
        #expect(blockSize.byteCount == blockBytes)
        #expect(layout.blocks.count == (input.count + blockBytes - 1) / blockBytes)
        #expect(layout.blocks.allSatisfy { $0.size <= blockBytes })
        #expect(try LZ4CommandLine.decompress(frame) == input)
    }

    @Test("checksum flags appear in FLG and lz4 verifies the checksums", arguments: [
        (false, false), (true, false), (false, true), (true, true),
    ])
    func checksums(blockChecksums: Bool, contentChecksum: Bool) throws {
        let input = SampleInput.logText1MiB.bytes
        let options = LZ4FrameEncoder.Options(writesBlockChecksums: blockChecksums, writesContentChecksum: contentChecksum)
        var frame: [UInt8] = []
        try LZ4FrameEncoder(options: options).compress(input, into: &frame)
        let layout = try FrameLayout(parsing: frame)
        #expect(layout.blockChecksums == blockChecksums)
        #expect(layout.contentChecksum == contentChecksum)
        #expect(layout.byteCount == frame.count)
        #expect(try LZ4CommandLine.decompress(frame) == input)

        if blockChecksums || contentChecksum {
            // The checksums are real: lz4 rejects the frame once a checksum byte is flipped.
            var damaged = frame
            damaged[damaged.count - (contentChecksum ? 1 : 5)] ^= 0x01
            #expect(try !LZ4CommandLine.accepts(damaged))
        }
    }

    @Test("compression levels (fast, default, HC, max) all decode with lz4", arguments: [-5, 0, 3, 9, 12])
    func compressionLevels(level: Int) throws {
        let input = SampleInput.logText1MiB.bytes
        var frame: [UInt8] = []
        try LZ4FrameEncoder(options: .init(compressionLevel: level)).compress(input, into: &frame)
        // Log text is repetitive: any level must at least halve it (lz4 -1 gets ~4x on nginx logs).
        #expect(frame.count < input.count / 2)
        #expect(try LZ4CommandLine.decompress(frame) == input)
    }

    @Test("HC levels compress log text smaller than the fast level")
    func highCompressionIsSmaller() throws {
        let input = SampleInput.logText1MiB.bytes
        var fast: [UInt8] = []
        var high: [UInt8] = []
        try LZ4FrameEncoder(options: .init(compressionLevel: 0)).compress(input, into: &fast)
        try LZ4FrameEncoder(options: .init(compressionLevel: 9)).compress(input, into: &high)
        #expect(high.count < fast.count)
    }

    @Test("compress appends after existing bytes and keeps the buffer's capacity")
    func appendsAndReusesCapacity() throws {
        let encoder = try LZ4FrameEncoder()
        let input = SampleInput.logText1MiB.bytes
        var output: [UInt8] = [0xAA, 0xBB, 0xCC]
        let first = try encoder.compress(input, into: &output)
        #expect(Array(output.prefix(3)) == [0xAA, 0xBB, 0xCC])
        #expect(output.count == 3 + first)
        #expect(try LZ4CommandLine.decompress(Array(output.dropFirst(3))) == input)

        output.removeAll(keepingCapacity: true)
        let capacity = output.capacity
        let second = try encoder.compress(input, into: &output)
        #expect(second == first)
        #expect(output.capacity == capacity)
    }

    @Test("one encoder writes 1000 frames of varying sizes and settings; lz4 reads them all back")
    func reusedFor1000Frames() throws {
        let encoder = try LZ4FrameEncoder()
        let source = SampleInput.logText1MiB.bytes
        var generator = SplitMix64(seed: 7)
        var frames: [UInt8] = []
        var expected: [UInt8] = []
        for index in 0..<1000 {
            // Switch settings on the same context now and then: level (fast <-> HC), content size.
            encoder.options = .init(
                compressionLevel: index % 7 == 0 ? 9 : 0,
                writesContentSize: index % 3 == 0,
                writesContentChecksum: index % 5 == 0
            )
            let count = index % 10 == 0 ? Int.random(in: 0...200_000, using: &generator)
                                        : Int.random(in: 0...3_000, using: &generator)
            let offset = Int.random(in: 0...(source.count - count), using: &generator)
            let input = Array(source[offset ..< offset + count])
            let before = frames.count
            try encoder.compress(input, into: &frames)
            #expect(try FrameLayout(parsing: frames, from: before).byteCount == frames.count - before)
            expected += input
        }
        // lz4 -d decodes concatenated frames one after another.
        #expect(try LZ4CommandLine.decompress(frames) == expected)
    }
}
