import Foundation
import PipelineTestSupport
import Testing

/// The systemd units in `deploy/systemd/` carry the hardening deploy/README.md promises, and
/// systemd itself accepts them (`systemd-analyze verify`, in a scratch root holding the
/// system's own unit directory and stand-ins for the executables, so no warning is about a
/// binary this machine has not installed).
struct DeployUnitTests {
    private static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let units = ["edgelog-broker.service", "edgelog-shipper.service", "edgelog-consumer.service"]

    /// Settings every unit must have, with their values.
    static let hardening: [String: String] = [
        "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
        "PrivateDevices": "yes", "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes",
        "ProtectControlGroups": "yes", "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
        "CapabilityBoundingSet": "", "Restart": "on-failure", "RestartSec": "2s", "LimitNOFILE": "65536",
        "TimeoutStopSec": "45", "KillSignal": "SIGTERM",
    ]

    @Test(arguments: units)
    func unitIsHardened(unit: String) throws {
        let text = try String(
            contentsOf: Self.repositoryRoot.appendingPathComponent("deploy/systemd/\(unit)"), encoding: .utf8)
        var settings: [String: [String]] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("[") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            settings[String(line[..<equals]), default: []].append(String(line[line.index(after: equals)...]))
        }
        for (key, value) in Self.hardening {
            #expect(settings[key] == [value], "\(unit): \(key)=\(value), found \(settings[key] ?? [])")
        }
        // A user of its own, never root.
        let user = settings["User"]?.first ?? ""
        #expect(settings["DynamicUser"] == ["yes"] || (user.hasPrefix("edgelog-") && settings["Group"] == [user]), "\(unit): \(settings["User"] ?? [])")
        #expect(settings["ExecStart"]?.first?.hasPrefix("/usr/local/bin/edgelog-") == true)
        if unit == "edgelog-shipper.service" {
            #expect(settings["SupplementaryGroups"] == ["adm"], "the shipper reads /var/log/nginx (www-data:adm 0640)")
        }
    }

    @Test func systemdAcceptsTheUnits() async throws {
        guard let analyze = try? ExternalTool.locate("systemd-analyze") else {
            // systemd is not part of every build image; the static checks above still run.
            return
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("edgelog-units-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let files = FileManager.default
        try files.createDirectory(atPath: "\(root)/usr/local/bin", withIntermediateDirectories: true)
        try files.createDirectory(atPath: "\(root)/etc/systemd/system", withIntermediateDirectories: true)
        try files.createDirectory(atPath: "\(root)/lib/systemd", withIntermediateDirectories: true)
        try files.copyItem(atPath: "/lib/systemd/system", toPath: "\(root)/lib/systemd/system")
        for unit in Self.units {
            let name = String(unit.dropLast(".service".count))
            try files.copyItem(atPath: "/bin/true", toPath: "\(root)/usr/local/bin/\(name)")
            try files.copyItem(
                atPath: Self.repositoryRoot.appendingPathComponent("deploy/systemd/\(unit)").path,
                toPath: "\(root)/etc/systemd/system/\(unit)")
        }
        let result = try await ExternalTool.run(
            analyze, ["verify", "--man=no", "--root=\(root)"] + Self.units.map { "\(root)/etc/systemd/system/\($0)" })
        #expect(result.status == 0 && result.stderrText.isEmpty && result.stdoutText.isEmpty,
            "systemd-analyze verify: \(result.status)\n\(result.stdoutText)\(result.stderrText)")
    }
}
