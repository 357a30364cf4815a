@testable import EdgelogConfiguration
import Foundation
import PipelineTestSupport
import Testing

struct ResolvedConfigurationTests {
    static func resolve(_ kind: ConfigurationValueKind, _ text: String) throws -> (ResolvedConfiguration, ConfigurationKey) {
        let key = ConfigurationKey("value", kind: kind, default: text, help: "")
        return (try ConfigurationResolver.resolve(keys: [key], environment: [:]), key)
    }

    // Expected values are written as arithmetic on the unit definitions, not taken from the parser.
    @Test(arguments: [
        ("100ms", Duration.milliseconds(100)),
        ("5s", .seconds(5)),
        ("1m", .seconds(60)),
        ("24h", .seconds(24 * 60 * 60)),
        ("30d", .seconds(2_592_000)),  // 30 × 86,400
        ("250us", .microseconds(250)),
        ("7ns", .nanoseconds(7)),
        ("0", .zero),
    ])
    func durations(_ text: String, _ expected: Duration) throws {
        let (resolved, key) = try Self.resolve(.duration, text)
        #expect(try resolved.duration(key) == expected)
    }

    @Test(arguments: ["5", "s", "-5s", "1.5s", "5 s", " 5s", "5w", "9999999999999999999s", "3000000h", ""])
    func invalidDurations(_ text: String) {
        #expect(throws: ConfigurationError.self) { try Self.resolve(.duration, text) }
    }

    @Test(arguments: [
        ("4096", 4096),
        ("512B", 512),
        ("64KiB", 64 * 1024),
        ("1MiB", 1024 * 1024),
        ("2GiB", 2 * 1024 * 1024 * 1024),
        ("3kB", 3 * 1000),
        ("1MB", 1000 * 1000),
    ])
    func byteSizes(_ text: String, _ expected: Int) throws {
        let (resolved, key) = try Self.resolve(.bytes, text)
        #expect(try resolved.bytes(key) == expected)
    }

    @Test(arguments: ["KiB", "-1KiB", "1.5MiB", "1kib", "64 KiB", "9999999999TiB", ""])
    func invalidByteSizes(_ text: String) {
        #expect(throws: ConfigurationError.self) { try Self.resolve(.bytes, text) }
    }

    @Test(arguments: [("true", true), ("YES", true), ("on", true), ("1", true), ("false", false), ("No", false), ("off", false), ("0", false)])
    func booleans(_ text: String, _ expected: Bool) throws {
        let (resolved, key) = try Self.resolve(.bool, text)
        #expect(try resolved.bool(key) == expected)
    }

    @Test(arguments: [("0", true), ("65535", true), ("65536", false), ("-1", false), ("80x", false)])
    func ports(_ text: String, _ valid: Bool) throws {
        if valid {
            let (resolved, key) = try Self.resolve(.port, text)
            #expect(try resolved.int(key) == Int(text))
        } else {
            #expect(throws: ConfigurationError.self) { try Self.resolve(.port, text) }
        }
    }

    @Test func listsTrimAndDropEmptyItems() throws {
        let (resolved, key) = try Self.resolve(.list, " a:1 , b:2,,c:3 ")
        #expect(try resolved.list(key) == ["a:1", "b:2", "c:3"])
        let (empty, emptyKey) = try Self.resolve(.list, "")
        #expect(try empty.list(emptyKey) == [])
    }

    @Test func choiceAcceptsOnlyListedWords() throws {
        let (resolved, key) = try Self.resolve(.choice(["text", "json"]), "json")
        #expect(try resolved.string(key) == "json")
        #expect(throws: ConfigurationError.self) { try Self.resolve(.choice(["text", "json"]), "JSON") }
    }

    @Test func wrongAccessorNamesKeyValueAndSource() throws {
        let key = ConfigurationKey("edge-name", kind: .string, default: "x", help: "")
        let resolved = try ConfigurationResolver.resolve(keys: [key], environment: ["EDGELOG_EDGE_NAME": "edge-7"])
        #expect(throws: ConfigurationError.invalidValue(key: "edge-name", value: "edge-7", source: .environment("EDGELOG_EDGE_NAME"), reason: "not an integer")) {
            try resolved.int(key)
        }
        #expect(throws: ConfigurationError.undeclaredKey("other")) {
            try resolved.string(ConfigurationKey("other", kind: .string, default: "", help: ""))
        }
    }

    /// `--print-config`: one `name = value  # source` line per key, sorted by name.
    @Test func renderedListsEveryKeyWithItsSource() throws {
        let keys = [
            ConfigurationKey("zeta", kind: .int, default: "1", help: ""),
            ConfigurationKey("alpha", kind: .string, default: "", help: ""),
            ConfigurationKey("password", kind: .string, default: "hunter2", help: "", isSecret: true),
            ConfigurationKey("metrics-port", kind: .port, default: "9100", help: ""),
            ConfigurationKey("log-level", kind: .string, default: "info", help: ""),
        ]
        let file = try TemporaryConfigFile(#"{"log-level": "debug"}"#)
        let resolved = try ConfigurationResolver.resolve(
            keys: keys,
            flags: ["zeta": "5"],
            environment: ["EDGELOG_METRICS_PORT": "9200"],
            configFile: file.path
        )
        let text = resolved.rendered()
        #expect(text.hasSuffix("\n"))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == keys.count)

        var parsed: [(name: String, value: String, source: String)] = []
        for line in lines {
            let (assignment, source) = try #require(split(line, at: "  # "))
            let (name, value) = try #require(split(assignment, at: " = "))
            parsed.append((name.trimmingCharacters(in: .whitespaces), value, source))
        }
        #expect(parsed.map(\.name) == ["alpha", "log-level", "metrics-port", "password", "zeta"])
        #expect(parsed.map(\.value) == ["\"\"", "debug", "9200", "<redacted>", "5"])
        #expect(parsed.map(\.source) == ["default", "file \(file.path)", "env EDGELOG_METRICS_PORT", "default", "flag --zeta"])
        #expect(!text.contains("hunter2"))
        // Names are padded to one column, so every " = " starts at the same offset.
        #expect(Set(lines.map { $0.prefix { $0 != "=" }.count }).count == 1)
    }

    private func split(_ line: String, at separator: String) -> (String, String)? {
        guard let range = line.range(of: separator) else { return nil }
        return (String(line[..<range.lowerBound]), String(line[range.upperBound...]))
    }
}
