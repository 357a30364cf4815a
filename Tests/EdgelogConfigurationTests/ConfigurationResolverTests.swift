@testable import EdgelogConfiguration
import Foundation
import PipelineTestSupport
import Testing

/// Precedence is flag > environment > file > default. Each case sets the key in a subset of the
/// four sources, every source with a distinct value, and expects the highest one present to win.
struct ConfigurationResolverTests {
    static let batchSize = ConfigurationKey("batch-size", kind: .int, default: "1", help: "test key")
    static let name = ConfigurationKey("edge-name", kind: .string, default: "edge-default", help: "test key")

    struct Layers: Sendable, CustomTestStringConvertible {
        var flag: Bool, environment: Bool, file: Bool
        var testDescription: String { "flag:\(flag) env:\(environment) file:\(file)" }
    }

    @Test(arguments: [
        Layers(flag: true, environment: true, file: true),
        Layers(flag: false, environment: true, file: true),
        Layers(flag: false, environment: false, file: true),
        Layers(flag: false, environment: false, file: false),
        Layers(flag: true, environment: false, file: false),
        Layers(flag: false, environment: true, file: false),
        Layers(flag: true, environment: false, file: true),
    ])
    func highestSourcePresentWins(_ layers: Layers) throws {
        let file = try TemporaryConfigFile(#"{"batch-size": 2}"#)
        let resolved = try ConfigurationResolver.resolve(
            keys: [Self.batchSize, Self.name],
            flags: layers.flag ? ["batch-size": "4"] : [:],
            environment: layers.environment ? ["EDGELOG_BATCH_SIZE": "3"] : [:],
            configFile: layers.file ? file.path : nil
        )
        let expected: (Int, ConfigurationSource) =
            if layers.flag { (4, .flag("--batch-size")) }
            else if layers.environment { (3, .environment("EDGELOG_BATCH_SIZE")) }
            else if layers.file { (2, .file(file.path)) }
            else { (1, .default) }
        #expect(try resolved.int(Self.batchSize) == expected.0)
        #expect(try resolved.source(of: Self.batchSize) == expected.1)
        // The key nobody set keeps its default whatever the other key does.
        #expect(try resolved.string(Self.name) == "edge-default")
        #expect(try resolved.source(of: Self.name) == .default)
    }

    @Test func configFileComesFromEnvironmentWhenNoFlag() throws {
        let fromEnvironment = try TemporaryConfigFile(#"{"batch-size": 7}"#)
        let fromFlag = try TemporaryConfigFile(#"{"batch-size": 8}"#)
        let environment = ["EDGELOG_CONFIG": fromEnvironment.path]

        let viaEnvironment = try ConfigurationResolver.resolve(keys: [Self.batchSize], environment: environment)
        #expect(try viaEnvironment.int(Self.batchSize) == 7)
        #expect(viaEnvironment.configFile == fromEnvironment.path)

        let viaFlag = try ConfigurationResolver.resolve(
            keys: [Self.batchSize], environment: environment, configFile: fromFlag.path)
        #expect(try viaFlag.int(Self.batchSize) == 8)
        #expect(try viaFlag.source(of: Self.batchSize) == .file(fromFlag.path))
    }

    @Test func environmentNameIsPrefixedUppercasedWithUnderscores() {
        #expect(ConfigurationKey.metricsPort.environmentName == "EDGELOG_METRICS_PORT")
        #expect(Self.batchSize.flagName == "--batch-size")
    }

    @Test func unrelatedEnvironmentVariablesAreIgnored() throws {
        let resolved = try ConfigurationResolver.resolve(
            keys: [Self.batchSize], environment: ["EDGELOG_SOMETHING_ELSE": "x", "BATCH_SIZE": "9"])
        #expect(try resolved.int(Self.batchSize) == 1)
    }

    // MARK: - Errors name key, value and source

    @Test func badFlagValueNamesKeyValueAndFlag() {
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationResolver.resolve(keys: [Self.batchSize], flags: ["batch-size": "ten"], environment: [:])
        }
        guard case .invalidValue(let key, let value, let source, _) = error else {
            Issue.record("expected invalidValue, got \(String(describing: error))")
            return
        }
        #expect(key == "batch-size")
        #expect(value == "ten")
        #expect(source == .flag("--batch-size"))
        let text = String(describing: error!)
        #expect(text.contains("batch-size") && text.contains("ten") && text.contains("flag --batch-size"))
    }

    @Test func badEnvironmentValueNamesTheVariable() {
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationResolver.resolve(
                keys: [ConfigurationKey.metricsPort], environment: ["EDGELOG_METRICS_PORT": "70000"])
        }
        guard case .invalidValue("metrics-port", "70000", .environment("EDGELOG_METRICS_PORT"), _) = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
    }

    @Test func badFileValueNamesTheFile() throws {
        let file = try TemporaryConfigFile(#"{"batch-size": "12x"}"#)
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationResolver.resolve(keys: [Self.batchSize], environment: [:], configFile: file.path)
        }
        guard case .invalidValue("batch-size", "12x", .file(file.path), _) = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(String(describing: error!).contains(file.path))
    }

    @Test func badDefaultIsReportedAsDefault() {
        let broken = ConfigurationKey("window", kind: .duration, default: "5", help: "missing unit")
        #expect(throws: ConfigurationError.invalidValue(key: "window", value: "5", source: .default, reason: "not a duration (e.g. 100ms, 5s, 1m, 24h)")) {
            try ConfigurationResolver.resolve(keys: [broken], environment: [:])
        }
    }

