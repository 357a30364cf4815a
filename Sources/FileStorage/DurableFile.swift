/// Small state files replaced atomically: the whole new content goes to `<path>.tmp`, which is
/// synced, then renamed over `<path>` (the rename is durable when it returns, see
/// `FileSystem`). A crash at any point leaves either the old or the new content under
/// `<path>`, never a mix; a leftover `.tmp` is simply overwritten next time.
///
/// Used for a partition log's recovery point (`RecoveryPointFile`) and, in the broker, for the
/// cluster id, the producer-id reservation, producer state snapshots and each group's committed
/// offsets. Content checks (checksums) are the caller's business.
public struct DurableFile: Sendable {
    public let path: String
    public let fileSystem: any FileSystem

    public init(path: String, fileSystem: any FileSystem) {
        self.path = path
        self.fileSystem = fileSystem
    }

    public var temporaryPath: String { path + ".tmp" }

    /// The current content, `nil` when the file does not exist.
    public func read() throws(StorageError) -> [UInt8]? {
        guard fileSystem.fileExists(atPath: path) else { return nil }
        let file = try fileSystem.openFile(atPath: path, mode: .existing)
        defer { file.close() }
        return try file.readAll()
    }

    /// Replaces the content with `bytes`, durably, before returning.
    public func replace(with bytes: [UInt8]) throws(StorageError) {
        let file = try fileSystem.openFile(atPath: temporaryPath, mode: .createIfMissing)
        do {
            try file.truncate(toSize: 0)
            try file.write(bytes, at: 0)
            try file.sync()
            file.close()
        } catch {
            file.close()
            // A torn temporary file would only hold the space a full disk is short of.
            try? fileSystem.removeFile(atPath: temporaryPath)
            throw error
        }
        try fileSystem.renameFile(atPath: temporaryPath, toPath: path)
    }
}
