import EdgelogConfiguration
import EdgelogRuntime
import PipelineTestSupport
import Testing

struct RuntimeOptionsTests {
    @Test func onlyFlagsThatWerePassedReachTheResolver() throws {
        let options = try RuntimeOptions.parse(["--metrics-port", "0", "--log-format=json"])
        #expect(options.settings == ["--metrics-port", "0", "--log-format=json"])
        #expect(options.printConfig == false)
        #expect(options.config == nil)
        let resolved = try options.resolve(environment: [:])
        #expect(try resolved.source(of: ConfigurationKey.metricsPort) == .flag("--metrics-port"))
        #expect(try resolved.source(of: ConfigurationKey.logFormat) == .flag("--log-format"))
        #expect(try resolved.source(of: ConfigurationKey.logLevel) == .default)
    }

    /// A flag no key declares, a flag without its value and a stray word are errors that name
    /// them, not silently ignored.
    @Test func unknownMissingAndStrayFlagsAreErrors() throws {
        let dataDir = ConfigurationKey("data-dir", kind: .string, default: "/var/lib/edgelog", help: "")
        for (arguments, expected) in [
            (["--data-dri", "/x"], ConfigurationError.unknownFlag("--data-dri")),
            (["--data-dir"], .missingFlagValue("--data-dir")),
            (["stray"], .unexpectedArgument("stray")),
        ] {
            let options = try RuntimeOptions.parse(arguments)
            #expect(throws: expected) { try options.resolve(keys: [dataDir], environment: [:]) }
        }
    }

    @Test func programKeysFlagsAndDefaultsCombineWithRuntimeKeys() throws {
        let dataDir = ConfigurationKey("data-dir", kind: .string, default: "/var/lib/edgelog", help: "")
        let options = try RuntimeOptions.parse(["--log-level", "debug", "--data-dir", "/tmp/x"])
        let resolved = try options.resolve(
            keys: [dataDir, ConfigurationKey.metricsPort.withDefault("9101")],
            environment: ["EDGELOG_LOG_FORMAT": "json"]
        )
        #expect(try resolved.string(dataDir) == "/tmp/x")
        #expect(try resolved.source(of: dataDir) == .flag("--data-dir"))
        #expect(try resolved.string(ConfigurationKey.logLevel) == "debug")
        #expect(try resolved.string(ConfigurationKey.logFormat) == "json")
        #expect(try resolved.int(ConfigurationKey.metricsPort) == 9101)
        #expect(try resolved.string(ConfigurationKey.metricsHost) == "127.0.0.1")
        #expect(try resolved.duration(ConfigurationKey.shutdownTimeout) == .seconds(30))
        #expect(Set(resolved.entries.keys) == ["data-dir", "log-level", "log-format", "metrics-host", "metrics-port", "shutdown-timeout"])
    }

    @Test func configFlagNamesTheFile() throws {
        let file = try TemporaryConfigFile(#"{"metrics-host": "0.0.0.0"}"#)
        let options = try RuntimeOptions.parse(["--config", file.path])
        let resolved = try options.resolve(environment: [:])
        #expect(try resolved.string(ConfigurationKey.metricsHost) == "0.0.0.0")
        #expect(try resolved.source(of: ConfigurationKey.metricsHost) == .file(file.path))
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
