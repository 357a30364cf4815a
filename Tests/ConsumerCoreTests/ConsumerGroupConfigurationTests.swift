import ConsumerCore
import EdgelogConfiguration
import Foundation
import Testing

/// When the consumer joins its group: `group` given explicitly (flag, environment or file) and
/// no `partitions`. The default group, or a static list, keeps the static behaviour.
struct ConsumerGroupConfigurationTests {
    static let shard = "host=127.0.0.1 dbname=shard0"

    static func configuration(
        flags: [String: String] = [:], environment: [String: String] = [:], file: [String: Any]? = nil
    ) throws -> ConsumerConfiguration {
        var path: String?
        if let file {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("consumer-\(UUID().uuidString).json")
            try JSONSerialization.data(withJSONObject: file).write(to: url)
            path = url.path
        }
        defer { if let path { try? FileManager.default.removeItem(atPath: path) } }
        let resolved = try ConfigurationResolver.resolve(
            keys: ConsumerConfiguration.Keys.all, flags: ["shards": shard].merging(flags) { $1 },
            environment: environment, configFile: path)
        return try ConsumerConfiguration(resolved: resolved)
    }

    @Test func theDefaultGroupDoesNotJoin() throws {
        let configuration = try Self.configuration()
        #expect(configuration.group == "edgelog-consumer")
        #expect(!configuration.joinsGroup)
        #expect(configuration.partitions == nil)
    }

    @Test func aGroupGivenByFlagEnvironmentOrFileJoins() throws {
        #expect(try Self.configuration(flags: ["group": "edge"]).joinsGroup)
        #expect(try Self.configuration(environment: ["EDGELOG_GROUP": "edge"]).joinsGroup)
        #expect(try Self.configuration(file: ["group": "edge"]).joinsGroup)
        // Naming the default group explicitly is a choice too: it joins.
        #expect(try Self.configuration(flags: ["group": "edgelog-consumer"]).joinsGroup)
    }

    @Test func staticPartitionsNeverJoin() throws {
        let configuration = try Self.configuration(flags: ["group": "edge", "partitions": "0,2"])
        #expect(!configuration.joinsGroup)
        #expect(configuration.partitions == [0, 2])
        #expect(configuration.group == "edge")
    }

    @Test func theSessionTimeoutIsBoundedLikeTheCoordinatorsRange() throws {
        #expect(try Self.configuration(flags: ["group": "edge", "group-session-timeout": "3s"]).groupSessionTimeout == .seconds(3))
        #expect(throws: ConsumerConfigurationError.self) {
            try Self.configuration(flags: ["group": "edge", "group-session-timeout": "500ms"])
        }
    }

    @Test func theHelpSaysWhenTheGroupIsJoined() {
        let help = ConsumerConfiguration.Keys.group.help
        #expect(help.contains("joins it") && help.contains("--partitions"), "\(help)")
    }
}
