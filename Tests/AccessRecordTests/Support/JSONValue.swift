import AccessRecord
import Foundation

/// A JSON document compared structurally (no NSNumber/Bool ambiguity).
enum JSONValue: Equatable, Decodable, CustomStringConvertible {
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Serialised for `capnp convert json:…`. capnp 0.9.2's JSON parser mis-decodes `\uXXXX`
    /// escapes (`"\u00fc"` comes back as `R`, `"\u007f"` as `u`: measured), so strings are written
    /// as raw UTF-8 and only `"`, `\`, tab, newline and carriage return are escaped. Test inputs
    /// for this path therefore avoid other control characters.
    var capnpInput: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .double(let value): return String(value)
        case .string(let value):
            var out = "\""
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\t": out += "\\t"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        case .array(let values): return "[" + values.map(\.capnpInput).joined(separator: ", ") + "]"
        case .object(let members):
            return "{" + members.sorted { $0.key < $1.key }
                .map { JSONValue.string($0.key).capnpInput + ": " + $0.value.capnpInput }
                .joined(separator: ", ") + "}"
        }
    }

    var description: String { capnpInput }

    /// The JSON `capnp convert binary:json` prints for `record` when every non-empty Text/Data
    /// field is set and every empty one is absent (how `AccessRecordBuilder.append` writes;
    /// extras variables always carry both texts).
    ///
    /// Conventions of capnp's JSON codec (measured, see the reference README §9): 64-bit integers
    /// as strings, Data as an array of byte values, enums by name, null pointers omitted, every
    /// data-section field present.
    static func capnpJSON(of record: AccessRecord) -> JSONValue {
        var members: [String: JSONValue] = [
            "timeUs": .string(String(record.timeUs)),
            "method": .string(name(of: record.method)),
            "protocol": .string(name(of: record.protocol)),
            "status": .int(Int64(record.status)),
            "bodyBytesSent": .string(String(record.bodyBytesSent)),
            "bytesSent": .string(String(record.bytesSent)),
            "requestLength": .string(String(record.requestLength)),
            "requestTimeUs": .string(String(record.requestTimeUs)),
            "upstreamResponseTimeUs": .string(String(record.upstreamResponseTimeUs)),
            "cacheStatus": .string(name(of: record.cacheStatus)),
            "parseError": .bool(record.parseError),
            "truncated": .bool(record.truncated),
            "requestTimeAbsent": .bool(record.requestTimeAbsent),
            "fileOffset": .string(String(record.fileOffset)),
            "utcOffsetMin": .int(Int64(record.utcOffsetMin)),
            "kind": .string(name(of: record.kind)),
            "shippedLines": .string(String(record.shippedLines)),
            "lostLines": .string(String(record.lostLines)),
            "lostBytes": .string(String(record.lostBytes)),
            "endOffset": .string(String(record.endOffset)),
            "lostBytesReplaced": .string(String(record.lostBytesReplaced)),
            "lostBytesUnfinished": .string(String(record.lostBytesUnfinished)),
        ]
        let texts: [(String, String)] = [
            ("site", record.site), ("edge", record.edge), ("sourceFile", record.sourceFile),
            ("methodText", record.methodText), ("path", record.path), ("query", record.query),
            ("referer", record.referer), ("userAgent", record.userAgent), ("remoteUser", record.remoteUser),
            ("forwardedFor", record.forwardedFor),
        ]
        for (key, value) in texts where !value.isEmpty { members[key] = .string(value) }
        for (key, value) in [("clientIp", record.clientIp), ("rawLine", record.rawLine)] where !value.isEmpty {
            members[key] = .array(value.map { .int(Int64($0)) })
        }
        if !record.extras.isEmpty {
            // `setExtra` always writes both texts, so even empty ones are present.
            members["extras"] = .array(record.extras.map {
                .object(["name": .string($0.name), "value": .string($0.value)])
            })
        }
        return .object(members)
    }

    /// The schema's enumerant name: Swift case names were chosen identical to the schema's
    /// (checked against the compiler by AccessRecordLayoutTests).
    private static func name(of value: some Any) -> String { "\(value)" }
}
