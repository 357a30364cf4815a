@testable import EdgelogConfiguration
import Testing

/// Typed values written as setting text read back as the same value, so a key whose default is
/// rendered from a library's typed default (`SettingText`) has exactly that default.
struct SettingTextTests {
    @Test(arguments: [
        Duration.zero, .nanoseconds(7), .microseconds(250), .milliseconds(250), .milliseconds(1500), .seconds(2),
        .seconds(90), .seconds(3600), .seconds(24 * 3600), .seconds(30 * 86_400),
    ])
    func durationsRoundTrip(_ duration: Duration) {
        let text = SettingText.duration(duration)
        #expect(ValueText.duration(text) == duration, "\(text)")
    }

    @Test func durationsUseTheLargestExactUnit() {
        #expect(SettingText.duration(.milliseconds(250)) == "250ms")
        #expect(SettingText.duration(.seconds(24 * 3600)) == "1d")
        #expect(SettingText.duration(.milliseconds(1500)) == "1500ms")
    }

    @Test(arguments: [0, 1, 1000, 4096, 65536, 1 << 20, 1_048_588, 3 << 30])
    func bytesRoundTrip(_ count: Int) {
        let text = SettingText.bytes(count)
        #expect(ValueText.bytes(text) == count, "\(text)")
    }

    @Test func typedDefaultsReadTheDeclaredText() {
        let linger = ConfigurationKey("linger", kind: .duration, default: "100ms", help: "")
        let batch = ConfigurationKey("batch", kind: .bytes, default: "1MiB", help: "")
        let tasks = ConfigurationKey("tasks", kind: .int, default: "5", help: "")
        let flag = ConfigurationKey("flag", kind: .bool, default: "yes", help: "")
        #expect(linger.defaultDuration == .milliseconds(100))
        #expect(linger.defaultMilliseconds == 100)
        #expect(batch.defaultBytes == 1 << 20)
        #expect(tasks.defaultInt == 5)
        #expect(flag.defaultBool)
    }
}
