import NIOCore
import LZ4Frame

/// Kafka compression type 3: the records section of a batch is one standard LZ4 frame
/// (KIP-57; what librdkafka, the Java client and kafka-python write and read).
///
/// Holds one reusable liblz4 compression and decompression context: not thread-safe, one per
/// task (a producer, a fetch loop).
public final class LZ4RecordsCodec: RecordsCodec {
    public let compression = RecordCompression.lz4
    private let encoder: LZ4FrameEncoder
    private let decoder: LZ4FrameDecoder

    /// - Parameter options: frame options; the defaults write the header Kafka's own clients write.
    public init(options: LZ4FrameEncoder.Options = .init()) throws(KafkaProtocolError) {
        do {
            encoder = try LZ4FrameEncoder(options: options)
            decoder = try LZ4FrameDecoder()
        } catch {
            throw .codecFailed(reason: "\(error)")
        }
    }

    @discardableResult
    public func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws -> Int {
        do {
            return try encoder.compress(input, into: &output)
        } catch {
            throw KafkaProtocolError.codecFailed(reason: "\(error)")
        }
    }

    /// Most bytes the frame of `count` input bytes can take.
    public func maximumCompressedBytes(forInputBytes count: Int) -> Int {
        encoder.maximumFrameBytes(forInputBytes: count)
    }

    /// Writes the LZ4 frame of `input` into `space` (at least `maximumCompressedBytes` long),
    /// with no intermediate copy; returns the frame's size.
    public func compress(_ input: UnsafeRawBufferPointer, intoSpace space: UnsafeMutableRawBufferPointer) throws -> Int {
        do {
            return try encoder.compress(input, intoSpace: space)
        } catch {
            throw KafkaProtocolError.codecFailed(reason: "\(error)")
        }
    }

    @discardableResult
    public func decompress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8], maxOutputBytes: Int) throws -> Int {
        do {
            return try decoder.decompress(input, into: &output, maxOutputBytes: maxOutputBytes)
        } catch .outputLimitExceeded(let limit) {
            throw KafkaProtocolError.decompressedSizeExceeded(limit: limit)
        } catch {
            throw KafkaProtocolError.codecFailed(reason: "\(error)")
        }
    }
}

@available(*, unavailable)
extension LZ4RecordsCodec: Sendable {}
