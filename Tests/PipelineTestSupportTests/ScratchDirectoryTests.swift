import Foundation
import Testing

@testable import PipelineTestSupport

#if canImport(Glibc)
import Glibc
#endif

struct ScratchDirectoryTests {
    @Test func directoryOfALiveOwnerIsNotReclaimedButOneOfAVanishedOwnerIs() throws {
        let kind = "selftest\(getpid())"
        let directory = try ScratchDirectory.create(kind: kind)
        defer { directory.remove() }
        #expect(directory.path.hasPrefix("\(ScratchDirectory.base)/edgelog-\(kind)-"))
        let mode = try #require(FileManager.default.attributesOfItem(atPath: directory.path)[.posixPermissions] as? Int)
        #expect(mode == 0o755)
        #expect(!ScratchDirectory.abandoned(kind: kind).contains { $0.path == directory.path })

        // Same pid, different start time: the pid was recycled, the owner is gone.
        try Data("\(getpid()) 1\n".utf8).write(to: URL(fileURLWithPath: directory.ownerFile))
        #expect(ScratchDirectory.abandoned(kind: kind).map(\.path) == [directory.path])
    }

    @Test func startTimeMatchesAwkReadingOfProcStat() async throws {
        // awk splits on whitespace, which is right here: our command name has no spaces.
        let awk = try await ExternalTool.run("awk", ["{ print $22 }", "/proc/\(getpid())/stat"])
        let expected = try #require(UInt64(awk.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(ProcessIdentity.startTime(of: getpid()) == expected)
        #expect(ProcessIdentity(pid: getpid(), startTime: expected).isAlive)
        #expect(!ProcessIdentity(pid: getpid(), startTime: expected + 1).isAlive)
    }
}

/// Leftovers of a test process that died are stopped by the next run. We fake the death by
/// rewriting the owner file with a start time our pid never had.
@Suite(.serialized, .integration)
struct ReclaimTests {
    private func orphan(_ directory: String) throws {
        try Data("\(getpid()) 1\n".utf8).write(to: URL(fileURLWithPath: "\(directory)/owner"))
    }

    @Test func abandonedClusterIsStoppedAndRemoved() async throws {
        let cluster = try await PostgresCluster.start()
        defer { cluster.stop() }
        try orphan(cluster.directory)
        let abandoned = ScratchDirectory.abandoned(kind: "pg").filter { $0.path == cluster.directory }
        try #require(abandoned.count == 1)

        await OffPool.run { PostgresCluster.reclaim(abandoned, using: cluster.installation) }
        #expect(!LoopbackProbe.isListening(port: cluster.port))
        #expect(!FileManager.default.fileExists(atPath: cluster.directory))
    }

    @Test func abandonedProcessIsKilledAndItsFilesRemoved() async throws {
        let process = try ManagedProcess.start(executable: "/bin/sleep", arguments: ["300"])
        defer { process.stop() }
        try orphan(process.directory)
        let abandoned = ScratchDirectory.abandoned(kind: "proc").filter { $0.path == process.directory }
        try #require(abandoned.count == 1)

        ManagedProcess.reclaim(abandoned)
        #expect(try await process.waitForExit(timeout: .seconds(5)) == .signaled(SIGKILL))
        #expect(!FileManager.default.fileExists(atPath: process.directory))
    }
}
