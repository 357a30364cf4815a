import Foundation
import HyperLogLog
import Testing

/// `Fixtures/hll-vectors.json`: golden values produced by the real extension (PostgreSQL 15.20,
/// `postgresql-15-hll` 2.17), each with the SQL that produced it. Layout: §9 of the reference README
/// (`/work/shared/reference/hll/README.md` when this was written; the fixture is a verbatim copy).
struct ReferenceVectors: Decodable, Sendable {
    struct HashVector: Decodable, Sendable {
        var function: String
        var sql: String
        var inputHex: String
        var seed: Int
        var result: String
        var resultHex: String
    }

    struct Parameters: Decodable, Sendable {
        var log2m: Int
        var regwidth: Int
        var expthresh: Int
        var sparseon: Int

        func make() throws -> HLLParameters {
            try HLLParameters(log2m: log2m, regwidth: regwidth, expthresh: expthresh, sparseOn: sparseon == 1)
        }
    }

    /// How a vector's value was built in SQL.
    struct Inputs: Decodable, Sendable {
        /// `none`, `raw` (values added unhashed as `::hll_hashval`), `ipv4text` (see `IPv4TextSeries`)
        /// or `registers` (hand-built bytes in the vector's `inputHex`).
        var kind: String
        var values: [String]?
        var from: Int?
        var to: Int?
    }

    /// `hll_cardinality`'s result: a number, SQL NULL, or NaN (the JSON string `"NaN"`).
    enum Cardinality: Decodable, Sendable, Equatable {
        case number(Double)
        case null
        case notANumber

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let text = try? container.decode(String.self) {
                guard text == "NaN" else {
                    throw DecodingError.dataCorruptedError(in: container, debugDescription: "cardinality string \(text)")
                }
                self = .notANumber
            } else {
                self = .number(try container.decode(Double.self))
            }
        }
    }

    /// A value from `hll[]` or `union[]`.
    struct SketchVector: Decodable, Sendable {
        var name: String
        var sql: String
        var params: Parameters?
        var inputs: Inputs?
        var hex: String
        var type: String
        var byteLength: Int
        var cardinality: Cardinality
        var inputHex: String?
        var reserializedByHllUnionWithEmpty: String?
        /// Union operands by name (`a ∪ b`, or `hll_union_agg` over `operands`).
        var a: String?
        var b: String?
        var operands: [String]?
    }

    struct ErrorVector: Decodable, Sendable {
        var what: String
        var sql: String
        var error: String?
    }

    struct FoldVector: Decodable, Sendable {
        var n: Int
        var equal: Bool
    }

    var hash: [HashVector]
    var hll: [SketchVector]
    var union: [SketchVector]
    var errors: [ErrorVector]
    var hllAddFoldEqualsHllAddAgg: [FoldVector]

    /// Loaded once per test process; a missing or malformed fixture fails every test that asks.
    static let loaded: Result<ReferenceVectors, any Error> = Result {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // Support
            .deletingLastPathComponent()  // HyperLogLogTests
            .appendingPathComponent("Fixtures/hll-vectors.json")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(ReferenceVectors.self, from: Data(contentsOf: url))
    }

    static func load() throws -> ReferenceVectors {
        try loaded.get()
    }

    /// The `hll[]` vector called `name`.
    func sketch(named name: String) throws -> SketchVector {
        guard let vector = hll.first(where: { $0.name == name }) else {
            throw FixtureError.missing(name)
        }
        return vector
    }
}

enum FixtureError: Error, CustomStringConvertible {
    case missing(String)
    case badHex(String)
    case badInteger(String)
    case unsupportedInputs(String)

    var description: String {
        switch self {
        case .missing(let name): "no vector named \(name)"
        case .badHex(let text): "not hex: \(text.prefix(40))"
        case .badInteger(let text): "not an Int64: \(text)"
        case .unsupportedInputs(let name): "vector \(name) has inputs this test cannot rebuild"
        }
    }
}

/// Lowercase or uppercase hex without a prefix, as the fixture writes bytes.
func bytes(fromHex hex: String) throws -> [UInt8] {
    let digits = Array(hex.utf8)
    guard digits.count % 2 == 0 else { throw FixtureError.badHex(hex) }
    var result: [UInt8] = []
    result.reserveCapacity(digits.count / 2)
    for index in stride(from: 0, to: digits.count, by: 2) {
        guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else {
            throw FixtureError.badHex(hex)
        }
        result.append(high << 4 | low)
    }
    return result
}

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}

