import Logging
import EdgelogSchema
import KafkaClient
import PostgresSink

/// Drives one shard flush to its end, beside the consumer loop.
enum FlushRunner {
    /// Runs one flush to the end: retried with backoff while the shard is unreachable (the
    /// same flush, so the compare-and-set sorts out a commit whose answer was lost).
    static func run(
        _ flush: ShardFlush,
        with writer: ShardWriter,
        mailbox: WriterMailbox,
        metrics: ConsumerMetrics,
        logger: Logger,
        configuration: ConsumerConfiguration
    ) async {
        var backoff = ReconnectBackoff(maximum: configuration.retryBackoffMax)
        var random = SystemRandomNumberGenerator()
        let failures = metrics.flushFailures(shard: flush.shard)
        while true {
            let started = ContinuousClock.now
            metrics.flushesInProgress.increment(by: 1)
            do {
                let outcome = try await writer.commit(flush)
                metrics.flushesInProgress.decrement(by: 1)
                let elapsed = ContinuousClock.now - started
                metrics.flushSeconds.recordNanoseconds(
                    elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
                mailbox.post(.finished(shard: flush.shard, outcome: outcome))
                return
            } catch {
                metrics.flushesInProgress.decrement(by: 1)
                guard isRetryable(error) else {
                    mailbox.post(.fatal(shard: flush.shard, error: error))
                    return
                }
                failures.increment()
                let delay = backoff.nextDelay(using: &random)
                logger.warning(
                    "shard flush failed; retrying",
                    metadata: [
                        "shard": "\(flush.shard)", "shard.database": "\(writer.description)", "error": "\(error)",
                        "retry.in": "\(delay)",
                    ])
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    mailbox.post(.fatal(shard: flush.shard, error: CancellationError()))
                    return
                }
            }
        }
    }


    /// Whether retrying can help: not for a fence, another cluster, a wrong schema, or a stop.
    ///
    /// A PostgreSQL error is retried only when it is about the connection or the server's
    /// state (SQLSTATE classes 08, 53, 57, 58; serialization failures and deadlocks, 40001 and
    /// 40P01; lock timeouts, 55P03). A data or statement error (an overflowing counter, a
    /// missing partition, a constraint) would fail the same way forever and hold every
    /// partition back, so it stops the consumer with the error instead.
    static func isRetryable(_ error: any Error) -> Bool {
        switch error {
        case is ConsumerError, is SchemaCheckFailure, is CancellationError:
            return false
        case let error as PostgresError:
            if error.code == .connectionFailed || error.code == .connectionLost { return true }
            if error.code == .invalidParameter || error.code == .unexpectedResult { return false }
            guard let state = error.sqlState else { return true }  // no answer from the server
            if ["40001", "40P01", "55P03", "57014"].contains(state) { return true }
            return ["08", "53", "57", "58"].contains(String(state.prefix(2)))
        default:
            return true
        }
    }

}
