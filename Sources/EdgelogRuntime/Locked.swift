import Foundation

/// A value guarded by a lock, for the few process-wide flags this library keeps (one bootstrap
/// per process). `@unchecked Sendable` is sound because `value` is only touched under `lock`.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLockedValue<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
