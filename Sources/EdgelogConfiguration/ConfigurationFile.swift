import Foundation

/// The JSON configuration file: one object whose keys are setting names.
///
/// ```json
/// { "metrics-port": 9100, "log-level": "debug", "compress": true, "brokers": ["a:9092", "b:9092"] }
/// ```
///
/// Strings, integers, decimals and booleans become the text a user would have typed as a flag
/// (`9100` → `"9100"`, `true` → `"true"`); an array of those becomes a comma-separated list.
/// `null`, nested objects, nested arrays and list items containing `,` are rejected, naming the key.
struct ConfigurationFile {
    /// The file's path as given, used in errors and `--print-config`.
    let path: String
    /// Setting name → value text.
    let values: [String: String]

    static func load(path: String) throws(ConfigurationError) -> ConfigurationFile {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadableFile(path: path, reason: Self.reason(error, path: path))
        }
        return try parse(data, path: path)
    }

    static func parse(_ data: Data, path: String) throws(ConfigurationError) -> ConfigurationFile {
        let object: [String: FileValue]
        do {
            object = try JSONDecoder().decode([String: FileValue].self, from: data)
        } catch {
            throw .malformedFile(path: path, reason: "expected a JSON object of setting names to values")
        }
        var values: [String: String] = [:]
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            guard case .text(let text) = value else {
                throw .malformedFile(
                    path: path,
                    reason: "value of \"\(key)\" must be a string, number, boolean or array of those"
                )
            }
            values[key] = text
        }
        return ConfigurationFile(path: path, values: values)
    }

    private static func reason(_ error: any Error, path: String) -> String {
        FileManager.default.fileExists(atPath: path) ? (error as NSError).localizedDescription : "no such file"
    }
}

/// One JSON value, reduced to the flag text it stands for, or marked unsupported so the caller can
/// name the offending key. Decoding order matters: `Bool` first, because JSONDecoder will not read
/// a number as a `Bool` nor a `true` as a number.
private enum FileValue: Decodable {
    case text(String)
    case unsupported

    init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var items: [String] = []
            while !array.isAtEnd {
                guard let item = try? array.decode(FileScalar.self), !item.text.contains(",") else {
                    self = .unsupported
                    return
                }
                items.append(item.text)
            }
            self = .text(items.joined(separator: ","))
            return
        }
        if let scalar = try? FileScalar(from: decoder) {
            self = .text(scalar.text)
        } else {
            self = .unsupported
        }
    }
}

private struct FileScalar: Decodable {
    let text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let bool = try? container.decode(Bool.self) {
            text = bool ? "true" : "false"
        } else if let int = try? container.decode(Int.self) {
            text = String(int)
        } else if let double = try? container.decode(Double.self) {
            text = String(double)
        } else {
            text = try container.decode(String.self)
        }
    }
}
