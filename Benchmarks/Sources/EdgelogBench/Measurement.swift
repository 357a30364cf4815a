#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One stage's result: the best of its repetitions (the machine is shared, so the best run is
/// the one least disturbed by other processes), by wall clock and by this thread's CPU time.
struct Measurement {
    var name: String
    var wallSeconds: Double
    var cpuSeconds: Double
    var lines: Int
    var rawBytes: Int
    var note: String = ""

    var linesPerSecond: Double { Double(lines) / wallSeconds }
    var megabytesPerSecond: Double { Double(rawBytes) / 1_000_000 / wallSeconds }
}

/// Seconds of CPU this thread has used.
func threadCPUSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// Seconds on a monotonic wall clock.
func wallSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// Runs `body` `repetitions` times and keeps the fastest run (wall clock), with its CPU time.
func measure(
    _ name: String,
    repetitions: Int,
    lines: Int,
    rawBytes: Int,
    _ body: () throws -> Void
) rethrows -> Measurement {
    var best = Measurement(name: name, wallSeconds: .infinity, cpuSeconds: 0, lines: lines, rawBytes: rawBytes)
    for _ in 0..<repetitions {
        let wallStart = wallSeconds()
        let cpuStart = threadCPUSeconds()
        try body()
        let wall = wallSeconds() - wallStart
        let cpu = threadCPUSeconds() - cpuStart
        if wall < best.wallSeconds {
            best.wallSeconds = wall
            best.cpuSeconds = cpu
        }
    }
    return best
}

/// Keeps a value alive so the optimiser cannot drop the work that computed it.
@inline(never)
func consume<T>(_ value: T) {
    withExtendedLifetime(value) {}
}
