import PipelineTestSupport
import Foundation
import NIOCore
import Testing

/// The golden vectors of ReferenceVectorsJSON.swift, parsed into Sendable values.
enum ReferenceVectors {
    struct WireSample: Sendable, CustomTestStringConvertible {
        var name: String
        var apiKey: Int16
        var version: Int16
        var isRequest: Bool
        var isFlexible: Bool
        /// The whole frame, size prefix included.
        var framed: [UInt8]

        var testDescription: String { name }

        /// The frame without its size prefix.
        var frame: ByteBuffer { ByteBuffer(bytes: framed.dropFirst(4)) }
    }

    struct DecodedRecord: Sendable, Equatable {
        var offset: Int64
        var timestamp: Int64
        var key: String?
        var value: String?
        var headers: [[String]]
    }

    struct BatchVector: Sendable, CustomTestStringConvertible {
        var name: String
        var baseOffset: Int64
        var batchLength: Int32
        var partitionLeaderEpoch: Int32
        var magic: Int8
        var crc: UInt32
        var attributes: Int16
        var lastOffsetDelta: Int32
        var baseTimestamp: Int64
        var maxTimestamp: Int64
        var producerID: Int64
        var producerEpoch: Int16
        var baseSequence: Int32
        var recordCount: Int32
        var recordsSection: [UInt8]
        var bytes: [UInt8]
        /// For LZ4 batches: the decompressed records section.
        var lz4InnerDecompressed: [UInt8]?
        var decoded: [DecodedRecord]

        var testDescription: String { name }
        var buffer: ByteBuffer { ByteBuffer(bytes: bytes) }
    }

    struct LZ4FrameExamples: Sendable {
        var payload: [UInt8]
        var minimalFrame: [UInt8]
        var frameWithContentSize: [UInt8]
    }

    static let wireSamples: [WireSample] = {
        let root = object(wireSamplesJSON)
        return root.keys.sorted().map { name in
            let sample = root[name] as? [String: Any] ?? [:]
            return WireSample(
                name: name,
                apiKey: Int16(sample["api_key"] as? Int ?? -1),
                version: Int16(sample["version"] as? Int ?? -1),
                isRequest: sample["kind"] as? String == "request",
                isFlexible: sample["flexible"] as? Bool ?? false,
                framed: hex(sample["framed_hex"] as? String ?? "")
            )
        }
    }()

    static func wireSample(_ name: String) -> WireSample {
        guard let sample = wireSamples.first(where: { $0.name == name }) else {
            preconditionFailure("no wire sample named \(name)")
        }
        return sample
    }

    static let recordBatches: [BatchVector] = {
        let root = object(recordBatchesJSON)
        return root.keys.sorted().compactMap { name -> BatchVector? in
            guard let batch = root[name] as? [String: Any], batch["hex"] != nil else { return nil }
            func int(_ key: String) -> Int { (batch[key] as? NSNumber)?.intValue ?? Int.min }
            let decoded = (batch["decoded"] as? [[String: Any]] ?? []).map { record in
                DecodedRecord(
                    offset: Int64((record["offset"] as? NSNumber)?.intValue ?? -1),
                    timestamp: Int64((record["timestamp"] as? NSNumber)?.intValue ?? -1),
                    key: record["key"] as? String,
                    value: record["value"] as? String,
                    headers: record["headers"] as? [[String]] ?? []
                )
            }
            return BatchVector(
                name: name,
                baseOffset: Int64(int("baseOffset")),
                batchLength: Int32(int("batchLength")),
                partitionLeaderEpoch: Int32(int("partitionLeaderEpoch")),
                magic: Int8(int("magic")),
                crc: UInt32((batch["crc"] as? String ?? "").dropFirst(2), radix: 16) ?? 0,
                attributes: Int16(int("attributes")),
                lastOffsetDelta: Int32(int("lastOffsetDelta")),
                baseTimestamp: Int64(int("baseTimestamp")),
                maxTimestamp: Int64(int("maxTimestamp")),
                producerID: Int64(int("producerId")),
                producerEpoch: Int16(int("producerEpoch")),
                baseSequence: Int32(int("baseSequence")),
                recordCount: Int32(int("recordCount")),
                recordsSection: hex(batch["recordsSectionHex"] as? String ?? ""),
                bytes: hex(batch["hex"] as? String ?? ""),
                lz4InnerDecompressed: (batch["lz4_inner_decompressed_hex"] as? String).map(hex),
                decoded: decoded
            )
        }
    }()

    static func recordBatch(_ name: String) -> BatchVector {
        guard let batch = recordBatches.first(where: { $0.name == name }) else {
            preconditionFailure("no record batch named \(name)")
        }
        return batch
    }

    static let lz4FrameExamples: LZ4FrameExamples = {
        let examples = object(recordBatchesJSON)["lz4_frame_examples"] as? [String: Any] ?? [:]
        return LZ4FrameExamples(
            payload: hex(examples["payload_hex"] as? String ?? ""),
            minimalFrame: hex(examples["frame_minimal_hex"] as? String ?? ""),
            frameWithContentSize: hex(examples["frame_with_content_size_hex"] as? String ?? "")
        )
    }()

    private static func object(_ json: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
    }
}

/// Bytes from a hex string ("0a1b..."); whitespace is ignored.
func hex(_ string: String) -> [UInt8] {
    let digits = Array(string.filter { !$0.isWhitespace }.utf8)
    precondition(digits.count % 2 == 0, "odd hex length")
    var bytes: [UInt8] = []
    bytes.reserveCapacity(digits.count / 2)
    var index = 0
    while index < digits.count {
        guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else {
            preconditionFailure("bad hex digit in \(string)")
        }
        bytes.append(byte)
        index += 2
    }
    return bytes
}

extension ByteBuffer {
    /// The readable bytes as an array.
    var bytes: [UInt8] { Array(readableBytesView) }
}

