import BrokerCore
import EdgelogRuntime
import Testing

struct BrokerConfigurationTests {
    @Test func keysResolveWithPrecedenceIntoTheConfiguration() throws {
        let resolved = try RuntimeOptions.parse([]).resolve(
            keys: BrokerConfiguration.Keys.all,
            flags: [
                "port": "0", "allow-networks": "10.0.0.0/8, 127.0.0.1", "max-fetch-wait": "2s", "data-dir": "/tmp/x",
            ],
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

    @Test func contradictoryValuesAreRejected() throws {
        let resolved = try RuntimeOptions.parse([]).resolve(
            keys: BrokerConfiguration.Keys.all,
            flags: ["default-partitions": "0"],
            environment: [:]
        )
        #expect(throws: BrokerError.self) { try BrokerConfiguration(resolved: resolved) }
    }
}
