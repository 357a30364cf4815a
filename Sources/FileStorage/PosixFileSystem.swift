#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

private func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}

/// `fdatasync` where it exists (Linux), `fsync` elsewhere.
private func syncData(_ descriptor: Int32) -> Int32 {
    #if canImport(Glibc)
        return fdatasync(descriptor)
    #else
        return fsync(descriptor)
    #endif
}

/// `FileSystem` on the real disk: `pread`/`pwrite`/`fdatasync`/`ftruncate` on file
/// descriptors, and an `fsync` of the parent directory after every create, remove and rename
/// so that the directory entry itself survives a power loss (a file that was fsynced but whose
/// directory entry was not can vanish).
///
/// The only file in this library that talks to the operating system.
public struct PosixFileSystem: FileSystem {
    /// Permission bits of files this creates (before the umask).
    public let fileMode: mode_t
    /// Permission bits of directories this creates (before the umask).
    public let directoryMode: mode_t

    /// Defaults suit broker data that other local users may read; the shipper's checkpoints use
    /// `.ownerOnly`.
    public init(fileMode: mode_t = 0o644, directoryMode: mode_t = 0o755) {
        self.fileMode = fileMode
        self.directoryMode = directoryMode
    }

    /// Files only their owner can read (0600, directories 0700): the shipper's checkpoints name
    /// the log files of the host.
    public static let ownerOnly = PosixFileSystem(fileMode: 0o600, directoryMode: 0o700)

    public func createDirectory(atPath path: String) throws(StorageError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += "/" + component
            if mkdir(prefix, directoryMode) == 0 {
                try syncDirectory(containing: prefix)
            } else if errno != EEXIST {
                throw StorageError(systemCall: "mkdir", path: prefix, errno: errno)
            }
        }
    }

    public func contentsOfDirectory(atPath path: String) throws(StorageError) -> [String] {
        guard let directory = opendir(path) else {
            throw StorageError(systemCall: "opendir", path: path, errno: errno)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)) {
                    String(cString: $0)
                }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    public func fileExists(atPath path: String) -> Bool {
        access(path, F_OK) == 0
    }

    public func openFile(atPath path: String, mode: FileOpenMode) throws(StorageError) -> any OpenFile {
        let flags = O_RDWR | O_CLOEXEC
        var descriptor = open(path, flags)
        if descriptor < 0, errno == ENOENT, mode == .createIfMissing {
            descriptor = open(path, flags | O_CREAT | O_EXCL, fileMode)
            if descriptor >= 0 {
                do {
                    try syncDirectory(containing: path)
                } catch {
                    closeDescriptor(descriptor)
                    throw error
                }
            } else if errno == EEXIST {
                // Created by someone else between the two calls: open it as it is.
                descriptor = open(path, flags)
            }
        }
        guard descriptor >= 0 else {
            throw StorageError(systemCall: "open", path: path, errno: errno)
        }
        return PosixOpenFile(path: path, descriptor: descriptor)
    }

    public func removeFile(atPath path: String) throws(StorageError) {
        guard unlink(path) == 0 else {
            throw StorageError(systemCall: "unlink", path: path, errno: errno)
        }
        try syncDirectory(containing: path)
    }

    public func removeDirectory(atPath path: String) throws(StorageError) {
        guard rmdir(path) == 0 else {
            throw StorageError(systemCall: "rmdir", path: path, errno: errno)
        }
        try syncDirectory(containing: path)
    }

    public func renameFile(atPath source: String, toPath destination: String) throws(StorageError) {
        guard rename(source, destination) == 0 else {
            throw StorageError(systemCall: "rename", path: source, errno: errno)
        }
        try syncDirectory(containing: destination)
        let sourceDirectory = Self.parent(of: source)
        if sourceDirectory != Self.parent(of: destination) {
            try syncDirectory(containing: source)
        }
    }

    public func renameDirectory(atPath source: String, toPath destination: String) throws(StorageError) {
        guard !fileExists(atPath: destination) else {
            throw StorageError(systemCall: "rename", path: destination, errno: EEXIST)
        }
        try renameFile(atPath: source, toPath: destination)
    }

    public func modificationTimeMilliseconds(atPath path: String) throws(StorageError) -> Int64 {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw StorageError(systemCall: "stat", path: path, errno: errno)
        }
        #if canImport(Glibc)
            return Int64(status.st_mtim.tv_sec) * 1000 + Int64(status.st_mtim.tv_nsec) / 1_000_000
        #else
            return Int64(status.st_mtimespec.tv_sec) * 1000 + Int64(status.st_mtimespec.tv_nsec) / 1_000_000
        #endif
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    /// `fsync` of the directory holding `path`, which makes its entry for `path` durable.
    private func syncDirectory(containing path: String) throws(StorageError) {
        let directory = Self.parent(of: path)
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw StorageError(systemCall: "open", path: directory, errno: errno)
        }
        defer { closeDescriptor(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw StorageError(systemCall: "fsync", path: directory, errno: errno)
        }
    }
}

