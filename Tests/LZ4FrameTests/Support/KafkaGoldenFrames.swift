/// Golden LZ4 frames from shared/reference/kafka/testvectors/record_batches.json (generated with
/// kafka-python 3.0.12 and python-lz4 4.4.5, checked independently; see RECORD_BATCH.md §6).
/// Copied here so the tests do not depend on a path outside the repository.
enum KafkaGoldenFrames {
    /// The header the Java client and librdkafka write: FLG 0x60, BD 0x40, HC 0x82.
    static let minimalHeader: [UInt8] = [0x04, 0x22, 0x4D, 0x18, 0x60, 0x40, 0x82]

    /// `lz4_frame_examples.payload_hex`: the small records section (30 bytes, incompressible).
    static let payload = hexBytes(
        "16000000010a68656c6c6f0022000a02046b320a776f726c640202680276"
    )
    /// `lz4_frame_examples.frame_minimal_hex`: `payload` in a frame with nothing optional.
    static let payloadMinimalFrame = hexBytes(
        "04224d186040821e00008016000000010a68656c6c6f0022000a02046b320a776f726c64020268027600000000"
    )
    /// `lz4_frame_examples.frame_with_content_size_hex`: `payload` with the content-size field (FLG 0x68).
    static let payloadFrameWithContentSize = hexBytes(
        "04224d1868401e00000000000000891e00008016000000010a68656c6c6f0022000a02046b320a776f726c6402026802",
        "7600000000"
    )
    /// `lz4_kafka_python.recordsSectionHex`: a compressed records section as kafka-python writes it.
    static let kafkaPythonRecordsFrame = hexBytes(
        "04224d1868400801000000000000112e000000effe0100000001f00168656c6c6f2006005fff02008a02000a02046b32",
        "f001776f726c642006005f50020268027600000000"
    )
    /// `lz4_kafka_python.lz4_inner_decompressed_hex`: what that frame decompresses to.
    static let kafkaPythonRecordsDecompressed = hexBytes(
        "fe0100000001f00168656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c",
        "6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c",
        "6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f20008a02000a02046b32f001776f726c64",
        "20776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c64",
        "20776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c64",
        "20776f726c6420776f726c6420776f726c64200202680276"
    )
}

/// Bytes from concatenated lowercase hex strings; the strings are compile-time constants.
func hexBytes(_ parts: String...) -> [UInt8] {
    let digits = Array(parts.joined().utf8)
    func nibble(_ c: UInt8) -> UInt8 { c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10 }
    return stride(from: 0, to: digits.count - 1, by: 2).map { nibble(digits[$0]) << 4 | nibble(digits[$0 + 1]) }
}
