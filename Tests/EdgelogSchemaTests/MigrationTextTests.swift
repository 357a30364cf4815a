import EdgelogSchema
import Foundation
import Testing
import TrafficAggregation

/// The embedded migrations against their files and their own invariants. No server needed.
@Suite struct MigrationTextTests {
    /// The package root, from this file's path (Tests/EdgelogSchemaTests/<file>).
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: Migration.Kind.allCases)
    func filesAreByteIdenticalToTheEmbeddedText(kind: Migration.Kind) throws {
        let directory = Self.repositoryRoot.appendingPathComponent("schemas/postgres/\(kind.directoryName)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files == kind.migrations.map(\.fileName), "every migration has exactly one file, and the other way round")
        for migration in kind.migrations {
            let bytes = try Data(contentsOf: directory.appendingPathComponent(migration.fileName))
            #expect(
                Array(bytes) == Array(migration.sql.utf8),
                "schemas/postgres/\(kind.directoryName)/\(migration.fileName) differs from the embedded text"
            )
        }
    }

    @Test(arguments: Migration.Kind.allCases)
    func versionsAreOneToNWithoutGaps(kind: Migration.Kind) {
        #expect(kind.migrations.map(\.version) == Array(1...kind.migrations.count))
        #expect(kind.knownVersion == kind.migrations.count)
    }

    @Test(arguments: Migration.Kind.allCases)
    func everyMigrationEndsByRecordingItself(kind: Migration.Kind) throws {
        for migration in kind.migrations {
            let last = try #require(migration.statements.last)
            #expect(
                last == "INSERT INTO edgelog.schema_migrations (version, name) VALUES (\(migration.version), '\(migration.name)')"
            )
        }
    }

    @Test func knownVersionsAreTheNewestMigrations() {
        #expect(SchemaInstaller.knownVersion == Migration.Kind.shard.knownVersion)
        #expect(SchemaInstaller.knownCoordinatorVersion == Migration.Kind.coordinator.knownVersion)
    }

    /// The bounds file, the Swift histogram and the coordinator's latency_bucket rows (checked
    /// in the database by SchemaIntegrationTests) are one list.
    @Test func latencyBucketsFileMatchesTheHistogram() throws {
        let text = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("schemas/latency_buckets.txt"), encoding: .utf8)
        let bounds = text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }.compactMap { UInt64($0) }
        #expect(bounds == LatencyHistogram.upperBoundsMicros)
        #expect(LatencyHistogram.counters.count == bounds.count + 1)
    }
}
