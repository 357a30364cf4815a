import KafkaClient

/// How the shipper retries a call that needs the broker (topic metadata at start, a file's
/// producer id, a Produce request that could not be sent): after each failure it waits an
/// exponentially growing delay with jitter (`ReconnectBackoff`, capped by
/// `reconnect-backoff-max`), so a broker that is down is not hammered and a fleet of shippers
/// does not retry in lock step; a success starts the delays from the beginning again.
///
/// One value per retried activity (they are not shared). The waits run on `clock`, so tests
/// drive them with a manual clock. A wait ends early when the task is cancelled, and
/// `retry(_:)` then makes no further attempt.
struct RetryBackoff<C: Clock>: Sendable where C.Duration == Duration {
    /// What one attempt came to.
    enum Attempt<Value> {
        case succeeded(Value)
        /// Worth trying again after the next delay.
        case failed
        /// Can never succeed (the client shut down): no further attempt.
        case abandoned
    }

    private var delays: ReconnectBackoff
    private var random = SystemRandomNumberGenerator()
    let clock: C

    init(_ delays: ReconnectBackoff, clock: C) {
        self.delays = delays
        self.clock = clock
    }

    /// Failures since the last success.
    var failures: Int { delays.failures }

    /// An attempt succeeded: the next failure waits the first delay again.
    mutating func succeeded() {
        delays.reset()
    }

    /// Counts one failure and returns how long to wait before the next attempt (the caller
    /// may log it, then `wait(_:)`).
    mutating func failed() -> Duration {
        delays.nextDelay(using: &random)
    }

    /// Waits `delay` on the clock; returns early when the task is cancelled.
    func wait(_ delay: Duration) async {
        try? await clock.sleep(for: delay)
    }

    /// Calls `attempt` until it succeeds, waiting after every failure.
    ///
    /// - Returns: the attempt's value; `nil` when it was abandoned or the task was cancelled.
    mutating func retry<Value>(_ attempt: () async -> Attempt<Value>) async -> Value? {
        while !Task.isCancelled {
            switch await attempt() {
            case .succeeded(let value):
                succeeded()
                return value
            case .abandoned:
                return nil
            case .failed:
                await wait(failed())
            }
        }
        return nil
    }
}