private func hexValue(_ digit: UInt8) -> UInt8? {
    switch digit {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
    default: nil
    }
}

/// The vectors' `ipv4text` series: `hll_hash_text(format('10.%s.%s.%s', (i>>16)&255, (i>>8)&255, i&255))`.
enum IPv4TextSeries {
    /// The largest `i` any vector uses.
    static let maximum = 100_000

    /// Hashes for i = 0…maximum, computed once (index i holds the hash of i).
    static let hashes: [Int64] = (0...maximum).map(hash(of:))

    static func hash(of i: Int) -> Int64 {
        let text = "10.\((i >> 16) & 255).\((i >> 8) & 255).\(i & 255)"
        return Array(text.utf8).withUnsafeBytes { Murmur3.hllHash($0) }
    }
}

extension ReferenceVectors.SketchVector {
    /// The hash values this vector added, in the order SQL added them (`raw` and `ipv4text` only).
    func addedHashes() throws -> [Int64] {
        switch inputs?.kind {
        case "none":
            return []
        case "raw":
            return try (inputs?.values ?? []).map { text in
                guard let value = Int64(text) else { throw FixtureError.badInteger(text) }
                return value
            }
        case "ipv4text":
            guard let from = inputs?.from, let to = inputs?.to, to <= IPv4TextSeries.maximum else {
                throw FixtureError.unsupportedInputs(name)
            }
            return Array(IPv4TextSeries.hashes[from...to])
        default:
            throw FixtureError.unsupportedInputs(name)
        }
    }

    /// The serialized representation's name as the fixture spells it (`EMPTY`, `SPARSE`, …).
    static func typeName(of serialized: [UInt8]) -> String {
        guard let first = serialized.first, let representation = HLLRepresentation(rawValue: first & 0x0F) else {
            return "?"
        }
        return representation.description
    }
}

/// A deterministic generator (SplitMix64) so shuffles and random inputs repeat across runs.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension ReferenceVectors.SketchVector {
    /// This `hll[]` vector's value rebuilt the way SQL built it: EMPTY plus every added hash, or for
    /// hand-built `registers` vectors the decoded input bytes.
    func rebuild() throws -> HyperLogLog {
        if inputs?.kind == "registers" {
            return try HyperLogLog(serialized: bytes(fromHex: inputHex ?? ""))
        }
        guard let params else { throw FixtureError.unsupportedInputs(name) }
        var sketch = HyperLogLog(parameters: try params.make())
        for hash in try addedHashes() {
            sketch.add(hash: hash)
        }
        return sketch
    }
}

/// Checks `sketch` against what the extension produced for `vector`: exact bytes, representation,
/// length, the text literal, a bit-identical cardinality, and that decoding the extension's bytes
/// gives back the same sketch and bytes.
func expectMatches(_ sketch: HyperLogLog, _ vector: ReferenceVectors.SketchVector, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let serialized = sketch.serialized()
    let name = vector.name
    #expect(hex(serialized) == vector.hex, "\(name): bytes", sourceLocation: sourceLocation)
    #expect(ReferenceVectors.SketchVector.typeName(of: serialized) == vector.type, "\(name): type", sourceLocation: sourceLocation)
    #expect(sketch.serializedRepresentation.description == vector.type, "\(name)", sourceLocation: sourceLocation)
    #expect(serialized.count == vector.byteLength, "\(name): length", sourceLocation: sourceLocation)
    #expect(sketch.hexLiteral == "\\x" + vector.hex, "\(name): literal", sourceLocation: sourceLocation)
    switch vector.cardinality {
    case .number(let expected):
        #expect(
            sketch.cardinality.bitPattern == expected.bitPattern,
            "\(name): cardinality \(sketch.cardinality) want \(expected)", sourceLocation: sourceLocation
        )
    case .notANumber:
        #expect(sketch.cardinality.isNaN, "\(name): cardinality \(sketch.cardinality) want NaN", sourceLocation: sourceLocation)
    case .null:
        Issue.record("\(name): SQL NULL cardinality (UNDEFINED) is not modelled", sourceLocation: sourceLocation)
    }
    let decoded = try HyperLogLog(serialized: bytes(fromHex: vector.hex))
    #expect(decoded == sketch, "\(name): decoding the extension's bytes", sourceLocation: sourceLocation)
    #expect(hex(decoded.serialized()) == vector.hex, "\(name): round trip", sourceLocation: sourceLocation)
}
