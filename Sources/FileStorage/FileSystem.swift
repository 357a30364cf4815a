/// The file operations a partition log needs, and nothing else: the seam that lets the same log
/// code run on the real disk (`PosixFileSystem`) or on a fake that tears writes, loses unsynced
/// bytes in a simulated crash and injects errors such as `ENOSPC` (`InMemoryFileSystem`).
///
/// Paths are plain `/`-separated strings. Every thrown error is a `StorageError` carrying the
/// path and, for failed system calls, `errno`.
///
/// Durability contract (what the log relies on, and what the fake models):
/// - Bytes written to a file are durable only after `OpenFile.sync()` on that file returns.
///   A crash may lose any unsynced write, or keep a prefix of it (a torn write).
/// - Creating, removing and renaming files, and creating directories, are durable when the call
///   returns (the POSIX implementation fsyncs the parent directory).
/// - `truncate` is durable after the next `sync()` of that file.
public protocol FileSystem: Sendable {
    /// Creates the directory and any missing parents; succeeds if it already exists.
    func createDirectory(atPath path: String) throws(StorageError)

    /// The names (not paths) of the entries in a directory, in no particular order, without
    /// `.` and `..`.
    func contentsOfDirectory(atPath path: String) throws(StorageError) -> [String]

    /// Whether a file or directory exists at `path`.
    func fileExists(atPath path: String) -> Bool

    /// Opens a file for reading and writing. With `.createIfMissing` a missing file is created
    /// empty (durably, see above); with `.existing` a missing file throws `.fileNotFound`.
    func openFile(atPath path: String, mode: FileOpenMode) throws(StorageError) -> any OpenFile

    /// Removes a file (durably). Open handles stay usable, as with POSIX `unlink`.
    func removeFile(atPath path: String) throws(StorageError)

    /// Removes an empty directory (durably).
    func removeDirectory(atPath path: String) throws(StorageError)

    /// Atomically renames a file (durably), replacing any file at `destination`.
    func renameFile(atPath source: String, toPath destination: String) throws(StorageError)

    /// Atomically renames a directory and everything in it (durably); `destination` must not
    /// exist. How a partition directory becomes a tombstone in one step before its files go.
    func renameDirectory(atPath source: String, toPath destination: String) throws(StorageError)

    /// When the file's content last changed (write or truncate), in milliseconds since the Unix
    /// epoch: how retention knows a segment's append age, and the broker a group's last commit,
    /// across restarts without keeping a clock of its own on disk.
    func modificationTimeMilliseconds(atPath path: String) throws(StorageError) -> Int64
}

/// How `FileSystem.openFile` treats a missing file.
public enum FileOpenMode: Sendable, Hashable {
    /// The file must exist.
    case existing
    /// Create the file empty when it does not exist; open it as it is when it does.
    case createIfMissing
}

/// An open file with positional I/O. Not thread-safe: its owner (a `Segment` inside a
/// `PartitionLog`) serialises calls.
public protocol OpenFile: AnyObject {
    /// The path the file was opened at.
    var path: String { get }

    /// Current size in bytes, including unsynced writes.
    func size() throws(StorageError) -> Int64

    /// Reads up to `buffer.count` bytes starting at byte `position`; returns fewer only at the
    /// end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at position: Int64) throws(StorageError) -> Int

    /// Writes all of `bytes` at byte `position`, extending the file as needed. On failure some
    /// prefix of `bytes` may have been written.
    func write(_ bytes: UnsafeRawBufferPointer, at position: Int64) throws(StorageError)

    /// Cuts (or extends with zeros) the file to `size` bytes.
    func truncate(toSize size: Int64) throws(StorageError)

    /// Makes every write and truncation so far durable.
    func sync() throws(StorageError)

    /// Releases the handle. Further calls throw `.closed`; calling `close` again does nothing.
    func close()
}

extension OpenFile {
    /// Up to `count` bytes from `position` (fewer at the end of the file).
    public func read(at position: Int64, count: Int) throws(StorageError) -> [UInt8] {
        precondition(count >= 0, "a read has a non-negative length")
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        var failure: StorageError?
        bytes.withUnsafeMutableBytes { buffer in
            do throws(StorageError) { got = try read(into: buffer, at: position) } catch { failure = error }
        }
        if let failure { throw failure }
        if got < count { bytes.removeLast(count - got) }
        return bytes
    }

    /// The whole file.
    public func readAll() throws(StorageError) -> [UInt8] {
        let total = try size()
        guard total <= Int64(Int.max) else {
            throw StorageError(code: .ioFailure, message: "file too large to read whole", path: path)
        }
        return try read(at: 0, count: Int(total))
    }

    public func write(_ bytes: [UInt8], at position: Int64) throws(StorageError) {
        // `withUnsafeBytes` rethrows untyped; carrying the error out keeps this one typed.
        var failure: StorageError?
        bytes.withUnsafeBytes { buffer in
            do throws(StorageError) { try write(buffer, at: position) } catch { failure = error }
        }
        if let failure { throw failure }
    }
}
