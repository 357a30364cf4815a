import Foundation
import Testing

@testable import ShipperCore

/// The encoder count's default on hosts with and without a container CPU quota, from cgroup
/// files written into a temporary directory.
@Suite struct AvailableCoresTests {
    private func root(_ files: [String: String]) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cgroup-\(UUID().uuidString)").path
        for (path, text) in files {
            let full = "\(root)/\(path)"
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        return root
    }

    @Test func cgroupV2QuotaCapsTheProcessors() throws {
        let quota = try root(["cpu.max": "150000 100000\n"])
        defer { try? FileManager.default.removeItem(atPath: quota) }
        #expect(AvailableCores.count(cgroupRoot: quota, processors: 64) == 2)  // 1.5 CPUs, rounded up
        #expect(AvailableCores.count(cgroupRoot: quota, processors: 1) == 1)
        let unlimited = try root(["cpu.max": "max 100000"])
        defer { try? FileManager.default.removeItem(atPath: unlimited) }
        #expect(AvailableCores.count(cgroupRoot: unlimited, processors: 8) == 8)
    }

    @Test func cgroupV1QuotaCapsTheProcessors() throws {
        let quota = try root(["cpu/cpu.cfs_quota_us": "300000", "cpu/cpu.cfs_period_us": "100000"])
        defer { try? FileManager.default.removeItem(atPath: quota) }
        #expect(AvailableCores.count(cgroupRoot: quota, processors: 16) == 3)
        let none = try root(["cpu/cpu.cfs_quota_us": "-1", "cpu/cpu.cfs_period_us": "100000"])
        defer { try? FileManager.default.removeItem(atPath: none) }
        #expect(AvailableCores.count(cgroupRoot: none, processors: 16) == 16)
    }

    @Test func missingOrMalformedFilesMeanNoQuota() throws {
        let empty = try root([:])
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(AvailableCores.count(cgroupRoot: empty, processors: 4) == 4)
        let garbage = try root(["cpu.max": "lots"])
        defer { try? FileManager.default.removeItem(atPath: garbage) }
        #expect(AvailableCores.count(cgroupRoot: garbage, processors: 4) == 4)
    }
}
