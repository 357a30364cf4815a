import Foundation
import PipelineTestSupport
import Testing

struct BuiltExecutableTests {
    /// `swift test` builds every product, so our CLI sits beside the test bundle.
    @Test func findsOurCLIBesideTheTests() throws {
        let path = try BuiltExecutable.path(named: "edgelog")
        #expect(path == "\(BuiltExecutable.testProductsDirectory)/edgelog")
        #expect(FileManager.default.isExecutableFile(atPath: path))
        #expect(
            URL(fileURLWithPath: BuiltExecutable.testProductsDirectory).lastPathComponent == "debug"
                || URL(fileURLWithPath: BuiltExecutable.testProductsDirectory).lastPathComponent == "release"
        )
    }

    @Test func missingExecutableTellsHowToBuildIt() throws {
        let error = try #require(throws: BuiltExecutable.NotBuilt.self) {
            try BuiltExecutable.path(named: "no-such-edgelog-tool", configuration: .release)
        }
        #expect(error.description.contains("swift build -c release --product no-such-edgelog-tool"))
        #expect(error.searched.allSatisfy { $0.hasSuffix("/release") })
    }
}
