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
        // No fetch sessions (v7+), nothing flexible except ApiVersions.
        #expect(try #require(table.versions(of: .fetch)).upperBound <= 6)
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
            (.produce, 3...7), (.fetch, 4...6), (.listOffsets, 1...2), (.metadata, 1...4), (.offsetCommit, 2...3),
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
        #expect(table.negotiatedVersion(of: .fetch, clientVersions: 4...12) == 6)  // kafka-python
        #expect(table.negotiatedVersion(of: .metadata, clientVersions: 5...13) == nil)
        #expect(ApiVersionsTable.minimal.negotiatedVersion(of: .createTopics, clientVersions: 0...7) == nil)
    }
}
