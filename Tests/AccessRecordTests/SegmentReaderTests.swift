@testable import AccessRecord
import Foundation
import Testing

/// The schema-agnostic layer against the golden vectors of the reference folder, which the real
/// `capnp` tool made for the SAMPLE schema (`sample.capnp`, not ours).
@Suite struct SegmentReaderTests {
    struct Vectors: Decodable {
        struct Case: Decodable {
            var name: String
            var root: String
            var binary_hex: String
            var canonical_hex: String?
            var decoded_json: JSONValue
        }
        var cases: [Case]
    }

    /// Offsets copied from `sample.layout.txt` (`capnp compile -ocapnp sample.capnp`).
    enum Sample {
        static let recordDataWords = 7, recordPointers = 10
        static let timeUsByte = 0         // bits[0, 64)
        static let methodByte = 8         // bits[64, 80)
        static let statusByte = 10        // bits[80, 96)
        static let keepAliveBit = 248     // bits[248, 249), default true: stored XOR 1
        static let timezoneOffsetByte = 32  // bits[256, 272)
        static let clientIp = 0, host = 1, path = 3, userAgent = 6, rawLine = 7  // ptr[n]
        static let batchRecords = 0, batchSource = 1
    }

    static func vectors() throws -> [Vectors.Case] {
        let url = CapnpTool.referenceFolder.appendingPathComponent("vectors.json")
        return try JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url)).cases
    }

    static func bytes(hex: String) -> [UInt8] {
        let digits = Array(hex.utf8).map { $0 <= 57 ? $0 - 48 : ($0 | 0x20) - 87 }
        return stride(from: 0, to: digits.count - 1, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
    }

    /// The fields this test checks, in the shape of capnp's JSON (absent pointers omitted).
    static func summary(of record: StructView, in segment: SegmentReader) throws -> [String: JSONValue] {
        var out: [String: JSONValue] = [
            "timeUs": .string(String(record.load(UInt64.self, atByte: Sample.timeUsByte))),
            "status": .int(Int64(record.load(UInt16.self, atByte: Sample.statusByte))),
            "keepAlive": .bool(!record.bit(Sample.keepAliveBit)),
            "timezoneOffsetMin": .int(Int64(record.load(Int16.self, atByte: Sample.timezoneOffsetByte))),
        ]
        for (name, index) in [("host", Sample.host), ("path", Sample.path), ("userAgent", Sample.userAgent)] {
            if let word = record.pointerWord(index), let range = try segment.text(at: word) {
                out[name] = .string(String(decoding: segment.bytes[range], as: UTF8.self))
            }
        }
        for (name, index) in [("clientIp", Sample.clientIp), ("rawLine", Sample.rawLine)] {
            if let word = record.pointerWord(index), let range = try segment.byteList(at: word) {
                out[name] = .array(segment.bytes[range].map { .int(Int64($0)) })
            }
        }
        return out
    }

    static func expectedSummary(_ json: JSONValue) -> [String: JSONValue] {
        guard case .object(let members) = json else { return [:] }
        let keys = ["timeUs", "status", "keepAlive", "timezoneOffsetMin", "host", "path", "userAgent", "clientIp",
                    "rawLine"]
        var out = members.filter { keys.contains($0.key) }
        // capnp prints every data field; an empty record prints defaults. Absent pointers stay absent.
        out["timeUs"] = out["timeUs"] ?? .string("0")
        return out
    }

    static func read(_ vector: Vectors.Case, segment: SegmentReader) throws -> [[String: JSONValue]] {
        let root = try #require(try segment.structure(at: 0))
        if vector.root == "Record" { return [try summary(of: root, in: segment)] }
        let word = try #require(root.pointerWord(Sample.batchRecords))
        let list = try #require(try segment.compositeList(at: word))
        // Element sizes come from the tag: canonical lists are trimmed below the schema's 7 + 10.
        #expect(list.dataWords <= Sample.recordDataWords && list.pointerWords <= Sample.recordPointers)
        return try (0..<list.count).map { try summary(of: list.element($0), in: segment) }
    }

    static func expected(_ vector: Vectors.Case) -> [[String: JSONValue]] {
        if vector.root == "Record" { return [expectedSummary(vector.decoded_json)] }
        guard case .object(let batch) = vector.decoded_json, case .array(let records)? = batch["records"] else {
            return []
        }
        return records.map(expectedSummary)
    }

    @Test func framedVectorsReadAsTheToolDecodedThem() throws {
        var checked = 0
        for vector in try Self.vectors() where vector.name != "typical_multi_segment" {
            let message = Self.bytes(hex: vector.binary_hex)
            try message.withUnsafeBytes { raw in
                let segment = SegmentReader(bytes: try CapnpFraming.singleSegment(of: raw))
                #expect(try Self.read(vector, segment: segment) == Self.expected(vector), "\(vector.name)")
            }
            checked += 1
        }
        #expect(checked == 9)
    }

    /// Canonical form: no segment table, trimmed sections (fewer words than the schema), and a
    /// zero-sized root written with offset −1.
    @Test func canonicalVectorsReadTheSame() throws {
        for vector in try Self.vectors() {
            guard let hex = vector.canonical_hex else { continue }
            let got = try Self.bytes(hex: hex).withUnsafeBytes { raw throws -> [[String: JSONValue]] in
                try Self.read(vector, segment: SegmentReader(bytes: raw))
            }
            #expect(got == Self.expected(vector), "\(vector.name)")
        }
    }

    @Test func multiSegmentVectorIsRejected() throws {
        let vector = try #require(try Self.vectors().first { $0.name == "typical_multi_segment" })
        let message = Self.bytes(hex: vector.binary_hex)
        #expect(throws: CapnpError.multiSegmentUnsupported(segmentCount: 7)) {
            try message.withUnsafeBytes { raw in _ = try CapnpFraming.singleSegment(of: raw) }
        }
    }

    @Test func signedOffsets() {
        #expect(SegmentReader.signedOffset(0xffff_fffc) == -1)
        #expect(SegmentReader.signedOffset(0x0000_0004) == 1)
        #expect(SegmentReader.signedOffset(0x7fff_fffc) == (1 << 29) - 1)
        #expect(SegmentReader.signedOffset(0x8000_0000) == -(1 << 29))
    }
}
