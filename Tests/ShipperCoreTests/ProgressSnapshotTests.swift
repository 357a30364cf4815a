import Testing

@testable import ShipperCore

@Suite struct ProgressSnapshotTests {
    @Test func ratesComeFromTheDifferenceOverTheElapsedTime() {
        let start = ContinuousClock.now
        let earlier = ProgressSnapshot(
            time: start,
            lines: 1000,
            bytes: 1_000_000,
            acknowledged: 900,
            lagBytes: 0,
            batchesInFlight: 0,
            isPaused: false
        )
        let later = ProgressSnapshot(
            time: start + .seconds(2),
            lines: 5000,
            bytes: 5_000_000,
            acknowledged: 4800,
            lagBytes: 12_345_678,
            batchesInFlight: 7,
            isPaused: true
        )
        #expect(
            later.line(since: earlier)
                == "2000 lines/s  2.0 MB/s  acked 4800  lag 12.3 MB  in flight 7  (paused: memory limit)"
        )
    }

    @Test func noTimeElapsedGivesZeroRates() {
        let now = ContinuousClock.now
        let snapshot = ProgressSnapshot(
            time: now,
            lines: 10,
            bytes: 10,
            acknowledged: 10,
            lagBytes: 0,
            batchesInFlight: 0,
            isPaused: false
        )
        #expect(snapshot.line(since: snapshot) == "0 lines/s  0.0 MB/s  acked 10  lag 0.0 MB  in flight 0")
    }
}
