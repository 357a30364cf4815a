import SegmentStore

/// Small state files replaced atomically: the whole new content goes to `<path>.tmp`, which is
/// synced, then renamed over `<path>` (the rename is durable when it returns, see
/// `SegmentFileSystem`). A crash at any point leaves either the old or the new content under
/// `<path>`, never a mix; a leftover `.tmp` is simply overwritten next time.
///
/// Used for the cluster id, the producer-id reservation and each group's committed offsets.
/// Content checks (checksums) are the caller's business.
struct DurableFile: Sendable {
    let path: String
    let fileSystem: any SegmentFileSystem

    var temporaryPath: String { path + ".tmp" }

    /// The current content, `nil` when the file does not exist.
    func read() throws -> [UInt8]? {
        guard fileSystem.fileExists(atPath: path) else { return nil }
        let file = try fileSystem.openFile(atPath: path, mode: .existing)
        defer { file.close() }
        return try file.readAll()
    }

    /// Replaces the content with `bytes`, durably, before returning.
    func replace(with bytes: [UInt8]) throws {
        let file = try fileSystem.openFile(atPath: temporaryPath, mode: .createIfMissing)
        do {
            try file.truncate(toSize: 0)
            try file.write(bytes, at: 0)
            try file.sync()
            file.close()
        } catch {
            file.close()
            throw error
        }
        try fileSystem.renameFile(atPath: temporaryPath, toPath: path)
    }
}
