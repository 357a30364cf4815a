import KafkaProtocol
import Logging
import NIOCore
import NIOPosix

/// The Kafka listener and the storage thread pool: the only file of this library that touches
/// NIOPosix (sockets and threads), so everything else runs on `EmbeddedChannel` in tests.
///
/// Each accepted connection is first checked by the ``ConnectionRegistry`` (allow-list, limit),
/// then gets `ByteToMessageHandler(KafkaFrameDecoder(maxFrameBytes: max-request-bytes))` and a
/// ``KafkaServerHandler``.
public final class BrokerServer: Sendable {
    public let node: BrokerNode
    public let connections: ConnectionRegistry
    /// The address actually bound.
    public let localAddress: SocketAddress
    private let listener: any Channel
    private let threadPool: NIOThreadPool
    /// Interval fsyncs (fsync=interval) and retention runs.
    private let periodicTasks: [RepeatedTask]

    /// The TCP port actually bound (the OS-chosen one when 0 was configured).
    public var port: Int { localAddress.port ?? 0 }

    private init(
        node: BrokerNode,
        connections: ConnectionRegistry,
        localAddress: SocketAddress,
        listener: any Channel,
        threadPool: NIOThreadPool,
        periodicTasks: [RepeatedTask]
    ) {
        self.node = node
        self.connections = connections
        self.localAddress = localAddress
        self.listener = listener
        self.threadPool = threadPool
        self.periodicTasks = periodicTasks
    }

    /// Starts the storage threads and binds the listener on `listen-host:port`, then records the
    /// bound port in `node` (Metadata advertises it) and logs it.
    /// - Throws: ``BrokerError/Code/bindFailed``.
    public static func bind(
        node: BrokerNode,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> BrokerServer {
        let configuration = node.configuration
        let threadPool = NIOThreadPool(numberOfThreads: configuration.storageThreads)
        threadPool.start()
        let dispatcher = RequestDispatcher(node: node, executor: ThreadPoolStorageExecutor(pool: threadPool))
        let connections = ConnectionRegistry(
            allowedNetworks: configuration.allowedNetworks,
            maxConnections: configuration.maxConnections,
            metrics: node.metrics,
            logger: node.logger
        )
        let maxFrameBytes = configuration.maxRequestBytes
        let maxInFlight = configuration.maxInFlightRequestsPerConnection
        let bootstrap = ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                if connections.admit(channel) != nil {
                    return channel.close()
                }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(KafkaFrameDecoder(maxFrameBytes: maxFrameBytes))
                    )
                    try channel.pipeline.syncOperations.addHandler(
                        KafkaServerHandler(dispatcher: dispatcher, maxInFlight: maxInFlight)
                    )
                }
            }
        let listener: any Channel
        do {
            listener = try await bootstrap.bind(host: configuration.listenHost, port: configuration.port).get()
        } catch {
            try? await threadPool.shutdownGracefully()
            throw BrokerError(
                code: .bindFailed,
                message: "cannot listen on \(configuration.listenHost):\(configuration.port): \(error)"
            )
        }
        guard let localAddress = listener.localAddress, let port = localAddress.port else {
            try? await listener.close()
            try? await threadPool.shutdownGracefully()
            throw BrokerError(code: .bindFailed, message: "no local address after bind")
        }
        node.listenerBound(port: port)
        let periodicTasks = schedulePeriodicTasks(node: node, threadPool: threadPool, on: eventLoopGroup.next())
        node.logger.info(
            "kafka listener bound",
            metadata: [
                "address": "\(localAddress)", "port": "\(port)",
                "advertised": "\(configuration.effectiveAdvertisedHost):\(port)",
                "cluster-id": "\(node.clusterID)",
            ]
        )
        return BrokerServer(
            node: node,
            connections: connections,
            localAddress: localAddress,
            listener: listener,
            threadPool: threadPool,
            periodicTasks: periodicTasks
        )
    }

    /// Storage work on a timer, each run on the thread pool and the next one scheduled only once
    /// it finished (a slow disk never piles runs up).
    private static func schedulePeriodicTasks(
        node: BrokerNode,
        threadPool: NIOThreadPool,
        on eventLoop: any EventLoop
    ) -> [RepeatedTask] {
        var tasks: [RepeatedTask] = []
        if case .interval(let milliseconds) = node.configuration.durability {
            tasks.append(
                eventLoop.scheduleRepeatedAsyncTask(
                    initialDelay: .milliseconds(milliseconds),
                    delay: .milliseconds(milliseconds)
                ) { _ in
                    threadPool.runIfActive(eventLoop: eventLoop) { node.flushAll() }
                }
            )
        }
        let recoveryPointInterval = BrokerNode.recoveryPointIntervalMilliseconds
        tasks.append(
            eventLoop.scheduleRepeatedAsyncTask(
                initialDelay: .milliseconds(recoveryPointInterval),
                delay: .milliseconds(recoveryPointInterval)
            ) { _ in
                threadPool.runIfActive(eventLoop: eventLoop) { node.writeRecoveryPoints() }
            }
        )
        let interval = node.configuration.retentionCheckIntervalMilliseconds
        tasks.append(
            eventLoop.scheduleRepeatedAsyncTask(initialDelay: .milliseconds(interval), delay: .milliseconds(interval)) {
                _ in
                threadPool.runIfActive(eventLoop: eventLoop) { _ = node.enforceRetention() }
            }
        )
        return tasks
    }

    /// Completes when the listening socket is closed.
    public func listenerClosed() async throws {
        try await listener.closeFuture.get()
    }

    /// Stops accepting connections (open ones stay).
    public func stopAccepting() {
        listener.close(promise: nil)
    }

    /// Graceful shutdown: stop accepting, answer held fetches now, let every connection finish
    /// what it was sent (closing those still open after `drainTimeout`), then sync and close
    /// every partition log and stop the storage threads.
    public func shutdown(drainTimeout: Duration) async {
        stopAccepting()
        node.stopHoldingFetches()
        let connections = self.connections
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await connections.drain() }
            group.addTask {
                do {
                    try await Task.sleep(for: drainTimeout)
                } catch {
                    return
                }
                connections.closeAll()
            }
            await group.next()
            group.cancelAll()
        }
        for task in periodicTasks { task.cancel() }
        node.close()
        try? await threadPool.shutdownGracefully()
        node.logger.info("broker stopped", metadata: ["port": "\(port)"])
    }
}

/// Storage work on a fixed pool of threads, answered on the requesting event loop.
struct ThreadPoolStorageExecutor: StorageExecutor {
    let pool: NIOThreadPool

    func submit<Value: Sendable>(
        on eventLoop: any EventLoop,
        _ work: @escaping @Sendable () throws -> Value
    ) -> EventLoopFuture<Value> {
        pool.runIfActive(eventLoop: eventLoop, work)
    }
}
