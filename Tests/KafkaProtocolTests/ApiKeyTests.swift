import KafkaProtocol
import Testing

struct ApiKeyTests {
    /// Thresholds from each message's `flexibleVersions` (README §2 list).
    @Test(arguments: [
        (ApiKey.apiVersions, Int16(3)), (.produce, 9), (.fetch, 12), (.listOffsets, 6), (.metadata, 9),
        (.offsetCommit, 8), (.offsetFetch, 6), (.findCoordinator, 3), (.joinGroup, 6), (.heartbeat, 4),
        (.leaveGroup, 4), (.syncGroup, 4), (.initProducerId, 2), (.createTopics, 5), (.deleteTopics, 4),
        (.deleteGroups, 2),
    ])
    func flexibleFrom(_ key: ApiKey, _ first: Int16) {
        #expect(!key.isFlexible(first - 1))
        #expect(key.isFlexible(first))
        #expect(key.requestHeaderVersion(first - 1) == 1)
        #expect(key.requestHeaderVersion(first) == 2)
    }

    @Test func apiVersionsResponsesAlwaysUseHeaderV0() {
        for version in Int16(0)...5 {
            #expect(ApiKey.apiVersions.responseHeaderVersion(version) == 0)
        }
        #expect(ApiKey.fetch.responseHeaderVersion(12) == 1)
        #expect(ApiKey.fetch.responseHeaderVersion(11) == 0)
    }

    @Test func saslHandshakeIsNeverFlexible() {
        #expect(!ApiKey.saslHandshake.isFlexible(.max))
    }

    @Test func rawValuesAreTheWireKeys() {
        #expect(ApiKey(rawValue: 18) == .apiVersions)
        #expect(ApiKey(rawValue: 22) == .initProducerId)
        #expect(ApiKey(rawValue: 19) == .createTopics)
        #expect(ApiKey(rawValue: 20) == .deleteTopics)
        #expect(ApiKey.deleteTopics.description == "DeleteTopics")
        #expect(ApiKey(rawValue: 42) == .deleteGroups)
        #expect(ApiKey.deleteGroups.description == "DeleteGroups")
        #expect(ApiKey(rawValue: 4) == nil)
        #expect(ApiKey.produce.rawValue == 0)
    }
}
