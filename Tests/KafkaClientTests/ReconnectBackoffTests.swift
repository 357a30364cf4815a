import PipelineTestSupport
import KafkaClient
import Testing

struct ReconnectBackoffTests {
    /// 100 ms doubling, capped at 2 s: 100, 200, 400, 800, 1600, 2000, 2000 ms.
    @Test func nominalDelaysDoubleUpToTheCap() {
        let backoff = ReconnectBackoff(initial: .milliseconds(100), maximum: .seconds(2), multiplier: 2, jitter: 0)
        let delays = (0..<7).map { backoff.nominalDelay(afterFailures: $0) }
        #expect(delays == [100, 200, 400, 800, 1600, 2000, 2000].map { Duration.milliseconds($0) })
        #expect(backoff.nominalDelay(afterFailures: 10_000) == .seconds(2))
    }

    /// Every jittered delay lies in [(1 - jitter) × nominal, nominal], and the draws actually
    /// vary (a jitter that always returned the nominal value would fail the spread check).
    @Test func jitterStaysWithinItsBandAndSpreads() {
        var generator = SplitMix64(seed: 42)
        var lowest: [Duration] = Array(repeating: .seconds(100), count: 6)
        var highest: [Duration] = Array(repeating: .zero, count: 6)
        for _ in 0..<200 {
            var backoff = ReconnectBackoff(
                initial: .milliseconds(100),
                maximum: .seconds(10),
                multiplier: 2,
                jitter: 0.5
            )
            for failure in 0..<6 {
                let nominal = backoff.nominalDelay(afterFailures: failure)
                let delay = backoff.nextDelay(using: &generator)
                #expect(delay <= nominal)
                #expect(delay >= nominal * 0.5)
                lowest[failure] = min(lowest[failure], delay)
                highest[failure] = max(highest[failure], delay)
            }
        }
        for failure in 0..<6 {
            let nominal = ReconnectBackoff(initial: .milliseconds(100), maximum: .seconds(10)).nominalDelay(
                afterFailures: failure
            )
            #expect(highest[failure] - lowest[failure] > nominal * 0.3, "failure \(failure)")
        }
    }

    @Test func resetStartsOver() {
        var generator = SplitMix64(seed: 1)
        var backoff = ReconnectBackoff(initial: .milliseconds(50), maximum: .seconds(1), jitter: 0)
        #expect(backoff.nextDelay(using: &generator) == .milliseconds(50))
        #expect(backoff.nextDelay(using: &generator) == .milliseconds(100))
        #expect(backoff.failures == 2)
        backoff.reset()
        #expect(backoff.failures == 0)
        #expect(backoff.nextDelay(using: &generator) == .milliseconds(50))
    }
}
