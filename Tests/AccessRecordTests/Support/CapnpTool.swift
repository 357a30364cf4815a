import Foundation
import PipelineTestSupport

/// Runs Debian's `capnp` (the reference implementation) on our schema.
enum CapnpTool {
    struct Failed: Error, CustomStringConvertible {
        var arguments: [String]
        var status: Int32
        var stderr: String
        var description: String { "capnp \(arguments.joined(separator: " ")) exited \(status): \(stderr)" }
    }

    /// The package root: this file is `<root>/Tests/AccessRecordTests/Support/CapnpTool.swift`.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static let schemaPath = packageRoot.appendingPathComponent("schemas/access_record.capnp").path

    /// The reference vectors for the SAMPLE schema (not ours), from the team's shared folder.
    static let referenceFolder = URL(fileURLWithPath: "/work/shared/reference/capnp")

    /// `capnp <arguments>` with `stdin`; returns stdout, throws on a non-zero exit.
    static func run(_ arguments: [String], stdin: [UInt8] = []) throws -> [UInt8] {
        let result = try ExternalTool.run("capnp", arguments, stdin: Data(stdin))
        guard result.status == 0 else {
            throw Failed(arguments: arguments, status: result.status, stderr: result.stderrText)
        }
        return [UInt8](result.stdout)
    }

    /// What `capnp convert binary:json` makes of one framed AccessRecord message.
    static func decodeToJSON(_ message: [UInt8], schema: String = schemaPath) throws -> JSONValue {
        let documents = try decodeStreamToJSON(message, schema: schema)
        guard documents.count == 1 else {
            throw Failed(arguments: ["convert"], status: 0, stderr: "expected 1 message, got \(documents.count)")
        }
        return documents[0]
    }

    /// What `capnp convert --short binary:json` makes of a stream of framed messages: one JSON
    /// document per message, one per line.
    static func decodeStreamToJSON(_ stream: [UInt8], schema: String = schemaPath) throws -> [JSONValue] {
        let json = try run(["convert", "--short", "binary:json", schema, "AccessRecord"], stdin: stream)
        return try json.split(separator: UInt8(ascii: "\n")).map {
            try JSONDecoder().decode(JSONValue.self, from: Data($0))
        }
    }

    /// `capnp convert json:binary` of `json` (see `JSONValue.capnpInput` for the escaping caveat).
    static func encodeJSON(_ json: JSONValue, schema: String = schemaPath, extra: [String] = []) throws -> [UInt8] {
        try run(["convert", "json:binary"] + extra + [schema, "AccessRecord"], stdin: Array(json.capnpInput.utf8))
    }

    /// `capnp encode` of a text literal such as `(status = 200, site = "x")`.
    static func encodeText(_ literal: String, schema: String = schemaPath) throws -> [UInt8] {
        try run(["encode", schema, "AccessRecord"], stdin: Array(literal.utf8))
    }
}
