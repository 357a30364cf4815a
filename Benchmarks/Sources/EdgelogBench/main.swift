import AccessRecord
import Foundation

// edgelog-bench: the shipper's hot path (parse, encode, compress) and the consumer's (decode),
// over one generated `edge` log, each beside `lz4 -1` on the same file, in one run; and the
// consumer's aggregation (decode + PartitionAggregator) over the encoded records.
//
//   swift run -c release --package-path Benchmarks edgelog-bench \
//       [--lines N] [--file PATH] [--repetitions R] [--only parse|encode|aggregate|classify|consumer-defaults] [--detection on|off]

var lineCount = 2_000_000
var path = "/tmp/edgelog-bench/edge-2M.log"
var repetitions = 3
/// `--only parse` / `--only encode` / `--only aggregate` / `--only classify` / `--only consumer-defaults`: run one
/// stage alone, for a profiler. `--detection on|off`: only that arm of consumer-defaults (default
/// both), so that callgrind's instruction count of one process is one arm's.
var onlyStage: String?
var detectionArms = [false, true]
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--lines": lineCount = arguments.popFirst().flatMap { Int($0) } ?? lineCount
    case "--file": path = arguments.popFirst() ?? path
    case "--repetitions": repetitions = arguments.popFirst().flatMap { Int($0) } ?? repetitions
    case "--only": onlyStage = arguments.popFirst()
    case "--detection": detectionArms = arguments.popFirst() == "on" ? [true] : [false]
    default:
        print("usage: edgelog-bench [--lines N] [--file PATH] [--repetitions R] [--only parse|encode|aggregate|classify|consumer-defaults] [--detection on|off]")
        exit(64)
    }
}

try FileManager.default.createDirectory(
    atPath: (path as NSString).deletingLastPathComponent,
    withIntermediateDirectories: true
)
print("preparing \(lineCount) edge lines in \(path) ...")
try BenchmarkLog.prepare(path: path, lines: lineCount)
let log = try BenchmarkLog.load(path: path)
let stages = Stages(log: log, batchBytes: 1 << 20, sourceFile: path)
print("log: \(log.count) bytes, \(lineCount) lines; best of \(repetitions) runs per stage\n")

var results: [Measurement] = []

switch onlyStage {
case nil:
    break
case "parse":
    print(
        Report.table([
            measure("parse", repetitions: repetitions, lines: lineCount, rawBytes: log.count) {
                consume(stages.parseOnly())
            }
        ])
    )
    exit(0)
case "encode":
    print(
        Report.table([
            try measure("parse + encode", repetitions: repetitions, lines: lineCount, rawBytes: log.count) {
                consume(try stages.parseAndEncode { _ in })
            }
        ])
    )
    exit(0)
case "aggregate":
    var encoded: [[UInt8]] = []
    _ = try stages.parseAndEncode { encoded.append(Array($0)) }
    let aggregate = try AggregateStages.run(
        batches: encoded, lines: lineCount, rawBytes: log.count, repetitions: repetitions)
    print(Report.table(aggregate))
    for line in Report.notes(aggregate) { print(line) }
    exit(0)
case "classify":
    var encoded: [[UInt8]] = []
    _ = try stages.parseAndEncode { encoded.append(Array($0)) }
    let classify = try AggregateStages.classify(
        batches: encoded, lines: lineCount, rawBytes: log.count, repetitions: repetitions)
    print(Report.table(classify))
    for line in Report.notes(classify) { print(line) }
    exit(0)
case "consumer-defaults":
    var encoded: [[UInt8]] = []
    _ = try stages.parseAndEncode { encoded.append(Array($0)) }
    let defaults = try AggregateStages.consumerDefaults(
        batches: encoded, lines: lineCount, rawBytes: log.count, repetitions: repetitions, detection: detectionArms)
    print(Report.table(defaults))
    for line in Report.notes(defaults) { print(line) }
    exit(0)
default:
    print("--only: parse, encode, aggregate, classify or consumer-defaults")
    exit(64)
}

var parseSummary = (lines: 0, errors: 0, checksum: UInt64(0))
results.append(
    measure("parse", repetitions: repetitions, lines: lineCount, rawBytes: log.count) {
        parseSummary = stages.parseOnly()
    }
)
consume(parseSummary)
guard parseSummary.lines == lineCount, parseSummary.errors == 0 else {
    print("parse: \(parseSummary.lines) lines, \(parseSummary.errors) errors: expected \(lineCount), 0")
    exit(1)
}

var recordBytes = 0
var batchCount = 0
results.append(
    try measure("parse + encode", repetitions: repetitions, lines: lineCount, rawBytes: log.count) {
        batchCount = 0
        let summary = try stages.parseAndEncode { _ in batchCount += 1 }
        recordBytes = summary.recordBytes
    }
)
results[results.count - 1].note =
    "\(batchCount) batches, \(recordBytes) record bytes (\(recordBytes / lineCount) B/record)"

var packedBytes = 0
var packedBatchCount = 0
results.append(
    try measure("parse + encode + pack", repetitions: repetitions, lines: lineCount, rawBytes: log.count) {
        packedBatchCount = 0
        let summary = try stages.parseEncodeAndPack { _ in packedBatchCount += 1 }
        packedBytes = summary.recordBytes
    }
)
results[results.count - 1].note =
    "\(packedBatchCount) batches, \(packedBytes) bytes of packed values with their lengths "
    + "(\(packedBytes / lineCount) B/record)"

// Keep the batches for the stages that follow.
var batches: [[UInt8]] = []
_ = try stages.parseAndEncode { batches.append(Array($0)) }
var packedBatches: [[UInt8]] = []
_ = try stages.parseEncodeAndPack { packedBatches.append(Array($0)) }

var readSummary = (records: 0, checksum: UInt64(0))
results.append(
    try measure("read records (no LZ4)", repetitions: repetitions, lines: lineCount, rawBytes: log.count) {
        readSummary = (0, 0)
        for batch in batches {
            let summary = try batch.withUnsafeBytes { try Stages.readRecords($0) }
            readSummary.records += summary.records
            readSummary.checksum &+= summary.checksum
        }
    }
)
consume(readSummary)
guard readSummary.records == lineCount else {
    print("read: \(readSummary.records) records, expected \(lineCount)")
    exit(1)
}

var packedSummary = (records: 0, checksum: UInt64(0))
var valueDecoder = RecordValueDecoder()
results.append(
    try measure("read packed records (unpack + read, no LZ4)", repetitions: repetitions, lines: lineCount, rawBytes: log.count) {
        packedSummary = (0, 0)
        for batch in packedBatches {
            let summary = try batch.withUnsafeBytes { try Stages.readPackedRecords($0, decoder: &valueDecoder) }
            packedSummary.records += summary.records
            packedSummary.checksum &+= summary.checksum
        }
    }
)
guard packedSummary.records == lineCount, packedSummary.checksum == readSummary.checksum else {
    print("read packed: \(packedSummary.records) records, checksum differs from unpacked: \(packedSummary.checksum != readSummary.checksum)")
    exit(1)
}

results += try AggregateStages.run(batches: batches, lines: lineCount, rawBytes: log.count, repetitions: repetitions)

results += try CompressionStages.run(
    stages: stages,
    batches: batches,
    packedBatches: packedBatches,
    path: path,
    lines: lineCount,
    repetitions: repetitions,
    recordBytes: recordBytes
)

print(Report.table(results))
for line in Report.notes(results) { print(line) }
