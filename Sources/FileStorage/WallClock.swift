import Foundation

/// Milliseconds since the Unix epoch, injected so tests can age segments without sleeping.
public struct WallClock: Sendable {
    private let read: @Sendable () -> Int64

    public init(_ read: @escaping @Sendable () -> Int64) {
        self.read = read
    }

    /// The system's real-time clock.
    public static let system = WallClock { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    public func milliseconds() -> Int64 { read() }
}