/// One open file descriptor. `fdatasync` is enough for `sync()`: it flushes the data and the
/// metadata needed to read it back (the size), skipping only timestamps.
final class PosixOpenFile: OpenFile {
    let path: String
    private var descriptor: Int32

    init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        if descriptor >= 0 { closeDescriptor(descriptor) }
    }

    private func openDescriptor() throws(StorageError) -> Int32 {
        guard descriptor >= 0 else {
            throw StorageError(code: .closed, message: "file handle is closed", path: path)
        }
        return descriptor
    }

    func size() throws(StorageError) -> Int64 {
        let descriptor = try openDescriptor()
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw StorageError(systemCall: "fstat", path: path, errno: errno)
        }
        return Int64(status.st_size)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, at position: Int64) throws(StorageError) -> Int {
        let descriptor = try openDescriptor()
        var done = 0
        while done < buffer.count {
            let got = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(position) + off_t(done))
            if got < 0 {
                if errno == EINTR { continue }
                throw StorageError(systemCall: "pread", path: path, position: position + Int64(done), errno: errno)
            }
            if got == 0 { break }
            done += got
        }
        return done
    }

    func write(_ bytes: UnsafeRawBufferPointer, at position: Int64) throws(StorageError) {
        let descriptor = try openDescriptor()
        var done = 0
        while done < bytes.count {
            let wrote = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(position) + off_t(done))
            if wrote < 0 {
                if errno == EINTR { continue }
                throw StorageError(systemCall: "pwrite", path: path, position: position + Int64(done), errno: errno)
            }
            done += wrote
        }
    }

    func truncate(toSize size: Int64) throws(StorageError) {
        let descriptor = try openDescriptor()
        guard ftruncate(descriptor, off_t(size)) == 0 else {
            throw StorageError(systemCall: "ftruncate", path: path, position: size, errno: errno)
        }
    }

    func sync() throws(StorageError) {
        let descriptor = try openDescriptor()
        guard syncData(descriptor) == 0 else {
            throw StorageError(systemCall: "fdatasync", path: path, errno: errno)
        }
    }

    func close() {
        if descriptor >= 0 { closeDescriptor(descriptor) }
        descriptor = -1
    }
}

extension StorageError {
    /// The error for a failed system call: `ENOENT` is `.fileNotFound`, `EEXIST` `.fileExists`,
    /// `ENOSPC`/`EDQUOT` `.noSpace`, anything else `.ioFailure`. `InMemoryFileSystem` uses the
    /// same mapping for injected errors, so tests see exactly what the real disk would give.
    public init(systemCall: String, path: String, position: Int64? = nil, errno code: Int32) {
        let kind: Code
        switch code {
        case ENOENT: kind = .fileNotFound
        case EEXIST: kind = .fileExists
        case ENOSPC, EDQUOT: kind = .noSpace
        default: kind = .ioFailure
        }
        self.init(
            code: kind,
            message: "\(systemCall) failed: \(String(cString: strerror(code)))",
            path: path,
            position: position,
            errno: code
        )
    }
}
