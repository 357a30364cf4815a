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

    /// Parses, encodes and packs every line as the shipper does (`RecordValueEncoder`, one
    /// record at a time), calling `batchFull` with each batch of about `batchBytes` of packed
    /// values, each preceded by its length as a LEB128 varint (as in a Kafka record: a packed
    /// message does not carry its length). Returns (lines, bytes of the batches).
    func parseEncodeAndPack(_ batchFull: (UnsafeRawBufferPointer) -> Void) throws -> (lines: Int, recordBytes: Int) {
        var encoder = ParsedLineEncoder(parser: parser)
        var scratch = AccessRecordBuilder(reservingCapacity: 64 << 10)
        var values = RecordValueEncoder(encoding: .packed)
        var batch = [UInt8]()
        batch.reserveCapacity(batchBytes + (256 << 10))
        var origin = LineOrigin(edge: "edge-bench-1.fra", sourceFile: sourceFile)
        var lines = 0
        var recordBytes = 0
        _ = try log.withUnsafeBytes { buffer in
            try LineSplitter().forEachLine(in: buffer) { line in
                origin.fileOffset = UInt64(line.lowerBound)
                scratch.removeAll()
                let encoded = try encoder.encodeLine(buffer, line: line, origin: origin, into: &scratch)
                try scratch.withUnsafeBytes { record in
                    try values.withValue(of: UnsafeRawBufferPointer(rebasing: record[encoded.message])) { value in
                        var length = value.count
                        while length >= 0x80 {
                            batch.append(UInt8(truncatingIfNeeded: length) | 0x80)
                            length >>= 7
                        }
                        batch.append(UInt8(length))
                        batch.append(contentsOf: value)
                    }
                }
                lines += 1
                if batch.count >= batchBytes {
                    recordBytes += batch.count
                    batch.withUnsafeBytes(batchFull)
                    batch.removeAll(keepingCapacity: true)
                }
            }
        }
        if !batch.isEmpty {
            recordBytes += batch.count
            batch.withUnsafeBytes(batchFull)
        }
        return (lines, recordBytes)
    }

    /// Reads every length-prefixed packed value of `batch` (`parseEncodeAndPack`) as the
    /// consumer does: unpack into reused storage, read in place. Returns (records, checksum).
    static func readPackedRecords(
        _ batch: UnsafeRawBufferPointer,
        decoder: inout RecordValueDecoder
    ) throws -> (records: Int, checksum: UInt64) {
        var offset = 0
        var records = 0
        var checksum: UInt64 = 0
        while offset < batch.count {
            var length = 0
            var shift = 0
            while true {
                let byte = batch[offset]
                offset += 1
                length |= Int(byte & 0x7F) << shift
                if byte < 0x80 { break }
                shift += 7
            }
            let value = UnsafeRawBufferPointer(rebasing: batch[offset..<(offset + length)])
            checksum &+= try decoder.withReader(value) { reader in summary(of: reader) }
            records += 1
            offset += length
        }
        return (records, checksum)
    }

    @inline(__always)
    static func summary(of reader: AccessRecordReader) -> UInt64 {
        UInt64(bitPattern: reader.timeUs) &+ UInt64(reader.status) &+ reader.bodyBytesSent
            &+ reader.requestTimeUs &+ UInt64(reader.cacheStatus.rawValue)
            &+ UInt64(reader.text(.site).count &+ reader.text(.path).count &+ reader.data(.clientIp).count)
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
            checksum &+= summary(of: reader)
            records += 1
            offset += length
        }
        return (records, checksum)
    }
}
