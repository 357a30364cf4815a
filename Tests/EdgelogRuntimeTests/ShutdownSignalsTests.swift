import Foundation
import Logging
import Testing

@testable import EdgelogRuntime

/// The signal handling is in force the moment it is installed: a SIGTERM raised right after
/// `installed` returns is received. (With a `DispatchSource`, registered asynchronously by
/// libdispatch, a signal in that window was ignored and lost.)
@Suite(.serialized)
struct ShutdownSignalsTests {
    @Test func aSignalRightAfterInstallationIsReceived() async throws {
        let signals = ShutdownSignals.installed(logger: Logger(label: "test.signals"))
        defer {
            // The test process keeps its usual reaction to ^C and a supervisor's SIGTERM.
            signal(SIGTERM, SIG_DFL)
            signal(SIGINT, SIG_DFL)
        }
        kill(getpid(), SIGTERM)  // process-directed: pool threads block signals
        let deadline = ContinuousClock.now + .seconds(5)
        while signals.receivedSignal == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(signals.receivedSignal == SIGTERM)
    }
}
