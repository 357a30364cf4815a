import KafkaClient
import KafkaProtocol
import Testing

struct NegotiatedVersionsTests {
    /// README §4: against the "minimal" table, both reference clients send exactly these
    /// versions ("librdkafka 2.0.2 will send" / "kafka-python 3.0.12 will send" columns).
    @Test func minimalTableGivesTheReadmeVersions() throws {
        let versions = NegotiatedVersions(broker: .minimal)
        let expected: [ApiKey: Int16] = [
            .produce: 3, .fetch: 4, .listOffsets: 1, .metadata: 4, .offsetCommit: 2, .offsetFetch: 1,
            .findCoordinator: 0, .initProducerId: 0, .apiVersions: 2,
            // The group APIs (edgelog-consumer --group): v0 in the minimal table.
            .joinGroup: 0, .syncGroup: 0, .heartbeat: 0, .leaveGroup: 0,
        ]
        #expect(versions.versions == expected)
    }

    /// README §4 "comfortable" column: Produce v7, Fetch v11, ListOffsets v2, Metadata v4,
    /// OffsetCommit v3, OffsetFetch v3, FindCoordinator v2, InitProducerId v1; ApiVersions stays
    /// at v2 because this client never sends the flexible v3; CreateTopics v4 (the shipper's
    /// `partitions` setting).
    @Test func comfortableTableGivesTheReadmeVersions() throws {
        let versions = NegotiatedVersions(broker: .comfortable)
        let expected: [ApiKey: Int16] = [
            .produce: 7, .fetch: 11, .listOffsets: 2, .metadata: 4, .offsetCommit: 3, .offsetFetch: 3,
            .findCoordinator: 2, .initProducerId: 1, .apiVersions: 2, .createTopics: 4,
            // The group APIs at the table's highest (all below our codecs' highest).
            .joinGroup: 3, .syncGroup: 2, .heartbeat: 2, .leaveGroup: 2, .describeGroups: 4,
        ]
        #expect(versions.versions == expected)
    }

    /// A table shaped like Apache Kafka 3.8's (`validVersions` of the reference pack's JSON:
    /// Produce 0-11, Fetch 0-16, ListOffsets 0-8, Metadata 0-12, OffsetCommit 0-9, OffsetFetch
    /// 0-9, FindCoordinator 0-5, InitProducerId 0-5, ApiVersions 0-3): the broker's ranges all
    /// reach above ours, so each API runs at our highest version.
    @Test func realKafkaTableGivesOurHighestVersions() throws {
        let kafka38 = ApiVersionsTable([
            ApiVersionRange(.produce, 0...11), ApiVersionRange(.fetch, 0...16), ApiVersionRange(.listOffsets, 0...8),
            ApiVersionRange(.metadata, 0...12), ApiVersionRange(.offsetCommit, 0...9),
            ApiVersionRange(.offsetFetch, 0...9), ApiVersionRange(.findCoordinator, 0...5),
            ApiVersionRange(.initProducerId, 0...5), ApiVersionRange(.apiVersions, 0...3),
        ])
        let versions = NegotiatedVersions(broker: kafka38)
        #expect(try versions.version(of: .produce) == 7)
        #expect(try versions.version(of: .fetch) == 11)
        #expect(try versions.version(of: .listOffsets) == 2)
        #expect(try versions.version(of: .metadata) == 4)
        #expect(try versions.version(of: .initProducerId) == 1)
    }

    /// No overlap (a broker that only speaks flexible fetches, Fetch 12+) and an API the broker
    /// does not list both fail with both ranges named.
    @Test func noOverlapFailsNamingBothRanges() {
        let table = ApiVersionsTable([ApiVersionRange(.fetch, 12...16), ApiVersionRange(.apiVersions, 0...3)])
        let versions = NegotiatedVersions(broker: table)
        #expect(throws: KafkaClientError.unsupportedApi(api: .fetch, broker: 12...16, client: 4...11)) {
            try versions.version(of: .fetch)
        }
        #expect(throws: KafkaClientError.unsupportedApi(api: .produce, broker: nil, client: 3...7)) {
            try versions.version(of: .produce)
        }
        #expect(throws: KafkaClientError.unsupportedApi(api: .joinGroup, broker: nil, client: 0...5)) {
            try versions.version(of: .joinGroup)
        }
        // An API this client has no codec for names no client range.
        #expect(throws: KafkaClientError.unsupportedApi(api: .listGroups, broker: nil, client: nil)) {
            try versions.version(of: .listGroups)
        }
    }
}
