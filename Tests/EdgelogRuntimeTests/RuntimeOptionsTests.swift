import EdgelogConfiguration
import EdgelogRuntime
import PipelineTestSupport
import Testing

struct RuntimeOptionsTests {
    @Test func onlyFlagsThatWerePassedReachTheResolver() throws {
        let options = try RuntimeOptions.parse(["--metrics-port", "0", "--log-format", "json"])
        #expect(options.flagValues == ["metrics-port": "0", "log-format": "json"])
        #expect(options.printConfig == false)
        #expect(options.config == nil)
    }

    @Test func programKeysFlagsAndDefaultsCombineWithRuntimeKeys() throws {
        let dataDir = ConfigurationKey("data-dir", kind: .string, default: "/var/lib/edgelog", help: "")
        let options = try RuntimeOptions.parse(["--log-level", "debug"])
        let resolved = try options.resolve(
            keys: [dataDir, ConfigurationKey.metricsPort.withDefault("9101")],
            flags: ["data-dir": "/tmp/x", "unused-flag-not-passed": nil],
            environment: ["EDGELOG_LOG_FORMAT": "json"]
        )
        #expect(try resolved.string(dataDir) == "/tmp/x")
        #expect(try resolved.source(of: dataDir) == .flag("--data-dir"))
        #expect(try resolved.string(.logLevel) == "debug")
        #expect(try resolved.string(.logFormat) == "json")
        #expect(try resolved.int(.metricsPort) == 9101)
        #expect(try resolved.string(.metricsHost) == "127.0.0.1")
        #expect(try resolved.duration(.shutdownTimeout) == .seconds(30))
        #expect(Set(resolved.entries.keys) == ["data-dir", "log-level", "log-format", "metrics-host", "metrics-port", "shutdown-timeout"])
    }

    @Test func configFlagNamesTheFile() throws {
        let file = try TemporaryConfigFile(#"{"metrics-host": "0.0.0.0"}"#)
        let options = try RuntimeOptions.parse(["--config", file.path])
        let resolved = try options.resolve(environment: [:])
        #expect(try resolved.string(.metricsHost) == "0.0.0.0")
        #expect(try resolved.source(of: .metricsHost) == .file(file.path))
    }

    @Test func invalidRuntimeFlagIsAConfigurationError() throws {
        let options = try RuntimeOptions.parse(["--log-level", "loud"])
        #expect(throws: ConfigurationError.self) { try options.resolve(environment: [:]) }
    }

    /// `--print-config` ends the program through ArgumentParser's clean exit (status 0), carrying
    /// the rendered settings, before logging or metrics are bootstrapped.
    @Test func printConfigExitsCleanlyWithTheSettings() throws {
        let options = try RuntimeOptions.parse(["--print-config", "--metrics-port", "9300"])
        let error = #expect(throws: (any Error).self) {
            try RuntimeProcess.start(label: "test", options: options, environment: [:])
        }
        let message = String(describing: try #require(error))
        #expect(message.contains("metrics-port     = 9300  # flag --metrics-port"))
        #expect(message.contains("log-level        = info  # default"))
        #expect(message + "\n" == (try options.resolve(environment: [:])).rendered())
    }
}
