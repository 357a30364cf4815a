import Foundation
import PipelineTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `deploy/logrotate/nginx` run by the real `logrotate` against Debian's real nginx (paths
/// pointed at a scratch prefix): a forced rotation renames `access.log` to `access.log.1`, the
/// `postrotate` USR1 makes nginx write to a new `access.log`, and `delaycompress` keeps
/// `access.log.1` uncompressed until the next rotation, which compresses it to
/// `access.log.2.gz` (skipped by the shipper, which recognises gzip's first bytes).
@Suite(.serialized, .integration)
struct LogrotateSnippetTests {
    private static let snippet = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/logrotate/nginx")

    @Test func renameAndReopenWithDelayedCompression() async throws {
        let port = try FreePort.next()
        let nginx = try NginxProcess { _ in
            """
            \(geteuid() == 0 ? "user nobody nogroup;" : "")
            worker_processes 1;
            pid nginx.pid;
            events { worker_connections 64; }
            http {
                log_format edge \(EdgeProxyConfiguration.edgeLogFormat);
                access_log logs/access.log edge;
                client_body_temp_path temp/client_body;
                proxy_temp_path temp/proxy;
                fastcgi_temp_path temp/fastcgi;
                uwsgi_temp_path temp/uwsgi;
                scgi_temp_path temp/scgi;
                server { listen 127.0.0.1:\(port); location / { return 200 "ok\\n"; } }
            }
            """
        }
        defer { nginx.remove() }
        for directory in ["logs", "temp"] {
            // 0755 whatever the umask, like /var/log/nginx: workers (nobody when the test is
            // root) reopen the log after USR1 and must reach it.
            try FileManager.default.createDirectory(
                atPath: "\(nginx.prefix)/\(directory)", withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        }
        try await nginx.start(listeningOn: [port])
        let logs = "\(nginx.prefix)/logs"

        // The snippet with its paths moved into the prefix; `create` keeps the rotated file's
        // owner (the test may not be root, and www-data may not exist).
        let configuration = try String(contentsOf: Self.snippet, encoding: .utf8)
            .replacingOccurrences(of: "/var/log/nginx/", with: "\(logs)/")
            .replacingOccurrences(of: "/run/nginx.pid", with: nginx.pidPath)
            .replacingOccurrences(of: "create 0640 www-data adm", with: "create 0640")
        #expect(configuration.contains("delaycompress") && configuration.contains("nocopytruncate"))
        let configurationPath = "\(nginx.prefix)/logrotate.conf"
        try configuration.write(toFile: configurationPath, atomically: true, encoding: .utf8)

        func request(_ path: String) throws {
            let reply = try LoopbackProbe.httpGet(port: port, path: path)
            #expect(reply.status == 200)
        }
        func rotate() async throws {
            let result = try await ExternalTool.run(
                "logrotate", ["-f", "-s", "\(nginx.prefix)/logrotate.state", configurationPath])
            #expect(result.status == 0, "logrotate: \(result.stderrText)")
        }
        func contents(_ name: String) -> String { (try? String(contentsOfFile: "\(logs)/\(name)", encoding: .utf8)) ?? "" }

        try request("/first")
        try await rotate()
        #expect(contents("access.log.1").contains("GET /first "), "renamed, not copied")
        // The postrotate USR1 made nginx reopen: the next line goes to a new access.log.
        try await waitUntil("nginx writes to the new access.log") {
            try request("/second")
            return contents("access.log").contains("GET /second ")
        }
        #expect(!contents("access.log.1").contains("GET /second "), "nothing after the reopen in access.log.1")

        try await rotate()
        let gzip = try Data(contentsOf: URL(fileURLWithPath: "\(logs)/access.log.2.gz"))
        #expect(gzip.prefix(2) == Data([0x1f, 0x8b]), "the older generation is compressed at the next rotation")
        #expect(contents("access.log.1").contains("GET /second "), "the newest generation stays plain (delaycompress)")
        #expect(try await nginx.quit() == .exited(0), "\(nginx.logs())")
    }

    func waitUntil(_ what: String, _ condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while try !condition() {
            guard ContinuousClock.now < deadline else { throw NginxProcess.Failure(description: "never: \(what)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
