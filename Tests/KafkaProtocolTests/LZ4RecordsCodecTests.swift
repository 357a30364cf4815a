import Foundation
import KafkaProtocol
import NIOCore
import PipelineTestSupport
import Testing

/// The real liblz4 codec in the record-batch path, checked against kafka-python's bytes and the
/// `lz4` command-line tool.
@Suite struct LZ4RecordsCodecTests {
    @Test func readsKafkaPythonLZ4Batch() throws {
        let vector = ReferenceVectors.recordBatch("lz4_kafka_python")
        let batch = try RecordBatch(validating: vector.buffer)
        let values = try batch.records(decompressingWith: LZ4RecordsCodec()).map {
            $0.value.map { String(buffer: $0) } ?? ""
        }
        #expect(values == vector.decoded.compactMap(\.value))
    }

    @Test func decompressionLimitIsTyped() throws {
        let vector = ReferenceVectors.recordBatch("lz4_kafka_python")
        let batch = try RecordBatch(validating: vector.buffer)
        let inner = try #require(vector.lz4InnerDecompressed)
        #expect(throws: KafkaProtocolError.decompressedSizeExceeded(limit: inner.count - 1)) {
            try batch.records(decompressingWith: LZ4RecordsCodec(), maxDecompressedBytes: inner.count - 1)
        }
    }

    /// A batch we build with LZ4 carries codec 3, validates, and its records section is a frame
    /// the reference `lz4` tool decodes to the same bytes an uncompressed build holds.
    @Test func builtBatchIsStandardLZ4() throws {
        var builder = RecordBatchBuilder(producerID: 7, producerEpoch: 0, baseSequence: 0)
        for index in 0..<500 {
            builder.append(
                timestamp: 1_795_867_200_000 + Int64(index),
                key: Array("site-\(index % 7)".utf8),
                value: Array("GET /path/\(index) HTTP/1.1 200 \(index * 31)".utf8))
        }
        let plain = try RecordBatch(validating: try builder.build())
        let compressed = try RecordBatch(validating: try builder.build(compression: .lz4, codec: LZ4RecordsCodec()))
        #expect(compressed.header.compression == .lz4)
        #expect(compressed.header.recordsCount == 500)
        #expect(compressed.bytes.readableBytes < plain.bytes.readableBytes)

        let frame = Data(compressed.recordsSection.readableBytesView)
        let tool = try ExternalTool.run("lz4", ["-d", "-c"], stdin: frame)
        #expect(tool.status == 0, "\(tool.stderrText)")
        #expect(Array(tool.stdout) == Array(plain.recordsSection.readableBytesView))

        let decoded = try compressed.records(decompressingWith: LZ4RecordsCodec())
        #expect(decoded.count == 500)
        #expect(decoded.last.flatMap { $0.value.map { String(buffer: $0) } } == "GET /path/499 HTTP/1.1 200 15469")
    }
}
