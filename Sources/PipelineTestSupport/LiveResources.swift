import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Something the harness started that must not outlive the test process.
protocol HarnessResource: AnyObject, Sendable {
    /// Stops the resource; idempotent, never throws, safe to call from any thread.
    func stop()
}

/// Every cluster and process the harness has started and not yet stopped, held weakly.
///
/// Three layers make sure what the harness starts gets stopped: the scoped helpers and traits
/// stop at the end of their scope (even when the test throws); `deinit` stops a resource that
/// was simply dropped; and an `atexit` hook stops whatever is still registered when the test
/// process exits normally (e.g. something kept in a `static let`). A process that dies
/// abnormally runs none of these; the next run reclaims its leftovers (`ScratchDirectory`).
enum LiveResources {
    private struct WeakReference: @unchecked Sendable {
        weak var resource: (any HarnessResource)?
    }

    private static let registry = Mutex<[ObjectIdentifier: WeakReference]>([:])

    private static let exitHook: Void = {
        atexit { LiveResources.stopAll() }
    }()

    static func register(_ resource: any HarnessResource) {
        _ = exitHook
        registry.withLock { $0[ObjectIdentifier(resource)] = WeakReference(resource: resource) }
    }

    static func unregister(_ resource: any HarnessResource) {
        _ = registry.withLock { $0.removeValue(forKey: ObjectIdentifier(resource)) }
    }

    /// Stops everything still registered. Resources are collected under the lock and stopped
    /// outside it, because `stop()` unregisters.
    static func stopAll() {
        let live = registry.withLock { entries in
            defer { entries.removeAll() }
            return entries.values.compactMap(\.resource)
        }
        for resource in live { resource.stop() }
    }
}
