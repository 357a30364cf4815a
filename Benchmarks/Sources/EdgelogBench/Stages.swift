import AccessRecord
import NginxLog
import RequestEncoding

/// The shipper's and consumer's per-line work, stage by stage, over one in-memory log.
struct Stages {
    let log: [UInt8]
    let parser = LogParser(format: .edge)
    /// Records are cut into batches of about this many bytes, as the shipper sends them.
    let batchBytes: Int
    let sourceFile: String

    /// Parses every line. Returns (lines, parse errors, checksum).
    func parseOnly() -> (lines: Int, errors: Int, checksum: UInt64) {
        var parsed = ParsedLine()
        var lines = 0
        var errors = 0
        var checksum: UInt64 = 0
        _ = log.withUnsafeBytes { buffer in
            LineSplitter().forEachLine(in: buffer) { line in
                if !parser.parse(buffer, line: line, into: &parsed) { errors += 1 }
                checksum &+= UInt64(parsed.status) &+ UInt64(parsed.path.range.count)
                lines += 1
            }
        }
        return (lines, errors, checksum)
    }

    /// Parses and encodes every line, calling `batchFull` with each batch of framed records
    /// (the last one too). Returns (lines, bytes of records).
    func parseAndEncode(_ batchFull: (UnsafeRawBufferPointer) -> Void) throws -> (lines: Int, recordBytes: Int) {
        var encoder = ParsedLineEncoder(parser: parser)
        var builder = AccessRecordBuilder(reservingCapacity: batchBytes + (256 << 10))
        var origin = LineOrigin(edge: "edge-bench-1.fra", sourceFile: sourceFile)
        var lines = 0
        var recordBytes = 0
        _ = try log.withUnsafeBytes { buffer in
            try LineSplitter().forEachLine(in: buffer) { line in
                origin.fileOffset = UInt64(line.lowerBound)
                try encoder.encodeLine(buffer, line: line, origin: origin, into: &builder)
                lines += 1
                if builder.byteCount >= batchBytes {
                    recordBytes += builder.byteCount
                    builder.withUnsafeBytes(batchFull)
                    builder.removeAll()
                }
            }
        }
        if builder.byteCount > 0 {
            recordBytes += builder.byteCount
            builder.withUnsafeBytes(batchFull)
        }
        return (lines, recordBytes)
    }

    /// Reads every record of `batch` in place, touching what the consumer aggregates.
    /// Returns (records, checksum).
    static func readRecords(_ batch: UnsafeRawBufferPointer) throws -> (records: Int, checksum: UInt64) {
        var offset = 0
        var records = 0
        var checksum: UInt64 = 0
        while offset < batch.count {
            let rest = UnsafeRawBufferPointer(rebasing: batch[offset...])
            guard let length = try CapnpFraming.nextMessageLength(in: rest), length <= rest.count else {
                throw CapnpError.truncated(needed: 8, available: rest.count)
            }
            let reader = try AccessRecordReader(UnsafeRawBufferPointer(rebasing: rest[..<length]))
            checksum &+=
                UInt64(bitPattern: reader.timeUs) &+ UInt64(reader.status) &+ reader.bodyBytesSent
                &+ reader.requestTimeUs &+ UInt64(reader.cacheStatus.rawValue)
            checksum &+= UInt64(reader.text(.site).count &+ reader.text(.path).count &+ reader.data(.clientIp).count)
            records += 1
            offset += length
        }
        return (records, checksum)
    }
}
