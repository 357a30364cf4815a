import EdgelogConfiguration
import EdgelogRuntime
import LogTailing
import PipelineTestSupport
import Testing

@testable import ShipperCore

/// The shipper's keys through the shared runtime resolution (flags > environment > file >
/// defaults), into a validated configuration.
@Suite struct ShipperConfigurationTests {
    static func resolve(_ flags: [String: String?], environment: [String: String] = [:]) throws -> ShipperConfiguration
    {
        let resolved = try RuntimeOptions.parse(settingArguments(flags)).resolve(
            keys: ShipperConfiguration.Keys.all,
            environment: environment
        )
        return try ShipperConfiguration(resolved: resolved, drainTimeout: .seconds(8))
    }

    @Test func defaultsAreTheDocumentedOnes() throws {
        let configuration = try Self.resolve(["files": "/var/log/nginx/access.log", "edge-name": "edge-1"])
        #expect(configuration.sources == [LogSource(pattern: "/var/log/nginx/access.log")])
        #expect(configuration.topic == "edgelog.requests")
        #expect(configuration.broker == "127.0.0.1:9092")
        #expect(configuration.batchBytes == 1 << 20)
        #expect(configuration.linger == .milliseconds(100))
        #expect(configuration.maxInFlightPerPartition == 5)
        #expect(configuration.memoryLimit == 64 << 20)
        #expect(configuration.tailer.startAt == .beginning)
        #expect(configuration.tailer.maxLineBytes == 64 << 10)
        #expect(configuration.tailer.missingFileExpiry == .seconds(24 * 3_600))
        #expect(configuration.tailer.deletedFileGrace == .seconds(30))
        #expect(configuration.edgeName == "edge-1")
        #expect(configuration.drainTimeout == .seconds(8))
        #expect(configuration.reconnectBackoffMax == .seconds(5))
        #expect(configuration.encoderTasks == ShipperConfiguration.defaultEncoderTasks)
        #expect(configuration.lz4Acceleration == 1)
    }

    @Test func flagsAndEnvironmentSetEveryKey() throws {
        let configuration = try Self.resolve(
            [
                "files": "/a.log:edge, /b.log@b.example", "site-label": "all.example", "start-at": "end",
                "batch-bytes": "64KiB", "linger": "5ms", "max-in-flight": "2", "memory-limit": "1MiB",
                "max-line-bytes": "4KiB", "poll-interval": "50ms", "drain-idle": "1s", "checkpoint-interval": "1s", "deleted-file-grace": "15m",
                "missing-file-expiry": "90m", "encoders": "3", "lz4-acceleration": "4",
            ],
            environment: ["EDGELOG_TOPIC": "t", "EDGELOG_BROKER": "10.0.0.1:9093", "EDGELOG_CHECKPOINT_DIR": "/c"]
        )
        #expect(
            configuration.sources == [
                LogSource(pattern: "/a.log", logFormat: "edge", siteLabel: "all.example"),
                LogSource(pattern: "/b.log", siteLabel: "b.example"),
            ]
        )
        #expect(configuration.tailer.startAt == .end)
        #expect(configuration.tailer.pollInterval == .milliseconds(50))
        #expect(configuration.tailer.drainIdle == .seconds(1))
        #expect(configuration.tailer.missingFileExpiry == .seconds(90 * 60))
        #expect(configuration.tailer.deletedFileGrace == .seconds(15 * 60))
        #expect(configuration.tailer.maxLineBytes == 4096)
        #expect(configuration.batchBytes == 65536)
        #expect(configuration.linger == .milliseconds(5))
        #expect(configuration.maxInFlightPerPartition == 2)
        #expect(configuration.memoryLimit == 1 << 20)
        #expect(configuration.checkpointInterval == .seconds(1))
        #expect(configuration.topic == "t")
        #expect(configuration.broker == "10.0.0.1:9093")
        #expect(configuration.checkpointDirectory == "/c")
        #expect(configuration.encoderTasks == 3)
        #expect(configuration.lz4Acceleration == 4)
    }

    @Test func valuesThatCannotWorkAreRefused() {
        #expect(throws: ShipperConfigurationError(.noFiles)) { try Self.resolve([:]) }
        #expect(throws: ShipperConfigurationError.self) {
            try Self.resolve(["files": "/a.log", "batch-bytes": "1MiB", "memory-limit": "1MiB"])
        }
        #expect(throws: ShipperConfigurationError.self) { try Self.resolve(["files": "/a.log", "max-in-flight": "0"]) }
        #expect(throws: ShipperConfigurationError.self) { try Self.resolve(["files": "/a.log", "batch-bytes": "100"]) }
        #expect(throws: ShipperConfigurationError.self) {
            try Self.resolve(["files": "/a.log", "format": "'$unclosed"])
        }
        #expect(throws: ConfigurationError.self) { try Self.resolve(["files": "/a.log", "start-at": "middle"]) }
        #expect(throws: ShipperConfigurationError.self) { try Self.resolve(["files": "/a.log", "lz4-acceleration": "0"]) }
        #expect(throws: ShipperConfigurationError.self) { try Self.resolve(["files": "/a.log", "encoders": "-1"]) }
    }
}
