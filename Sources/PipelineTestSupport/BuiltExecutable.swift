import Foundation

/// Finds this package's built executables for integration tests.
///
/// SwiftPM puts test bundles and executables of one configuration side by side:
/// `<scratch>/<triple>/<configuration>/{edgelogPackageTests.xctest, edgelog, ...}` (on macOS
/// the test binary sits inside the `.xctest` bundle). We start from the running test binary
/// (`/proc/self/exe`, else `argv[0]`), step out of any `.xctest` bundle, and look there; other
/// configurations are siblings of that directory. `$EDGELOG_BIN_DIR` overrides the search.
public enum BuiltExecutable {
    public enum Configuration: String, Sendable {
        /// The configuration the tests themselves were built in (`swift test` builds all products).
        case sameAsTests
        case debug
        case release
    }

    public struct NotBuilt: Error, CustomStringConvertible {
        public var name: String
        public var searched: [String]
        public var configuration: Configuration

        public var description: String {
            let flag = configuration == .release ? " -c release" : ""
            return
                "\(name) is not built (looked in \(searched.joined(separator: ", "))): run `swift build\(flag) --product \(name)` first"
        }
    }

    /// Absolute path of our executable `name`, checked to exist and be executable.
    public static func path(named name: String, configuration: Configuration = .sameAsTests) throws -> String {
        let directories = candidateDirectories(configuration)
        for directory in directories {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate), !isDirectory(candidate) {
                return candidate
            }
        }
        throw NotBuilt(name: name, searched: directories, configuration: configuration)
    }

    /// The directory holding the running test binary, outside any `.xctest` bundle.
    public static var testProductsDirectory: String {
        let executable =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments.first ?? ".").standardizedFileURL.path
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        if let bundle = enclosingBundle(of: directory) {
            directory = bundle.deletingLastPathComponent()
        }
        return directory.path
    }

    private static func candidateDirectories(_ configuration: Configuration) -> [String] {
        if let override = ProcessInfo.processInfo.environment["EDGELOG_BIN_DIR"], !override.isEmpty {
            return [override]
        }
        let products = testProductsDirectory
        switch configuration {
        case .sameAsTests:
            return [products]
        case .debug, .release:
            let sibling = URL(fileURLWithPath: products).deletingLastPathComponent()
                .appendingPathComponent(configuration.rawValue).path
            return [sibling]
        }
    }

    /// The nearest ancestor (or `directory` itself) whose name ends in `.xctest`, if any.
    private static func enclosingBundle(of directory: URL) -> URL? {
        var current = directory
        while current.path != "/" {
            if current.lastPathComponent.hasSuffix(".xctest") { return current }
            current = current.deletingLastPathComponent()
        }
        return nil
    }

    private static func isDirectory(_ path: String) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
    }
}
