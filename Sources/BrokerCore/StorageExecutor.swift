import NIOCore

/// Where blocking storage work (appends, reads, fsyncs, state-file writes) runs, so that it
/// never holds an event loop. The result comes back as a future on the caller's loop.
///
/// The server uses a thread pool (`ThreadPoolStorageExecutor` in `BrokerServer.swift`, the one
/// file that may touch NIOPosix); unit tests on `EmbeddedChannel` use ``InlineStorageExecutor``,
/// which runs the work immediately so tests stay deterministic.
public protocol StorageExecutor: Sendable {
    func submit<Value: Sendable>(
        on eventLoop: any EventLoop,
        _ work: @escaping @Sendable () throws -> Value
    ) -> EventLoopFuture<Value>
}

/// Runs the work on the calling thread at once. For tests and tools only: on a real event loop
/// it would block the loop for as long as the I/O takes.
public struct InlineStorageExecutor: StorageExecutor {
    public init() {}

    public func submit<Value: Sendable>(
        on eventLoop: any EventLoop,
        _ work: @escaping @Sendable () throws -> Value
    ) -> EventLoopFuture<Value> {
        do {
            return eventLoop.makeSucceededFuture(try work())
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }
}
