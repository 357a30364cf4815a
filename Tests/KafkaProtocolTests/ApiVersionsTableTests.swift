import KafkaProtocol
import Testing

/// The table's ranges are load-bearing for librdkafka 2.0.2's feature gating and kafka-python's
/// broker-version inference (README §3–§4); these checks restate those rules.
struct ApiVersionsTableTests {
    static let tables: [(String, ApiVersionsTable)] = [("minimal", .minimal), ("comfortable", .comfortable)]

    @Test(arguments: tables.map(\.0))
    func clientRequirementsHold(_ name: String) throws {
        let table = try #require(Self.tables.first { $0.0 == name }?.1)
        // librdkafka: MsgVer2 needs Produce 3 and Fetch 4; LZ4 needs FindCoordinator 0.
        #expect(table.supports(.produce, version: 3))
        #expect(table.supports(.fetch, version: 4))
        #expect(table.supports(.findCoordinator, version: 0))
        // librdkafka balanced consumer: group APIs at 0, OffsetCommit 1-2 overlap, OffsetFetch 1.
        for key in [ApiKey.joinGroup, .syncGroup, .heartbeat, .leaveGroup, .initProducerId] {
            #expect(table.versions(of: key)?.lowerBound == 0, "\(key)")
        }
        #expect(table.supports(.offsetCommit, version: 2))
        #expect(table.supports(.offsetFetch, version: 1))
        // Offset-by-time needs ListOffsets 1; kafka-python needs Metadata 4.
        #expect(table.supports(.listOffsets, version: 1))
        #expect(table.supports(.metadata, version: 4))
        // Fetch sessions (v7+) are answered sessionless; nothing flexible except ApiVersions.
        #expect(try #require(table.versions(of: .fetch)).upperBound <= 11)
        for range in table.ranges where range.apiKey != .apiVersions {
            let key = try #require(range.apiKey)
            #expect(!key.isFlexible(range.maxVersion), "\(key)")
        }
        // kafka-python's schema minimums.
        #expect(try #require(table.versions(of: .produce)).lowerBound >= 3)
        #expect(try #require(table.versions(of: .fetch)).lowerBound >= 4)
        #expect(try #require(table.versions(of: .listOffsets)).lowerBound >= 1)
        #expect(try #require(table.versions(of: .offsetCommit)).lowerBound >= 2)
        #expect(try #require(table.versions(of: .offsetFetch)).lowerBound >= 1)
    }

    @Test func comfortableMatchesTheReadme() {
        let expected: [(ApiKey, ClosedRange<Int16>)] = [
            (.produce, 3...7), (.fetch, 4...11), (.listOffsets, 1...2), (.metadata, 0...4), (.offsetCommit, 2...3),
            (.offsetFetch, 1...3), (.findCoordinator, 0...2), (.joinGroup, 0...3), (.heartbeat, 0...2),
            (.leaveGroup, 0...2), (.syncGroup, 0...2), (.describeGroups, 0...4), (.listGroups, 0...2),
            (.apiVersions, 0...3), (.createTopics, 0...4), (.deleteTopics, 0...3),
            (.initProducerId, 0...1), (.deleteGroups, 0...1),
        ]
        #expect(ApiVersionsTable.comfortable.ranges == expected.map { ApiVersionRange($0.0, $0.1) })
    }

    @Test func rangesAreSortedAndUnique() {
        let table = ApiVersionsTable([
            ApiVersionRange(.fetch, 4...4), ApiVersionRange(.produce, 3...3), ApiVersionRange(.fetch, 4...6),
        ])
        #expect(table.ranges == [ApiVersionRange(.produce, 3...3), ApiVersionRange(.fetch, 4...6)])
    }

    @Test func restrictionDropsUnimplementedApis() {
        let table = ApiVersionsTable.comfortable.restricted(to: [.apiVersions, .produce])
        #expect(table.ranges.compactMap(\.apiKey) == [.produce, .apiVersions])
        #expect(!table.supports(.joinGroup, version: 0))
    }

    @Test func negotiationPicksTheHighestCommonVersion() {
        let table = ApiVersionsTable.comfortable
        #expect(table.negotiatedVersion(of: .produce, clientVersions: 0...7) == 7)  // librdkafka 2.0.2
        #expect(table.negotiatedVersion(of: .fetch, clientVersions: 4...12) == 11)  // librdkafka 2.0.2
        #expect(table.negotiatedVersion(of: .metadata, clientVersions: 5...13) == nil)
        #expect(ApiVersionsTable.minimal.negotiatedVersion(of: .createTopics, clientVersions: 0...7) == nil)
    }

    /// kafka-python 2.0.2's `BrokerConnection._infer_broker_version_from_api_versions`: the first
    /// of these requests the table lists gives the broker version it assumes.
    static func kafkaPythonBrokerVersion(_ table: ApiVersionsTable) -> [Int] {
        let probes: [([Int], ApiKey, Int16)] = [
            ([2, 4, 0], .produce, 8), ([2, 3, 0], .fetch, 11), ([2, 2, 0], .listOffsets, 5),
            ([2, 1, 0], .fetch, 10), ([2, 0, 0], .fetch, 8), ([1, 1, 0], .fetch, 7), ([1, 0, 0], .metadata, 5),
            ([0, 11, 0], .metadata, 4), ([0, 10, 2], .offsetFetch, 2), ([0, 10, 1], .metadata, 2),
        ]
        return probes.first { table.supports($0.1, version: $0.2) }?.0 ?? [0, 10, 0]
    }

    /// kafka-python refuses `compression_type='zstd'` unless it takes the broker for ≥ 2.1, and
    /// once it does, every request it sends (kafka-python 2.0.2's fixed versions for ≥ 2.1:
    /// `producer/sender.py`, `consumer/fetcher.py`, `client_async.py`, `coordinator/*.py`) must
    /// be one we list.
    @Test func kafkaPythonTakesUsForTwoPointOneOrLaterAndSendsOnlyWhatWeList() {
        let table = ApiVersionsTable.comfortable
        let version = Self.kafkaPythonBrokerVersion(table)
        #expect(!version.lexicographicallyPrecedes([2, 1, 0]), "zstd needs ≥ 2.1, inferred \(version)")
        let sent: [(ApiKey, Int16)] = [
            (.produce, 7), (.fetch, 4), (.listOffsets, 1), (.metadata, 1), (.offsetCommit, 2),
            (.offsetFetch, 1), (.findCoordinator, 0), (.joinGroup, 2), (.syncGroup, 1), (.heartbeat, 1),
            (.leaveGroup, 1), (.apiVersions, 0),
        ]
        for (key, version) in sent {
            #expect(table.supports(key, version: version), "\(key) v\(version)")
        }
    }
}
