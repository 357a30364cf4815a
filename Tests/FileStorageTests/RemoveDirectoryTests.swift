import FileStorage
import Foundation
import Testing

/// `removeDirectory` alike on the real disk and the fake: an empty directory goes, a non-empty
/// or missing one is refused with an error, never removed with its contents.
struct RemoveDirectoryTests {
    static func exercise(_ files: any FileSystem, root: String) throws {
        try files.createDirectory(atPath: "\(root)/full")
        try files.createDirectory(atPath: "\(root)/empty")
        _ = try files.openFile(atPath: "\(root)/full/file", mode: .createIfMissing)
        #expect(throws: StorageError.self) { try files.removeDirectory(atPath: "\(root)/full") }
        #expect(files.fileExists(atPath: "\(root)/full/file"))
        try files.removeDirectory(atPath: "\(root)/empty")
        #expect(!files.fileExists(atPath: "\(root)/empty"))
        #expect(throws: StorageError.self) { try files.removeDirectory(atPath: "\(root)/empty") }
        try files.removeFile(atPath: "\(root)/full/file")
        try files.removeDirectory(atPath: "\(root)/full")
        #expect(try files.contentsOfDirectory(atPath: root).isEmpty)
    }

    @Test func inMemory() throws {
        try Self.exercise(InMemoryFileSystem(), root: "/data")
    }

    @Test func onTheRealDisk() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("rmdir-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.exercise(PosixFileSystem(), root: root)
    }
}
