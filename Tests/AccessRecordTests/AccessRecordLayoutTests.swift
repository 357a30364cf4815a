@testable import AccessRecord
import Testing

/// The codec's offsets must be exactly what the schema compiler computes.
@Suite struct AccessRecordLayoutTests {
    /// The compiler's annotated view of our schema, parsed.
    struct CompiledSchema {
        var structs: [String: (dataBytes: Int, pointers: Int, fields: [String: AccessRecordLayout.Slot])] = [:]
        var enums: [String: [(name: String, ordinal: UInt16)]] = [:]
        var fieldsWithDefaults: [String] = []
        /// AccessRecord field name -> declared type as printed, e.g. ":Text;".
        var recordFieldTypes: [String: String] = [:]
    }

    static func compile() throws -> CompiledSchema {
        let output = String(decoding: try CapnpTool.run(["compile", "-ocapnp", CapnpTool.schemaPath]), as: UTF8.self)
        var schema = CompiledSchema()
        var current: (kind: Substring, name: String)?
        for line in output.split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let first = words.first else { continue }
            if first == "struct" || first == "enum", words.count >= 2 {
                let name = String(words[1])
                current = (first, name)
                if first == "struct" {
                    // struct Name @0x… {  # 72 bytes, 13 ptrs
                    let numbers = words.compactMap { Int($0) }
                    schema.structs[name] = (numbers.first ?? -1, numbers.dropFirst().first ?? -1, [:])
                } else {
                    schema.enums[name] = []
                }
                continue
            }
            guard let current, words.count >= 2, words[1].hasPrefix("@"),
                  let ordinal = UInt16(words[1].dropFirst().prefix { $0 != ";" })
            else { continue }
            let name = String(first)
            if current.kind == "enum" {
                schema.enums[current.name, default: []].append((name, ordinal))
                continue
            }
            if line.contains(" = ") { schema.fieldsWithDefaults.append(name) }
            if current.name == "AccessRecord", words.count >= 3 { schema.recordFieldTypes[name] = String(words[2]) }
            let comment = line.split(separator: "#").last.map(String.init) ?? ""
            let slot: AccessRecordLayout.Slot?
            if let range = comment.range(of: "bits[") {
                let numbers = comment[range.upperBound...]
                    .split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
                slot = numbers.count >= 2 ? .bits(numbers[0], numbers[1]) : nil
            } else if let range = comment.range(of: "ptr[") {
                slot = Int(comment[range.upperBound...].prefix { $0.isNumber }).map { .pointer($0) }
            } else {
                slot = nil
            }
            schema.structs[current.name]?.fields[name] = slot
        }
        return schema
    }

    @Test func accessRecordOffsetsMatchTheCompiler() throws {
        let schema = try Self.compile()
        let compiled = try #require(schema.structs["AccessRecord"])
        #expect(compiled.dataBytes == AccessRecordLayout.dataWords * 8)
        #expect(compiled.pointers == AccessRecordLayout.pointerWords)
        #expect(compiled.fields.count == 35)
        #expect(compiled.fields == AccessRecordLayout.fields)
    }

    @Test func variableOffsetsMatchTheCompiler() throws {
        let schema = try Self.compile()
        let compiled = try #require(schema.structs["Variable"])
        #expect(compiled.dataBytes == AccessRecordLayout.variableDataWords * 8)
        #expect(compiled.pointers == AccessRecordLayout.variablePointerWords)
        #expect(compiled.fields == AccessRecordLayout.variableFields)
    }

    /// The builder never XORs, which is only right while every default is zero.
    @Test func noFieldHasANonZeroDefault() throws {
        #expect(try Self.compile().fieldsWithDefaults == [])
    }

    @Test func enumCasesMatchTheSchema() throws {
        let enums = try Self.compile().enums
        func swiftCases<E: CaseIterable & RawRepresentable>(_: E.Type) -> [String]
        where E.RawValue == UInt16 {
            E.allCases.map { "\($0)=\($0.rawValue)" }
        }
        func schemaCases(_ name: String) -> [String] {
            (enums[name] ?? []).map { "\($0.name)=\($0.ordinal)" }
        }
        #expect(schemaCases("Method") == swiftCases(AccessRecord.Method.self))
        #expect(schemaCases("CacheStatus") == swiftCases(AccessRecord.CacheStatus.self))
        #expect(schemaCases("Protocol") == swiftCases(AccessRecord.HTTPProtocol.self))
        #expect(schemaCases("RecordKind") == swiftCases(AccessRecord.RecordKind.self))
    }

    /// Every field named by `TextField`/`DataField` is a Text/Data field at that pointer.
    @Test func fieldEnumsPointAtTheirSchemaFields() throws {
        let schema = try Self.compile()
        let fields = try #require(schema.structs["AccessRecord"]).fields
        for field in AccessRecord.TextField.allCases {
            #expect(fields["\(field)"] == .pointer(field.pointerIndex), "\(field)")
            #expect(schema.recordFieldTypes["\(field)"] == ":Text;", "\(field)")
        }
        for field in AccessRecord.DataField.allCases {
            #expect(fields["\(field)"] == .pointer(field.pointerIndex), "\(field)")
            #expect(schema.recordFieldTypes["\(field)"] == ":Data;", "\(field)")
        }
        let textAndData = AccessRecord.TextField.allCases.count + AccessRecord.DataField.allCases.count
        #expect(schema.recordFieldTypes.values.filter { $0 == ":Text;" || $0 == ":Data;" }.count == textAndData)
    }
}
