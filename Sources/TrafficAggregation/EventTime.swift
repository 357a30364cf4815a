/// Event-time minutes: the window key of every aggregate row (DESIGN §5, one minute, UTC).
///
/// A minute is the epoch second its window starts at, a multiple of 60. Division floors
/// toward negative infinity, so a time before 1970 lands in the minute that contains it
/// (-1 µs is in minute -60, not 0). Every value of `Int64` maps without overflow.
public enum EventTime {
    public static let microsecondsPerMinute: Int64 = 60_000_000
    public static let millisecondsPerMinute: Int64 = 60_000

    /// The minute (epoch seconds) containing `micros` µs since the epoch.
    @inlinable
    public static func minute(ofMicros micros: Int64) -> Int64 {
        floorDivide(micros, microsecondsPerMinute) &* 60
    }

    /// The minute (epoch seconds) containing `millis` ms since the epoch (a Kafka timestamp).
    @inlinable
    public static func minute(ofMillis millis: Int64) -> Int64 {
        floorDivide(millis, millisecondsPerMinute) &* 60
    }

    /// The epoch day (days since 1970-01-01 UTC) containing `seconds` since the epoch: the key
    /// of the shards' daily minute partitions.
    @inlinable
    public static func day(ofSeconds seconds: Int64) -> Int64 {
        floorDivide(seconds, 86_400)
    }

    /// `value / divisor` rounded toward negative infinity; `divisor` > 0.
    @inlinable
    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }
}
