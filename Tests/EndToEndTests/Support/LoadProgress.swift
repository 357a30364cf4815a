import Synchronization

/// How far the load has got, shared between the lanes' threads and the test.
final class LoadProgress: Sendable {
    let answered = Atomic<Int>(0)

    func waitUntilAnswered(_ count: Int) async throws {
        try await NginxEndToEndTests.waitUntil("\(count) requests answered", timeout: .seconds(60)) {
            answered.load(ordering: .relaxed) >= count
        }
    }
}
