import Foundation

/// A JSON file in a fresh temporary directory, removed when the value is deinitialised.
public final class TemporaryConfigFile {
    public let path: String
    private let directory: URL

    public init(_ contents: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("edgelog-config-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("config.json")
        try Data(contents.utf8).write(to: url)
        path = url.path
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}
