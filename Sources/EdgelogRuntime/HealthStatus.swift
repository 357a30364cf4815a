import Synchronization
/// What `/health` answers: 200 `ok` while healthy, 503 with the reason once a service reports a
/// problem it cannot recover from by itself (disk full, lost its broker for too long). Services
/// share one instance and flip it; the HTTP handler only reads it.
public final class HealthStatus: Sendable {
    private let reason = Mutex<String?>(nil)

    public init() {}

    /// Nil while healthy, otherwise the reason reported by ``markUnhealthy(_:)``.
    public var problem: String? { reason.withLock { $0 } }

    /// Makes `/health` answer 503 with `reason` (one line; newlines are replaced by spaces).
    public func markUnhealthy(_ reason: String) {
        let line = String(reason.map { $0.isNewline ? " " : $0 })
        self.reason.withLock { $0 = line }
    }

    /// Makes `/health` answer 200 `ok` again.
    public func markHealthy() {
        reason.withLock { $0 = nil }
    }
}
