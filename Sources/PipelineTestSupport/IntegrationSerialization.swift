import Testing

/// One process-wide lock that integration suites hold while they run, so they run one at a
/// time even though swift-testing runs suites in parallel (`.serialized` only orders the tests
/// *inside* a suite). Integration suites start PostgreSQL clusters and our servers; on a
/// 2-core CI machine two of them at once mostly produce timeouts.
///
/// Reentrant per task tree: a scope that already holds it (a suite with both `.integration` and
/// `.postgresCluster`, or nested suites) runs its body directly instead of deadlocking.
actor IntegrationLock {
    static let shared = IntegrationLock()

    @TaskLocal static var isHeld = false

    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    private func acquire() async {
        guard held else {
            held = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty {
            held = false
        } else {
            waiters.removeFirst().resume()
        }
    }

    /// Runs `body` holding the lock.
    static func run<T>(_ body: () async throws -> T) async throws -> T {
        if isHeld { return try await body() }
        await shared.acquire()
        do {
            let result = try await $isHeld.withValue(true) { try await body() }
            await shared.release()
            return result
        } catch {
            await shared.release()
            throw error
        }
    }
}

/// `@Suite(.serialized, .integration)`: the suite runs while no other integration suite runs.
public struct IntegrationTrait: SuiteTrait, TestScoping {
    public var isRecursive: Bool { false }

    public func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        try await IntegrationLock.run { try await function() }
    }
}

extension Trait where Self == IntegrationTrait {
    /// Serialises this suite against every other integration suite in the test process.
    public static var integration: Self { Self() }
}

/// `@Suite(.serialized, .postgresCluster)`: one fresh cluster for the whole suite, reachable as
/// `PostgresCluster.current` inside its tests, always stopped when the suite ends (pass or fail).
/// Implies `.integration`.
public struct PostgresClusterTrait: SuiteTrait, TestScoping {
    public var configuration: PostgresCluster.Configuration
    public var isRecursive: Bool { false }

    public func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        try await IntegrationLock.run {
            try await withPostgresCluster(configuration) { cluster in
                try await PostgresCluster.$current.withValue(cluster) { try await function() }
            }
        }
    }
}

extension Trait where Self == PostgresClusterTrait {
    /// A PostgreSQL cluster with the harness defaults for the whole suite.
    public static var postgresCluster: Self { Self(configuration: PostgresCluster.Configuration()) }

    /// A PostgreSQL cluster configured by `configuration` for the whole suite.
    public static func postgresCluster(_ configuration: PostgresCluster.Configuration) -> Self {
        Self(configuration: configuration)
    }
}
