import FileStorage

/// Why the checkpoint store could not do what was asked. Never leaves a half-written
/// checkpoint behind: a failed write keeps the previous one.
public struct CheckpointError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// Writing, syncing or renaming the new checkpoint failed (`.noSpace` when the disk is
        /// full). The previous checkpoint is still in place, except when only the final
        /// directory sync failed: then the new one is in place but may not survive a crash.
        case writeFailed(StorageError)
        /// Reading the directory or a checkpoint file failed.
        case readFailed(StorageError)
        /// A checkpoint file does not hold a checkpoint this version understands.
        case corrupt(String)
        /// Removing a checkpoint file failed.
        case removeFailed(StorageError)
    }

    public var code: Code
    /// The checkpoint file (or directory) concerned.
    public var path: String

    public init(_ code: Code, path: String) {
        self.code = code
        self.path = path
    }

    public var description: String {
        switch code {
        case .writeFailed(let error): "checkpoint write \(path) failed: \(error)"
        case .readFailed(let error): "checkpoint read \(path) failed: \(error)"
        case .corrupt(let detail): "checkpoint \(path) is corrupt: \(detail)"
        case .removeFailed(let error): "checkpoint remove \(path) failed: \(error)"
        }
    }
}
