import PipelineTestSupport
import KafkaProtocol
import NIOCore
import Testing

/// Properties every golden sample of wire_samples.json must have, whatever its message.
struct WireSamplesTests {
    @Test func everySampleWithACodecIsCovered() {
        let names = Set(WireSampleCodec.decodableSamples.map(\.name))
        let all = Set(ReferenceVectors.wireSamples.map(\.name))
        #expect(all.subtracting(names).isEmpty)
        #expect(names.count == 19)
    }

    @Test func sizePrefixMatchesLength() {
        for sample in ReferenceVectors.wireSamples {
            let size = sample.framed.prefix(4).reduce(0) { $0 << 8 | Int($1) }
            #expect(size == sample.framed.count - 4, "\(sample.name)")
        }
    }

    /// Decode header + body, consume every byte, re-encode through KafkaFrame: identical bytes.
    @Test(arguments: WireSampleCodec.decodableSamples)
    func decodesAndReencodesByteIdentically(_ sample: ReferenceVectors.WireSample) throws {
        var frame = sample.frame
        let decoded = try WireSampleCodec.decode(sample, frame: &frame)
        #expect(frame.readableBytes == 0, "bytes left after the body")
        #expect(decoded.correlationID == 7)
        if sample.isRequest { #expect(decoded.clientID == "tester") }

        if sample.version == WireSampleCodec.layoutVersion(sample) {
            let reencoded = try WireSampleCodec.encode(decoded, sample: sample)
            #expect(reencoded.bytes == sample.framed)
        } else {
            // The ApiVersions v4 probe: header as sent, body in its (v3) layout.
            var out = ByteBuffer()
            out.writeInteger(Int32(0))
            let header = RequestHeader(
                apiKeyCode: sample.apiKey,
                apiVersion: sample.version,
                correlationID: 7,
                clientID: "tester"
            )
            try header.encode(into: &out)
            try decoded.body.encode(into: &out, version: WireSampleCodec.layoutVersion(sample))
            out.setInteger(Int32(out.readableBytes - 4), at: 0)
            #expect(out.bytes == sample.framed)
        }
    }

    /// Every strict prefix of every frame fails with a typed error, never a crash.
    @Test(arguments: WireSampleCodec.decodableSamples)
    func everyTruncationThrows(_ sample: ReferenceVectors.WireSample) {
        let frame = sample.frame
        for length in 0..<frame.readableBytes {
            var truncated = frame.getSlice(at: 0, length: length) ?? ByteBuffer()
            #expect(throws: KafkaProtocolError.self, "\(sample.name) cut at \(length)") {
                try WireSampleCodec.decode(sample, frame: &truncated)
            }
        }
    }

    /// Random byte corruptions: decoding may succeed or throw, but must not trap or hang.
    @Test(arguments: WireSampleCodec.decodableSamples)
    func corruptedBytesNeverCrash(_ sample: ReferenceVectors.WireSample) {
        var generator = SplitMix64(seed: UInt64(sample.framed.count))
        let original = sample.frame.bytes
        var outcomes = (decoded: 0, rejected: 0)
        for _ in 0..<500 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[index] =
                    [0x00, 0xFF, 0x7F, 0x80, UInt8.random(in: 0...255, using: &generator)]
                    .randomElement(using: &generator) ?? 0
            }
            var frame = ByteBuffer(bytes: bytes)
            do {
                _ = try WireSampleCodec.decode(sample, frame: &frame)
                outcomes.decoded += 1
            } catch is KafkaProtocolError {
                outcomes.rejected += 1
            } catch {
                Issue.record("untyped error \(error)")
            }
        }
        // InitProducerIdResponse is all fixed-width integers: no corruption can be malformed.
        if sample.name != "InitProducerIdResponse_v0" {
            #expect(outcomes.rejected > 0, "the corruptions never reached an error path")
        }
    }
}
