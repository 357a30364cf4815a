import AccessRecord
import Foundation
import LZ4Frame

/// The LZ4 stages: our record batches compressed and decoded, and `lz4 -1` on the raw log as
/// the reference, all in the same run.
enum CompressionStages {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func run(
        stages: Stages,
        batches: [[UInt8]],
        packedBatches: [[UInt8]],
        path: String,
        lines: Int,
        repetitions: Int,
        recordBytes: Int
    ) throws -> [Measurement] {
        let log = stages.log
        var results: [Measurement] = []
        let encoder = try LZ4FrameEncoder()
        let decoder = try LZ4FrameDecoder()

        // Our batches, compressed one frame per batch (what the shipper puts in a Kafka batch).
        var frames: [UInt8] = []
        frames.reserveCapacity(recordBytes / 2)
        var frameRanges: [Range<Int>] = []
        var compress = try measure(
            "LZ4 compress record batches",
            repetitions: repetitions,
            lines: lines,
            rawBytes: log.count
        ) {
            frames.removeAll(keepingCapacity: true)
            frameRanges.removeAll(keepingCapacity: true)
            for batch in batches {
                let start = frames.count
                try encoder.compress(batch, into: &frames)
                frameRanges.append(start..<frames.count)
            }
        }
        let compressedBytes = frames.count
        compress.note =
            "\(batches.count) frames, \(recordBytes) → \(compressedBytes) bytes "
            + "(ratio \(Report.fixed(Double(recordBytes) / Double(compressedBytes), 2)) of records, "
            + "\(Report.fixed(Double(log.count) / Double(compressedBytes), 2)) of raw log); "
            + "\(Report.fixed(Double(recordBytes) / 1e6 / compress.wallSeconds, 0)) MB/s of record bytes"
        results.append(compress)

        // The shipper's whole per-line path on one core: parse, encode, and compress each batch.
        var shipped = 0
        var frame: [UInt8] = []
        results.append(
            try measure("parse + encode + compress", repetitions: repetitions, lines: lines, rawBytes: log.count) {
                shipped = 0
                _ = try stages.parseAndEncode { batch in
                    frame.removeAll(keepingCapacity: true)
                    _ = try? encoder.compress(batch, into: &frame)
                    shipped += frame.count
                }
            }
        )
        guard shipped == compressedBytes else {
            throw Failure(description: "compressed \(shipped) bytes inline but \(compressedBytes) in the batch stage")
        }

        // The consumer's side: decompress each frame and read every record in place.
        var plain: [UInt8] = []
        plain.reserveCapacity(stages.batchBytes + (1 << 20))
        var decompressedBytes = 0
        results.append(
            try measure("LZ4 decompress batches", repetitions: repetitions, lines: lines, rawBytes: log.count) {
                decompressedBytes = 0
                try frames.withUnsafeBytes { all in
                    for range in frameRanges {
                        plain.removeAll(keepingCapacity: true)
                        decompressedBytes += try decoder.decompress(
                            UnsafeRawBufferPointer(rebasing: all[range]),
                            into: &plain,
                            maxOutputBytes: 64 << 20
                        )
                    }
                }
            }
        )
        guard decompressedBytes == recordBytes else {
            throw Failure(description: "decompressed \(decompressedBytes) bytes, expected \(recordBytes)")
        }
        var records = 0
        var checksum: UInt64 = 0
        results.append(
            try measure(
                "decode (LZ4 decompress + read records)",
                repetitions: repetitions,
                lines: lines,
                rawBytes: log.count
            ) {
                records = 0
                try frames.withUnsafeBytes { all in
                    for range in frameRanges {
                        plain.removeAll(keepingCapacity: true)
                        try decoder.decompress(
                            UnsafeRawBufferPointer(rebasing: all[range]),
                            into: &plain,
                            maxOutputBytes: 64 << 20
                        )
                        let summary = try plain.withUnsafeBytes { try Stages.readRecords($0) }
                        records += summary.records
                        checksum &+= summary.checksum
                    }
                }
            }
        )
        consume(checksum)
        guard records == lines else { throw Failure(description: "decoded \(records) records, expected \(lines)") }

        // The same for packed values (what the shipper sends since the wire got smaller).
        let packedRecordBytes = packedBatches.reduce(0) { $0 + $1.count }
        var packedFrames: [UInt8] = []
        packedFrames.reserveCapacity(packedRecordBytes)
        var packedRanges: [Range<Int>] = []
        var compressPacked = try measure(
            "LZ4 compress packed batches",
            repetitions: repetitions,
            lines: lines,
            rawBytes: log.count
        ) {
            packedFrames.removeAll(keepingCapacity: true)
            packedRanges.removeAll(keepingCapacity: true)
            for batch in packedBatches {
                let start = packedFrames.count
                try encoder.compress(batch, into: &packedFrames)
                packedRanges.append(start..<packedFrames.count)
            }
        }
        compressPacked.note =
            "\(packedBatches.count) frames, \(packedRecordBytes) → \(packedFrames.count) bytes "
            + "(\(Report.fixed(Double(packedFrames.count) / Double(lines), 1)) B/line; unpacked: "
            + "\(Report.fixed(Double(compressedBytes) / Double(lines), 1)) B/line)"
        results.append(compressPacked)

        var shippedPacked = 0
        results.append(
            try measure(
                "parse + encode + pack + compress",
                repetitions: repetitions,
                lines: lines,
                rawBytes: log.count
            ) {
                shippedPacked = 0
                _ = try stages.parseEncodeAndPack { batch in
                    frame.removeAll(keepingCapacity: true)
                    _ = try? encoder.compress(batch, into: &frame)
                    shippedPacked += frame.count
                }
            }
        )
        guard shippedPacked == packedFrames.count else {
            throw Failure(description: "compressed \(shippedPacked) packed bytes inline but \(packedFrames.count) in the batch stage")
        }

        var packedRecords = 0
        var valueDecoder = RecordValueDecoder()
        results.append(
            try measure(
                "decode packed (LZ4 decompress + unpack + read)",
                repetitions: repetitions,
                lines: lines,
                rawBytes: log.count
            ) {
                packedRecords = 0
                try packedFrames.withUnsafeBytes { all in
                    for range in packedRanges {
                        plain.removeAll(keepingCapacity: true)
                        try decoder.decompress(
                            UnsafeRawBufferPointer(rebasing: all[range]),
                            into: &plain,
                            maxOutputBytes: 64 << 20
                        )
                        let summary = try plain.withUnsafeBytes {
                            try Stages.readPackedRecords($0, decoder: &valueDecoder)
                        }
                        packedRecords += summary.records
                        checksum &+= summary.checksum
                    }
                }
            }
        )
        consume(checksum)
        guard packedRecords == lines else {
            throw Failure(description: "decoded \(packedRecords) packed records, expected \(lines)")
        }

        // References on the raw text: liblz4 through LZ4Frame in 1 MiB chunks, and the lz4 CLI.
        var rawFrames: [UInt8] = []
        rawFrames.reserveCapacity(log.count / 2)
        var rawChunks = try measure(
            "reference: LZ4Frame on raw log, 1 MiB chunks",
            repetitions: repetitions,
            lines: lines,
            rawBytes: log.count
        ) {
            rawFrames.removeAll(keepingCapacity: true)
            try log.withUnsafeBytes { raw in
                var start = 0
                while start < raw.count {
                    let end = min(start + (1 << 20), raw.count)
                    try encoder.compress(UnsafeRawBufferPointer(rebasing: raw[start..<end]), into: &rawFrames)
                    start = end
                }
            }
        }
        let rawRatio = Report.fixed(Double(log.count) / Double(rawFrames.count), 2)
        rawChunks.note = "\(log.count) → \(rawFrames.count) bytes (ratio \(rawRatio))"
        results.append(rawChunks)

        let cliSize = try lz4CLISize(path: path)
        let cliSize64K = try lz4CLISize(path: path, extraArguments: ["-B4"])
        var cli = try measure(
            "reference: lz4 -1 CLI on raw log",
            repetitions: repetitions,
            lines: lines,
            rawBytes: log.count
        ) {
            try runLZ4CLI(path: path, output: FileHandle(forWritingAtPath: "/dev/null"))
        }
        cli.cpuSeconds = .nan  // a child process: only its wall time is measured
        cli.note =
            "\(log.count) → \(cliSize) bytes (ratio \(Report.fixed(Double(log.count) / Double(cliSize), 2))); "
            + "our record batches compress to \(compressedBytes) bytes = "
            + "\(Report.fixed(Double(compressedBytes) / Double(cliSize), 2))× lz4 -1 of the raw text, "
            + "packed ones to \(packedFrames.count) bytes = "
            + "\(Report.fixed(Double(packedFrames.count) / Double(cliSize), 2))×; "
            + "with 64 KiB blocks as in our frames, lz4 -1 -B4 gives \(cliSize64K) bytes: "
            + "unpacked \(Report.fixed(Double(compressedBytes) / Double(cliSize64K), 2))×, "
            + "packed \(Report.fixed(Double(packedFrames.count) / Double(cliSize64K), 2))×"
        results.append(cli)
        return results
    }

    /// `lz4 -1 [extraArguments] -c path` with stdout to `output`.
    static func runLZ4CLI(path: String, output: FileHandle?, extraArguments: [String] = []) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/lz4")
        process.arguments = ["-1"] + extraArguments + ["-c", path]
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "lz4 -1 -c \(path) exited \(process.terminationStatus)")
        }
    }

    /// Size of `lz4 -1 [extraArguments] -c path`, written to a scratch file beside the log.
    static func lz4CLISize(path: String, extraArguments: [String] = []) throws -> Int {
        let outputPath = path + ".lz4-bench"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let handle = FileHandle(forWritingAtPath: outputPath)
        try runLZ4CLI(path: path, output: handle, extraArguments: extraArguments)
        try handle?.close()
        let attributes = try FileManager.default.attributesOfItem(atPath: outputPath)
        return (attributes[.size] as? NSNumber)?.intValue ?? 0
    }
}