    @Test func unknownKeyInFileIsAnError() throws {
        let file = try TemporaryConfigFile(#"{"batch-size": 2, "batch-sise": 3}"#)
        #expect(throws: ConfigurationError.unknownKeyInFile(key: "batch-sise", path: file.path)) {
            try ConfigurationResolver.resolve(keys: [Self.batchSize], environment: [:], configFile: file.path)
        }
    }

    @Test func missingFileIsUnreadable() {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("edgelog-missing-\(UUID()).json").path
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationResolver.resolve(keys: [Self.batchSize], environment: [:], configFile: path)
        }
        guard case .unreadableFile(path, _) = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
    }

    @Test(arguments: [
        "not json",
        "[1, 2]",
        #"{"batch-size": null}"#,
        #"{"batch-size": {"nested": 1}}"#,
        #"{"batch-size": [[1]]}"#,
        #"{"batch-size": ["a,b"]}"#,
    ])
    func malformedFileIsRejected(_ contents: String) throws {
        let file = try TemporaryConfigFile(contents)
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationResolver.resolve(keys: [Self.batchSize], environment: [:], configFile: file.path)
        }
        guard case .malformedFile(file.path, _) = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
    }

    @Test func fileScalarsBecomeFlagText() throws {
        let keys = [
            ConfigurationKey("compress", kind: .bool, default: "false", help: ""),
            ConfigurationKey("port", kind: .port, default: "0", help: ""),
            ConfigurationKey("ratio", kind: .string, default: "", help: ""),
            ConfigurationKey("brokers", kind: .list, default: "", help: ""),
            ConfigurationKey("label", kind: .string, default: "", help: ""),
        ]
        let file = try TemporaryConfigFile(
            #"{"compress": true, "port": 9100, "ratio": 0.5, "brokers": ["a:9092", "b:9092"], "label": "edge-1"}"#)
        let resolved = try ConfigurationResolver.resolve(keys: keys, environment: [:], configFile: file.path)
        #expect(try resolved.bool(keys[0]) == true)
        #expect(try resolved.int(keys[1]) == 9100)
        #expect(try resolved.string(keys[2]) == "0.5")
        #expect(try resolved.list(keys[3]) == ["a:9092", "b:9092"])
        #expect(try resolved.string(keys[4]) == "edge-1")
    }

    @Test func undeclaredFlagAndDuplicateKeyAreErrors() {
        #expect(throws: ConfigurationError.undeclaredKey("batch")) {
            try ConfigurationResolver.resolve(keys: [Self.batchSize], flags: ["batch": "1"], environment: [:])
        }
        #expect(throws: ConfigurationError.duplicateKey("batch-size")) {
            try ConfigurationResolver.resolve(keys: [Self.batchSize, Self.batchSize], environment: [:])
        }
    }
}
