import Foundation

/// A value guarded by a lock, for the little state the shipper's pipeline shares with the
/// tasks around it (the inbox, the outbound queue). Every access goes through `withLock`, which
/// is why `@unchecked Sendable` is sound.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
