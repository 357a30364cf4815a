#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Delays between connection attempts: exponential growth with a cap, and random jitter so a
/// fleet of shippers that lost the broker at the same moment does not reconnect in lock step
/// (DESIGN §3).
///
/// Attempt `n` (0-based, counting failures since the last success) waits
/// `min(maximum, initial × multiplier^n)` scaled by a factor drawn uniformly from
/// `[1 - jitter, 1]`, so the delay never exceeds the cap and never drops below
/// `(1 - jitter)` of the nominal value.
public struct ReconnectBackoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration
    public var multiplier: Double
    /// Fraction of each delay that is random, in `0...1`.
    public var jitter: Double
    /// Failures since the last success.
    public private(set) var failures: Int = 0

    public init(
        initial: Duration = .milliseconds(100),
        maximum: Duration = .seconds(10),
        multiplier: Double = 2,
        jitter: Double = 0.2
    ) {
        precondition(initial >= .zero && maximum >= initial, "0 <= initial <= maximum")
        precondition(multiplier >= 1, "the backoff must not shrink")
        precondition((0...1).contains(jitter), "jitter is a fraction")
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = jitter
    }

    /// The nominal (jitter-free) delay after `failures` failures.
    public func nominalDelay(afterFailures failures: Int) -> Duration {
        let initialSeconds = Self.seconds(initial)
        let maximumSeconds = Self.seconds(maximum)
        // pow overflows to +inf for large counts, which min() then caps.
        let grown = initialSeconds * pow(multiplier, Double(failures))
        return .nanoseconds(Int64((min(grown, maximumSeconds) * 1e9).rounded()))
    }

    /// Records one more failure and returns how long to wait before the next attempt.
    public mutating func nextDelay(using generator: inout some RandomNumberGenerator) -> Duration {
        let nominal = Self.seconds(nominalDelay(afterFailures: failures))
        failures += 1
        let factor = jitter == 0 ? 1 : Double.random(in: (1 - jitter)...1, using: &generator)
        return .nanoseconds(Int64((nominal * factor * 1e9).rounded()))
    }

    /// A connection attempt succeeded: the next failure starts from ``initial`` again.
    public mutating func reset() {
        failures = 0
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
