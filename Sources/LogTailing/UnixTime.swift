#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock time as the logs and checkpoints carry it: milliseconds since the Unix epoch
/// (`CLOCK_REALTIME`), for times that must mean the same after a restart (`Checkpoint.missingSince`,
/// the Kafka timestamp of records without a time of their own).
public enum UnixTime {
    public static func milliseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000 + Int64(time.tv_nsec) / 1_000_000
    }
}
