import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The PostgreSQL server binaries the harness runs, and the account they run as.
///
/// Binaries come from `$EDGELOG_PG_BIN` if set, else the highest version under
/// `/usr/lib/postgresql/<major>/bin` (Debian's layout; the server tools are not on PATH there,
/// and PATH might hold a different client version). The server refuses to run as root, so when
/// the test process is root (CI), every tool runs as the `postgres` user through
/// `runuser -u postgres --`; otherwise tools run directly as the current user.
public struct PostgresInstallation: Sendable {
    public let binDirectory: String
    /// Major version from the directory name (15 for `/usr/lib/postgresql/15/bin`), 0 if unknown.
    public let majorVersion: Int
    /// The account the server runs as when we are root: uid and gid of `postgres`.
    let serverAccount: (uid: uid_t, gid: gid_t)?

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func find(root: String = "/usr/lib/postgresql") throws -> PostgresInstallation {
        let environment = ProcessInfo.processInfo.environment
        let binDirectory: String
        let majorVersion: Int
        if let override = environment["EDGELOG_PG_BIN"], !override.isEmpty {
            binDirectory = override
            majorVersion = Int(URL(fileURLWithPath: override).deletingLastPathComponent().lastPathComponent) ?? 0
        } else {
            let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
                .compactMap { Int($0) }
                .filter { FileManager.default.isExecutableFile(atPath: "\(root)/\($0)/bin/initdb") }
            guard let highest = versions.max() else {
                throw Failure(
                    description:
                        "no PostgreSQL server under \(root)/<version>/bin (apt-get install postgresql), or set EDGELOG_PG_BIN"
                )
            }
            binDirectory = "\(root)/\(highest)/bin"
            majorVersion = highest
        }
        for tool in ["initdb", "pg_ctl", "postgres"]
        where !FileManager.default.isExecutableFile(atPath: "\(binDirectory)/\(tool)") {
            throw Failure(description: "\(binDirectory)/\(tool) is missing or not executable")
        }
        var account: (uid_t, gid_t)?
        if geteuid() == 0 {
            guard let entry = getpwnam("postgres") else {
                throw Failure(description: "running as root but there is no postgres user to run the server as")
            }
            account = (entry.pointee.pw_uid, entry.pointee.pw_gid)
        }
        return PostgresInstallation(binDirectory: binDirectory, majorVersion: majorVersion, serverAccount: account)
    }

    public func path(of tool: String) -> String { "\(binDirectory)/\(tool)" }

    /// Whether tools run as the `postgres` user (we are root).
    public var runsAsPostgresUser: Bool { serverAccount != nil }

    /// Hands `path` to the server account (no-op when not root), so the server can write there.
    func giveToServer(_ path: String) throws {
        guard let (uid, gid) = serverAccount else { return }
        guard chown(path, uid, gid) == 0 else {
            throw Failure(description: "chown \(path) to postgres: \(String(cString: strerror(errno)))")
        }
    }

    /// Runs `tool arguments...` to completion as the server account, from `directory`, with a
    /// fixed C-locale environment; output (stdout and stderr interleaved) goes to `outputPath`.
    func run(_ tool: String, _ arguments: [String], in directory: String, outputPath: String) throws -> ExitStatus {
        let environment = ["PATH": "/usr/bin:/bin", "LC_ALL": "C", "LANG": "C", "TZ": "UTC"]
        if runsAsPostgresUser {
            return try ProcessSpawn.run(
                executable: try ExternalTool.locate("runuser"),
                arguments: ["-u", "postgres", "--", path(of: tool)] + arguments,
                environment: environment,
                outputPath: outputPath,
                workingDirectory: directory
            )
        }
        return try ProcessSpawn.run(
            executable: path(of: tool),
            arguments: arguments,
            environment: environment,
            outputPath: outputPath,
            workingDirectory: directory
        )
    }
}
