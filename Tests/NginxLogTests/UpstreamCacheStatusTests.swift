import Testing

@testable import NginxLog

@Suite struct UpstreamCacheStatusTests {
    @Test(arguments: [
        ("HIT", UpstreamCacheStatus.hit), ("MISS", .miss), ("EXPIRED", .expired), ("STALE", .stale),
        ("UPDATING", .updating), ("REVALIDATED", .revalidated), ("BYPASS", .bypass), ("-", .none),
        ("hit", .none), ("HITS", .none), ("", .none),
    ])
    func classify(text: String, status: UpstreamCacheStatus) {
        #expect(Array(text.utf8).withUnsafeBytes { UpstreamCacheStatus.classify($0, 0..<$0.count) } == status)
    }
}
