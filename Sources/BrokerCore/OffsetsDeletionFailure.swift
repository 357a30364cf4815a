import FileStorage

/// Why `CommittedOffsetStore.delete(group:)` failed, and the state it left, which the store
/// keeps the same in memory and on disk.
///
/// `FileSystem.removeFile` is two steps on a real disk — `unlink`, then an `fsync` of the
/// directory that makes the unlink durable — and its error does not say which one failed. The
/// store tells them apart by looking for the file afterwards:
/// - The file is still there (`unlink` failed): nothing changed. ``groupIsDeleted`` is false;
///   the group keeps its commits, in memory and in its file.
/// - The file is gone (the directory's `fsync` failed): the commits are dropped from memory
///   too. ``groupIsDeleted`` is true. A restarted broker would not find the file either, so
///   keeping the commits in memory would serve offsets that the next start-up forgets. Only a
///   power loss before the kernel writes the directory back could bring the file, and the
///   group's commits, back — as if the DeleteGroups had never run, which its client, told that
///   it failed, has to assume anyway.
public struct OffsetsDeletionFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The group whose deletion failed.
    public var groupID: String
    /// Whether the group's commits are gone (see the type's documentation).
    public var groupIsDeleted: Bool
    /// The file system's error.
    public var storageError: StorageError

    public init(groupID: String, groupIsDeleted: Bool, storageError: StorageError) {
        self.groupID = groupID
        self.groupIsDeleted = groupIsDeleted
        self.storageError = storageError
    }

    public var description: String {
        let state = groupIsDeleted ? "commits dropped, removal maybe not durable" : "commits kept"
        return "deleting the offsets of group \(groupID) failed (\(state)): \(storageError)"
    }
}
