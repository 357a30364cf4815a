import Foundation
import PipelineTestSupport
import Testing

/// The example configurations in `deploy/config/` must stay loadable by the executables they are
/// for: an unknown or misspelled key there would be an error at an operator's first start.
struct DeployConfigTests {
    private static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: [
        ("edgelog-broker", "broker.json"), ("edgelog-shipper", "shipper.json"), ("edgelog-consumer", "consumer.json"),
    ])
    func exampleConfigurationLoads(executable: String, file: String) async throws {
        let path = Self.repositoryRoot.appendingPathComponent("deploy/config/\(file)").path
        let result = try await ExternalTool.run(
            try BuiltExecutable.path(named: executable), ["--config", path, "--print-config"])
        #expect(result.status == 0, "\(result.stderrText)")
        let fromFile = result.stdoutText.split(separator: "\n").filter { $0.contains("# file \(path)") }
        let keys = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        #expect(fromFile.count == keys?.count, "\(result.stdoutText)")
    }
}
