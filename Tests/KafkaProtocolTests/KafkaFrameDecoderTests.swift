@testable import KafkaProtocol
import PipelineTestSupport
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

struct KafkaFrameDecoderTests {
    /// Every golden frame, fed one byte at a time, all at once and message by message.
    @Test func verifierOnGoldenFrames() throws {
        let pairs = ReferenceVectors.wireSamples.map { sample in
            (ByteBuffer(bytes: sample.framed), [sample.frame])
        }
        #expect(pairs.count >= 18)
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { KafkaFrameDecoder() }
    }

    @Test func zeroLengthFrameIsEmitted() throws {
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [(ByteBuffer(bytes: [0, 0, 0, 0]), [ByteBuffer()])]
        ) { KafkaFrameDecoder() }
    }

    /// All golden frames concatenated, cut at random points, must come out whole and in order.
    @Test(arguments: [1 as UInt64, 2, 3, 4, 5])
    func randomSplits(seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        let samples = ReferenceVectors.wireSamples.shuffled(using: &generator)
        let stream = samples.flatMap(\.framed)
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(KafkaFrameDecoder()))
        var index = 0
        while index < stream.count {
            let length = min(Int.random(in: 1...64, using: &generator), stream.count - index)
            try channel.writeInbound(ByteBuffer(bytes: stream[index..<index + length]))
            index += length
        }
        for sample in samples {
            let frame = try channel.readInbound(as: ByteBuffer.self)
            #expect(frame == sample.frame, "\(sample.name)")
        }
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        #expect(try channel.finish().isClean)
    }

    /// Once an accepted frame's size is known, the cumulation buffer gets room for it (up to
    /// the limit), so its bytes arrive without the buffer growing step by step.
    @Test func roomIsReservedForAnAnnouncedFrameUpToTheLimit() {
        var buffer = ByteBuffer(bytes: [0, 0x04, 0, 0, 1, 2, 3])  // 256 KiB announced
        KafkaFrameDecoder.reserveForAnnouncedFrame(&buffer)
        #expect(buffer.readableBytes + buffer.writableBytes >= 256 * 1024 + 4)
        var huge = ByteBuffer(bytes: [0x05, 0, 0, 0])  // 80 MiB announced: only the limit
        KafkaFrameDecoder.reserveForAnnouncedFrame(&huge)
        #expect(huge.capacity >= KafkaFrameDecoder.reservationLimit)
        #expect(huge.capacity <= 2 * KafkaFrameDecoder.reservationLimit)
    }

    /// A 2 GiB - 1 size prefix is refused as soon as its four bytes arrive: the decoder neither
    /// waits for nor allocates the announced bytes.
    @Test func oversizedPrefixFailsOnItsFourBytes() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(KafkaFrameDecoder(maxFrameBytes: 1024 * 1024)))
        #expect(throws: KafkaProtocolError.frameTooLarge(size: Int(Int32.max), limit: 1024 * 1024)) {
            try channel.writeInbound(ByteBuffer(bytes: [0x7F, 0xFF, 0xFF, 0xFF]))
        }
        _ = try? channel.finish()
    }

    /// 0x80000000 is "2 GiB" read as unsigned, and -2^31 as Kafka's signed int32.
    @Test(arguments: [[UInt8(0x80), 0, 0, 0], [0xFF, 0xFF, 0xFF, 0xFF], [0xFF, 0xFF, 0xFF, 0xFE]])
    func negativePrefixFails(_ prefix: [UInt8]) throws {
        let expected = Int32(
            bitPattern: UInt32(prefix[0]) << 24 | UInt32(prefix[1]) << 16 | UInt32(prefix[2]) << 8 | UInt32(prefix[3])
        )
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(KafkaFrameDecoder()))
        #expect(throws: KafkaProtocolError.negativeFrameLength(expected)) {
            try channel.writeInbound(ByteBuffer(bytes: prefix + [1, 2, 3]))
        }
        _ = try? channel.finish()
    }

    /// Whole frames before a bad prefix still come through.
    @Test func framesBeforeABadPrefixAreDelivered() throws {
        let sample = ReferenceVectors.wireSample("ApiVersionsRequest_v0")
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(KafkaFrameDecoder(maxFrameBytes: 100)))
        #expect(throws: KafkaProtocolError.frameTooLarge(size: 101, limit: 100)) {
            try channel.writeInbound(ByteBuffer(bytes: sample.framed + [0, 0, 0, 101]))
        }
        #expect(try channel.readInbound(as: ByteBuffer.self) == sample.frame)
        _ = try? channel.finish()
    }

    @Test func limitIsInclusive() throws {
        let decoder = KafkaFrameDecoder(maxFrameBytes: 3)
        var exact = ByteBuffer(bytes: [0, 0, 0, 3, 7, 8, 9])
        #expect(try decoder.nextFrame(&exact) == ByteBuffer(bytes: [7, 8, 9]))
        var over = ByteBuffer(bytes: [0, 0, 0, 4, 7, 8, 9, 10])
        #expect(throws: KafkaProtocolError.frameTooLarge(size: 4, limit: 3)) { try decoder.nextFrame(&over) }
    }

    @Test func partialFrameLeavesReaderIndexAlone() throws {
        let decoder = KafkaFrameDecoder()
        var partial = ByteBuffer(bytes: [0, 0, 0, 5, 1, 2])
        #expect(try decoder.nextFrame(&partial) == nil)
        #expect(partial.readerIndex == 0)
        var prefixOnly = ByteBuffer(bytes: [0, 0])
        #expect(try decoder.nextFrame(&prefixOnly) == nil)
        #expect(prefixOnly.readerIndex == 0)
    }

    /// A connection closed mid-frame yields no (partial) frame.
    @Test func partialFrameAtEndOfStreamIsNotEmitted() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(KafkaFrameDecoder()))
        try channel.writeInbound(ByteBuffer(bytes: [0, 0, 0, 1, 0xAA, 0, 0, 0, 9, 1]))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(bytes: [0xAA]))
        _ = try channel.finish()
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
    }
}
