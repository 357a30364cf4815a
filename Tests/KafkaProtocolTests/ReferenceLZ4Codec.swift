import Foundation
import KafkaProtocol
import PipelineTestSupport

/// An LZ4 ``RecordsCodec`` that knows only the frames of the reference vectors: it maps each
/// reference payload to the frame python-lz4 produced for it and back. It checks the plumbing
/// around the codec seam (which bytes go in, what comes out, limits) against golden bytes until
/// the real `LZ4Frame` conformance is merged.
struct ReferenceLZ4Codec: RecordsCodec {
    struct UnknownInput: Error {}

    /// (uncompressed, frame) pairs; compression uses the first frame listed for an input.
    let pairs: [(plain: [UInt8], frame: [UInt8])]
    var compression: RecordCompression { .lz4 }

    init() {
        let examples = ReferenceVectors.lz4FrameExamples
        let kafkaPython = ReferenceVectors.recordBatch("lz4_kafka_python")
        pairs = [
            (kafkaPython.lz4InnerDecompressed ?? [], kafkaPython.recordsSection),
            (examples.payload, examples.minimalFrame),
            (examples.payload, examples.frameWithContentSize),
        ]
    }

    func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws -> Int {
        guard let pair = pairs.first(where: { $0.plain.elementsEqual(input) }) else { throw UnknownInput() }
        output.append(contentsOf: pair.frame)
        return pair.frame.count
    }

    func decompress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8], maxOutputBytes: Int) throws -> Int {
        guard let pair = pairs.first(where: { $0.frame.elementsEqual(input) }) else { throw UnknownInput() }
        guard pair.plain.count <= maxOutputBytes else {
            throw KafkaProtocolError.decompressedSizeExceeded(limit: maxOutputBytes)
        }
        output.append(contentsOf: pair.plain)
        return pair.plain.count
    }
}

/// An LZ4 ``RecordsCodec`` that runs the real `lz4` command-line tool (Debian package `lz4`).
/// Its frames use independent blocks and a content checksum, which Kafka readers accept.
struct CommandLineLZ4Codec: RecordsCodec {
    struct ToolFailed: Error, CustomStringConvertible {
        var description: String
    }

    var compression: RecordCompression { .lz4 }

    func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws -> Int {
        let result = try ExternalTool.run("lz4", ["-c", "-q", "-BI"], stdin: Data(input))
        guard result.status == 0 else { throw ToolFailed(description: result.stderrText) }
        output.append(contentsOf: result.stdout)
        return result.stdout.count
    }

    func decompress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8], maxOutputBytes: Int) throws -> Int {
        let result = try ExternalTool.run("lz4", ["-d", "-c", "-q"], stdin: Data(input))
        guard result.status == 0 else { throw ToolFailed(description: result.stderrText) }
        guard result.stdout.count <= maxOutputBytes else {
            throw KafkaProtocolError.decompressedSizeExceeded(limit: maxOutputBytes)
        }
        output.append(contentsOf: result.stdout)
        return result.stdout.count
    }
}
