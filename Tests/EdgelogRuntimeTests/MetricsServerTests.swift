import EdgelogRuntime
import Foundation
import Logging
import Metrics
import Prometheus
import Testing

let quietLogger = Logger(label: "edgelog.test") { _ in SwiftLogNoOpLogHandler() }

/// Parses Prometheus text exposition into `series → value`, where a series is `name` or
/// `name{labels}` exactly as written. Comment lines (`# HELP`, `# TYPE`) and blank lines are skipped.
func parseExposition(_ text: String) throws -> [String: Double] {
    var samples: [String: Double] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
            throw HTTPTestClientError.malformedReply(String(line))
        }
        samples[String(line[..<space])] = value
    }
    return samples
}

struct MetricsServerTests {
    /// Each test has its own registry; the global swift-metrics bootstrap is never touched.
    static func bindServer(health: HealthStatus = HealthStatus()) async throws -> (MetricsServer, PrometheusCollectorRegistry) {
        let registry = PrometheusCollectorRegistry()
        let server = try await MetricsServer.bind(
            host: "127.0.0.1", port: 0, registry: registry, health: health, logger: quietLogger)
        return (server, registry)
    }

    @Test func scrapeReportsExactCounterValues() async throws {
        let (server, registry) = try await Self.bindServer()
        defer { Task { await server.close() } }
        #expect(server.port > 0)

        let factory = PrometheusMetricsFactory(registry: registry)
        let lines = Counter(label: "edgelog_test_lines_total", factory: factory)
        let dropped = Counter(label: "edgelog_test_dropped_total", dimensions: [("reason", "truncated")], factory: factory)
        let tasks = 4
        let incrementsPerTask = 250
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<tasks {
                group.addTask { for _ in 0..<incrementsPerTask { lines.increment() } }
            }
        }
        for _ in 0..<7 { dropped.increment() }

        let reply = try await httpRequest(path: "/metrics", port: server.port)
        #expect(reply.status == 200)
        #expect(reply.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(reply.headers["content-length"] == String(reply.body.utf8.count))
        let samples = try parseExposition(reply.body)
        #expect(samples["edgelog_test_lines_total"] == Double(tasks * incrementsPerTask))
        #expect(samples[#"edgelog_test_dropped_total{reason="truncated"}"#] == 7)
        #expect(reply.body.contains("# TYPE edgelog_test_lines_total counter"))
    }

    @Test func healthReportsWhatServicesSet() async throws {
        let health = HealthStatus()
        let (server, _) = try await Self.bindServer(health: health)
        defer { Task { await server.close() } }

        let healthy = try await httpRequest(path: "/health", port: server.port)
        #expect(healthy.status == 200)
        #expect(healthy.body == "ok\n")

        health.markUnhealthy("disk full\non /var")
        let unhealthy = try await httpRequest(path: "/health", port: server.port)
        #expect(unhealthy.status == 503)
        #expect(unhealthy.body == "unhealthy: disk full on /var\n")

        health.markHealthy()
        #expect(try await httpRequest(path: "/health?verbose=1", port: server.port).status == 200)
    }

    @Test func otherPathsAndMethodsAreRejected() async throws {
        let (server, _) = try await Self.bindServer()
        defer { Task { await server.close() } }

        #expect(try await httpRequest(path: "/", port: server.port).status == 404)
        #expect(try await httpRequest(path: "/metricsx", port: server.port).status == 404)
        let post = try await httpRequest(method: "POST", path: "/metrics", port: server.port)
        #expect(post.status == 405)
        #expect(post.headers["allow"] == "GET")
        #expect(post.headers["connection"] == "close")
    }

    @Test func portInUseIsATypedError() async throws {
        let (server, registry) = try await Self.bindServer()
        defer { Task { await server.close() } }
        let error = await #expect(throws: MetricsServerError.self) {
            try await MetricsServer.bind(
                host: "127.0.0.1", port: server.port, registry: registry, health: HealthStatus(), logger: quietLogger)
        }
        guard case .bindFailed("127.0.0.1", server.port, _) = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
    }
}
