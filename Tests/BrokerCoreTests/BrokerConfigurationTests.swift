import BrokerCore
import EdgelogRuntime
import PipelineTestSupport
import Testing

struct BrokerConfigurationTests {
    @Test func keysResolveWithPrecedenceIntoTheConfiguration() throws {
        let resolved = try RuntimeOptions.parse(settingArguments([
                "port": "0", "allow-networks": "10.0.0.0/8, 127.0.0.1", "max-fetch-wait": "2s", "data-dir": "/tmp/x",
            ])).resolve(
            keys: BrokerConfiguration.Keys.all,
            environment: ["EDGELOG_DEFAULT_PARTITIONS": "4", "EDGELOG_PORT": "1234", "EDGELOG_SEGMENT_BYTES": "64MiB"]
        )
        let configuration = try BrokerConfiguration(resolved: resolved)
        #expect(configuration.port == 0)  // the flag beats the environment
        #expect(configuration.defaultPartitions == 4)
        #expect(configuration.segmentBytes == 64 << 20)
        #expect(configuration.maxFetchWaitMilliseconds == 2000)
        #expect(configuration.allowedNetworks == [try ClientNetwork("10.0.0.0/8"), try ClientNetwork("127.0.0.1/32")])
        #expect(configuration.listenHost == "127.0.0.1")
        #expect(configuration.advertisedHost == nil)
        #expect(configuration.effectiveAdvertisedHost == "127.0.0.1")
        #expect(configuration.autoCreateTopics)
        #expect(try resolved.int(BrokerConfiguration.Keys.metricsPort) == 9101)
    }

    @Test func durabilityAndRetentionKeysHaveTheDocumentedDefaults() throws {
        let defaults = try BrokerConfiguration(
            resolved: try RuntimeOptions.parse(settingArguments([:])).resolve(
                keys: BrokerConfiguration.Keys.all, environment: [:])
        )
        #expect(defaults.durability == .beforeAck)
        #expect(defaults.retentionMilliseconds == 24 * 3_600_000)
        #expect(defaults.retentionBytes == 0)
        #expect(defaults.diskLimitBytes == 0)
        #expect(defaults.retentionCheckIntervalMilliseconds == 300_000)

        let resolved = try RuntimeOptions.parse(settingArguments(["fsync": "interval", "fsync-interval": "250ms", "retention": "2h", "retention-bytes": "10MiB"])).resolve(
            keys: BrokerConfiguration.Keys.all,
            environment: ["EDGELOG_DISK_LIMIT_BYTES": "1GiB", "EDGELOG_RETENTION_CHECK_INTERVAL": "30s"]
        )
        let configuration = try BrokerConfiguration(resolved: resolved)
        #expect(configuration.durability == .interval(milliseconds: 250))
        #expect(configuration.retentionMilliseconds == 7_200_000)
        #expect(configuration.retentionBytes == 10 << 20)
        #expect(configuration.diskLimitBytes == 1 << 30)
        #expect(configuration.retentionCheckIntervalMilliseconds == 30_000)
        let never = try RuntimeOptions.parse(settingArguments(["fsync": "never"])).resolve(
            keys: BrokerConfiguration.Keys.all, environment: [:])
        #expect(try BrokerConfiguration(resolved: never).durability == .never)
        #expect(throws: (any Error).self) {
            try RuntimeOptions.parse(settingArguments(["fsync": "sometimes"])).resolve(
                keys: BrokerConfiguration.Keys.all, environment: [:])
        }
    }

    @Test func contradictoryValuesAreRejected() throws {
        let resolved = try RuntimeOptions.parse(settingArguments(["default-partitions": "0"])).resolve(
            keys: BrokerConfiguration.Keys.all,
            environment: [:]
        )
        #expect(throws: BrokerError.self) { try BrokerConfiguration(resolved: resolved) }
    }
}
