import AccessRecord
import Foundation
import LZ4Frame
import Metrics
import NginxLog
import RequestEncoding

/// The in-process pipeline of the demo: parse, encode, compress, then decode every record.
public struct DemoPipeline {
    var format: LogFormat
    var siteLabel: String?
    var batchBytes: Int
    var recordsCounter: Counter
    var batchesCounter: Counter

    /// - Throws: `DemoError.batchTooSmall` below 4096 bytes (one record must fit a batch).
    public init(
        format: LogFormat, siteLabel: String?, batchBytes: Int, recordsCounter: Counter, batchesCounter: Counter
    ) throws(DemoError) {
        guard batchBytes >= 4096 else { throw .batchTooSmall(batchBytes) }
        self.format = format
        self.siteLabel = siteLabel
        self.batchBytes = batchBytes
        self.recordsCounter = recordsCounter
        self.batchesCounter = batchesCounter
    }

    /// Runs the whole file through the pipeline and decodes every record back.
    public func process(file path: String) throws -> DemoReport {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw DemoError.unreadable(path) }
        defer { try? handle.close() }
        var encoder = ParsedLineEncoder(parser: LogParser(format: format, siteLabel: siteLabel))
        var builder = AccessRecordBuilder(reservingCapacity: batchBytes + 64 * 1024)
        let compressor = try LZ4FrameEncoder()
        var batches = [[UInt8]]()
        var report = DemoReport()
        let splitter = LineSplitter()
        let origin = LineOrigin(edge: ProcessInfo.processInfo.hostName, sourceFile: path)
        var pending = [UInt8]()
        var fileOffset = 0

        func flush() throws {
            guard builder.byteCount > 0 else { return }
            var frame = [UInt8]()
            try builder.withUnsafeBytes { _ = try compressor.compress($0, into: &frame) }
            report.encodedBytes += builder.byteCount
            report.compressedBytes += frame.count
            batches.append(frame)
            builder.removeAll()
        }

        while true {
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            let atEnd = chunk.isEmpty
            pending.append(contentsOf: chunk)
            if atEnd, !pending.isEmpty, pending.last != 0x0A { pending.append(0x0A) }
            let tail = try pending.withUnsafeBytes { raw in
                try splitter.forEachLine(in: raw) { line in
                    var lineOrigin = origin
                    lineOrigin.fileOffset = UInt64(fileOffset + line.lowerBound)
                    let encoded = try encoder.encodeLine(raw, line: line, origin: lineOrigin, into: &builder)
                    report.lines += 1
                    if encoded.parseError != nil { report.parseErrors += 1 }
                    if builder.byteCount >= batchBytes { try flush() }
                }
            }
            report.rawBytes += tail.start
            fileOffset += tail.start
            pending.removeFirst(tail.start)
            if atEnd { break }
        }
        try flush()
        report.batches = batches.count
        batchesCounter.increment(by: batches.count)

        let decompressor = try LZ4FrameDecoder()
        var plain = [UInt8]()
        for frame in batches {
            plain.removeAll(keepingCapacity: true)
            _ = try decompressor.decompress(frame, into: &plain, maxOutputBytes: batchBytes * 4 + (1 << 20))
            var count = 0
            try plain.withUnsafeBytes { raw in
                for range in try CapnpFraming.messageRanges(in: raw) {
                    let reader = try AccessRecordReader(UnsafeRawBufferPointer(rebasing: raw[range]))
                    count += 1
                    if reader.parseError { continue }
                    let site = reader.string(.site)
                    var totals = report.sites[site] ?? DemoReport.SiteTotals()
                    totals.requests += 1
                    totals.bodyBytes += reader.bodyBytesSent
                    if reader.cacheStatus == .hit { totals.cacheHits += 1 }
                    if reader.status >= 500 && reader.status < 600 { totals.serverErrors += 1 }
                    report.sites[site] = totals
                }
            }
            report.records += count
            recordsCounter.increment(by: count)
        }
        return report
    }
}
