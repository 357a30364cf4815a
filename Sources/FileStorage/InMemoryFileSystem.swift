import Synchronization
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A `FileSystem` in memory that lies the way disks do, for tests.
///
/// Each file keeps two byte arrays: `current` (what reads see: every write so far) and
/// `durable` (what survives power loss: the bytes as of the file's last `sync()`). `crash()`
/// throws away everything unsynced, optionally keeping a prefix of the last unsynced write (a
/// torn write: the disk got part of a sector run before power went), and invalidates every open
/// handle, as a reboot would. Reopening the log afterwards is start-up recovery after a power
/// loss. A process kill (`kill -9`) keeps the page cache, so it is modelled by simply reopening
/// without `crash()`.
///
/// Directory operations (create, remove, rename, mkdir) are durable immediately, which is
/// what `PosixFileSystem` guarantees by fsyncing the parent directory. The kernel's own
/// writeback of unsynced bytes, which may put any of them on disk before a crash in any order,
/// is modelled by `writeBack(atPath:range:)`.
///
/// Faults are injected per operation (`failNext(_:count:with:)`), optionally only for paths
/// with a given suffix (e.g. `.index`); a failing write can first write a prefix of its bytes,
/// as a real `pwrite` that hits `ENOSPC` midway does; a sync can also succeed without keeping
/// anything (`loseNextSyncs`, a disk cache that ignores flushes). A disk that fills up is modelled by
/// `capacityBytes`: a write that would grow the files' total size past it writes what fits and
/// fails with `ENOSPC`, until files shrink or are removed (or the capacity is raised).
///
/// Modification times come from the injected `WallClock`, so tests age files without sleeping.
///
/// Thread-safe: all state sits behind one lock.
public final class InMemoryFileSystem: FileSystem {
    /// The operations a fault can be injected into.
    public enum Operation: Sendable, Hashable {
        case write
        case sync
        case truncate
        case create
        /// `removeFile`: fails, and the file stays.
        case remove
        /// `removeFile`: the name is unlinked, then making that durable fails, so the call
        /// throws with the file already gone — `PosixFileSystem` when `unlink` succeeds and the
        /// parent directory's `fsync` does not. The fake keeps the removal across `crash()`
        /// (its directory operations are durable at once): it models the failure a caller
        /// sees, not a directory entry that comes back after a power loss.
        case removeSync
        /// A `sync()` that returns success without making anything durable: a disk whose
        /// volatile write cache ignores flushes. Injected with `loseNextSyncs`; no errno.
        case lostSync
    }

    final class Node {
        var current: [UInt8] = []
        var durable: [UInt8] = []
        /// Last write or truncate, milliseconds (the `WallClock`'s).
        var modified: Int64 = 0
        /// The most recent write since the last sync, with a global sequence number so `crash`
        /// can find the last unsynced write of the whole file system.
        var lastUnsyncedWrite: (position: Int, bytes: [UInt8], sequence: Int)?
    }

    struct Fault {
        var operation: Operation
        var remaining: Int
        var errno: Int32
        var pathSuffix: String?
        var writtenPrefix: Int
    }

    /// `@unchecked Sendable`: nodes are classes, but they are reachable only through this state,
    /// which lives inside the file system's mutex.
    struct State: @unchecked Sendable {
        var files: [String: Node] = [:]
        var directories: Set<String> = ["/", "."]
        var generation = 0
        var writeSequence = 0
        var faults: [Fault] = []
        /// Most bytes all files may hold together; `nil` is unlimited.
        var capacity: Int?
        var syncCount = 0
        var syncLatencyMicroseconds: UInt32 = 0
        /// Writes that failed (injected fault or no space), for tests that wait for one.
        var failedWrites = 0
        /// Between `powerCut` and `powerOn`: the machine is off, so the process that used the
        /// files is gone and must not change them. Every call that would throws `EIO`.
        var isPoweredOff = false

        /// Throws while the power is off.
        func checkPower(_ operation: String, path: String) throws(StorageError) {
            if isPoweredOff { throw StorageError(systemCall: operation, path: path, errno: EIO) }
        }

        var usedBytes: Int { files.values.reduce(0) { $0 + $1.current.count } }

        /// Consumes one matching fault, if any.
        mutating func takeFault(_ operation: Operation, path: String) -> Fault? {
            guard
                let index = faults.firstIndex(where: { fault in
                    fault.operation == operation && fault.remaining > 0
                        && (fault.pathSuffix.map { path.hasSuffix($0) } ?? true)
                })
            else { return nil }
            faults[index].remaining -= 1
            let fault = faults[index]
            if faults[index].remaining == 0 { faults.remove(at: index) }
            return fault
        }
    }

    let state = Mutex(State())
    let clock: WallClock

    /// - Parameter clock: the source of file modification times.
    public init(clock: WallClock = .system) {
        self.clock = clock
    }

    // MARK: Test controls

    /// Makes the next `count` operations of kind `operation` (on paths ending in `pathSuffix`, if
    /// given) fail with `errno`, mapped to a `StorageError` exactly as `PosixFileSystem` maps it.
    /// A failing write first writes `writingPrefix` of its bytes.
    public func failNext(
        _ operation: Operation,
        count: Int = 1,
        with errno: Int32,
        pathSuffix: String? = nil,
        writingPrefix: Int = 0
    ) {
        precondition(count > 0 && writingPrefix >= 0, "a fault needs a positive count and prefix >= 0")
        state.withLock {
            $0.faults.append(
                Fault(
                    operation: operation, remaining: count, errno: errno, pathSuffix: pathSuffix,
                    writtenPrefix: writingPrefix)
            )
        }
    }

    /// Makes the next `count` syncs (of paths ending in `pathSuffix`, if given) return success
    /// while keeping nothing: a disk that acknowledges flushes it never performs. What the log
    /// believes durable is then lost by the next `crash()` unless `writeBack` put it on disk.
    public func loseNextSyncs(_ count: Int = 1, pathSuffix: String? = nil) {
        failNext(.lostSync, count: count, with: 0, pathSuffix: pathSuffix)
    }

    /// `failNext(.write, ...)`.
    public func failNextWrites(_ count: Int = 1, with errno: Int32, pathSuffix: String? = nil, writingPrefix: Int = 0) {
        failNext(.write, count: count, with: errno, pathSuffix: pathSuffix, writingPrefix: writingPrefix)
    }

    /// The most bytes all files may hold together (`nil`: unlimited). Lowering it below what is
    /// stored already fails every write that grows a file until enough is freed.
    public var capacityBytes: Int? {
        get { state.withLock { $0.capacity } }
        set { state.withLock { $0.capacity = newValue } }
    }

    /// How long each `sync()` takes (slept before it takes effect, outside the file system's
    /// lock), so concurrency around fsync — group commit — behaves as on a real disk.
    public var syncLatencyMicroseconds: UInt32 {
        get { state.withLock { $0.syncLatencyMicroseconds } }
        set { state.withLock { $0.syncLatencyMicroseconds = newValue } }
    }

    /// Bytes all files hold now (unsynced writes included).
    public var usedBytes: Int { state.withLock { $0.usedBytes } }

    /// Successful `sync()` calls on any file so far.
    public var syncCount: Int { state.withLock { $0.syncCount } }

    /// Drops any faults not yet triggered.
    public func clearFaults() {
        state.withLock { $0.faults.removeAll() }
    }

    /// Simulates power loss: every file goes back to its durable bytes and every open handle
    /// becomes invalid (calls on it throw `.closed`).
    ///
    /// - Parameters:
    ///   - keptBytes: when non-nil, the last unsynced write survives with only its first
    ///     `keptBytes` bytes (clamped to its length); a gap before it reads as zeros.
    ///   - path: whose last unsynced write is torn; `nil` means the last unsynced write to any file.
    /// - Returns: the path of the file that got a torn write, if any.
    @discardableResult
    public func crash(tearLastWrite keptBytes: Int? = nil, ofFile path: String? = nil) -> String? {
        state.withLock { state in
            var torn: (path: String, node: Node, position: Int, bytes: ArraySlice<UInt8>)?
            if let keptBytes {
                let candidates = state.files.filter { entry in
                    entry.value.lastUnsyncedWrite != nil && (path == nil || entry.key == path)
                }
                let last = candidates.max { a, b in
                    (a.value.lastUnsyncedWrite?.sequence ?? 0) < (b.value.lastUnsyncedWrite?.sequence ?? 0)
                }
                if let last, let write = last.value.lastUnsyncedWrite {
                    torn = (last.key, last.value, write.position, write.bytes.prefix(max(0, keptBytes)))
                }
            }
            for node in state.files.values {
                node.current = node.durable
                node.lastUnsyncedWrite = nil
            }
            if let torn {
                Self.apply(torn.bytes, at: torn.position, to: &torn.node.current)
                torn.node.durable = torn.node.current
            }
            state.generation += 1
            return torn?.path
        }
    }

    /// A power loss that also ends the process using the files: `crash(tearLastWrite:ofFile:)`,
    /// and from the same instant every call that would read or change a file throws `EIO` until
    /// `powerOn()`. For in-process tests of a service (the shipper) whose tasks cannot be
    /// stopped at one instant the way `kill -9` stops a child process: nothing it does after the
    /// cut reaches the "disk" the restarted service reads.
    @discardableResult
    public func powerCut(tearLastWrite keptBytes: Int? = nil, ofFile path: String? = nil) -> String? {
        state.withLock { $0.isPoweredOff = true }
        return crash(tearLastWrite: keptBytes, ofFile: path)
    }

    /// Ends a `powerCut`: the files are what survived it; old handles stay invalid.
    public func powerOn() {
        state.withLock { $0.isPoweredOff = false }
    }

    /// Whether some file has a write since its last sync: a power cut now loses or tears it.
    public var hasUnsyncedWrite: Bool {
        state.withLock { $0.files.values.contains { $0.lastUnsyncedWrite != nil } }
    }

    /// Writes that failed so far, by an injected fault or for want of space.
    public var failedWrites: Int { state.withLock { $0.failedWrites } }

    /// Simulates the kernel writing some dirty pages back on its own before any fsync (it does,
    /// at any time and in any order): bytes `range` of what the file reads now become durable
    /// without the file being synced. Together with `crash()` this builds the states a power
    /// loss really leaves, e.g. an index entry on disk whose log bytes are not, or a batch whose
    /// header reached the disk but whose body did not.
    ///
    /// The range is clamped to the file's current size. When it starts beyond the durable end,
    /// the durable file grows and the gap reads as zeros after a crash (the size reached the
    /// disk, those blocks never did). An unsynced truncation is not written back.
    ///
    /// - Returns: whether the file exists.
    @discardableResult
    public func writeBack(atPath path: String, range: Range<Int>) -> Bool {
        let path = Self.normalized(path)
        return state.withLock { state in
            guard let node = state.files[path] else { return false }
            let upper = min(range.upperBound, node.current.count)
            let lower = max(0, range.lowerBound)
            guard lower < upper else { return true }
            Self.apply(node.current[lower..<upper], at: lower, to: &node.durable)
            return true
        }
    }

    /// What reads of the file see now (unsynced writes included), or `nil` if there is no file.
    public func contents(atPath path: String) -> [UInt8]? {
        state.withLock { $0.files[path]?.current }
    }

    /// What would survive a crash now, or `nil` if there is no file.
    public func durableContents(atPath path: String) -> [UInt8]? {
        state.withLock { $0.files[path]?.durable }
    }

    // MARK: FileSystem

    public func createDirectory(atPath path: String) throws(StorageError) {
        let path = Self.normalized(path)
        try state.withLock { state throws(StorageError) in
            try state.checkPower("mkdir", path: path)
            var prefix = path.hasPrefix("/") ? "/" : ""
            for component in path.split(separator: "/", omittingEmptySubsequences: true) {
                prefix += prefix.isEmpty || prefix == "/" ? String(component) : "/" + component
                let key = prefix
                if state.files[key] != nil {
                    throw StorageError(code: .fileExists, message: "a file is in the way", path: key)
                }
                state.directories.insert(key)
            }
        }
    }

    public func contentsOfDirectory(atPath path: String) throws(StorageError) -> [String] {
        let path = Self.normalized(path)
        return try state.withLock { state throws(StorageError) in
            try state.checkPower("opendir", path: path)
            guard state.directories.contains(path) else {
                throw StorageError(code: .fileNotFound, message: "no such directory", path: path)
            }
            let files = state.files.keys.filter { Self.parent(of: $0) == path }
            let directories = state.directories.filter { $0 != path && Self.parent(of: $0) == path }
            return (files + directories).map { Self.lastComponent(of: $0) }
        }
    }

    public func fileExists(atPath path: String) -> Bool {
        let path = Self.normalized(path)
        return state.withLock { $0.files[path] != nil || $0.directories.contains(path) }
    }

    public func openFile(atPath path: String, mode: FileOpenMode) throws(StorageError) -> any OpenFile {
        let path = Self.normalized(path)
        return try state.withLock { state throws(StorageError) in
            try state.checkPower("open", path: path)
            if let node = state.files[path] {
                return InMemoryOpenFile(fileSystem: self, node: node, path: path, generation: state.generation)
            }
            guard mode == .createIfMissing else {
                throw StorageError(code: .fileNotFound, message: "no such file", path: path)
            }
            guard state.directories.contains(Self.parent(of: path)) else {
                throw StorageError(code: .fileNotFound, message: "no such directory", path: Self.parent(of: path))
            }
            guard !state.directories.contains(path) else {
                throw StorageError(code: .ioFailure, message: "is a directory", path: path)
            }
            if let fault = state.takeFault(.create, path: path) {
                throw StorageError(systemCall: "open", path: path, errno: fault.errno)
            }
            let node = Node()
            node.modified = clock.milliseconds()
            state.files[path] = node
            return InMemoryOpenFile(fileSystem: self, node: node, path: path, generation: state.generation)
        }
    }

    public func removeFile(atPath path: String) throws(StorageError) {
        let path = Self.normalized(path)
        try state.withLock { state throws(StorageError) in
            try state.checkPower("unlink", path: path)
            if let fault = state.takeFault(.remove, path: path) {
                throw StorageError(systemCall: "unlink", path: path, errno: fault.errno)
            }
            guard state.files.removeValue(forKey: path) != nil else {
                throw StorageError(code: .fileNotFound, message: "no such file", path: path)
            }
            if let fault = state.takeFault(.removeSync, path: path) {
                throw StorageError(systemCall: "fsync", path: Self.parent(of: path), errno: fault.errno)
            }
        }
    }

    public func removeDirectory(atPath path: String) throws(StorageError) {
        let path = Self.normalized(path)
        try state.withLock { state throws(StorageError) in
            try state.checkPower("rmdir", path: path)
            guard state.directories.contains(path) else {
                throw StorageError(code: .fileNotFound, message: "no such directory", path: path)
            }
            let inside = state.files.keys.contains { Self.parent(of: $0) == path }
                || state.directories.contains { $0 != path && Self.parent(of: $0) == path }
            guard !inside else {
                throw StorageError(code: .fileExists, message: "directory not empty", path: path)
            }
            state.directories.remove(path)
        }
    }

    public func renameFile(atPath source: String, toPath destination: String) throws(StorageError) {
        let source = Self.normalized(source)
        let destination = Self.normalized(destination)
        try state.withLock { state throws(StorageError) in
            try state.checkPower("rename", path: source)
            guard let node = state.files[source] else {
                throw StorageError(code: .fileNotFound, message: "no such file", path: source)
            }
            guard state.directories.contains(Self.parent(of: destination)) else {
                throw StorageError(code: .fileNotFound, message: "no such directory", path: destination)
            }
            state.files[source] = nil
            state.files[destination] = node
        }
    }

    public func renameDirectory(atPath source: String, toPath destination: String) throws(StorageError) {
        let source = Self.normalized(source)
        let destination = Self.normalized(destination)
        try state.withLock { state throws(StorageError) in
            try state.checkPower("rename", path: source)
            guard state.directories.contains(source) else {
                throw StorageError(code: .fileNotFound, message: "no such directory", path: source)
            }
            guard state.directories.contains(Self.parent(of: destination)) else {
                throw StorageError(code: .fileNotFound, message: "no such directory", path: destination)
            }
            guard !state.directories.contains(destination), state.files[destination] == nil else {
                throw StorageError(code: .fileExists, message: "destination exists", path: destination)
            }
            let prefix = source + "/"
            func moved(_ path: String) -> String? {
                if path == source { return destination }
                guard path.hasPrefix(prefix) else { return nil }
                return destination + "/" + path.dropFirst(prefix.count)
            }
            for path in state.directories.compactMap({ path in moved(path).map { (path, $0) } }) {
                state.directories.remove(path.0)
                state.directories.insert(path.1)
            }
            for (path, node) in state.files {
                guard let target = moved(path) else { continue }
                state.files[path] = nil
                state.files[target] = node
            }
        }
    }

    public func modificationTimeMilliseconds(atPath path: String) throws(StorageError) -> Int64 {
        let path = Self.normalized(path)
        return try state.withLock { state throws(StorageError) in
            guard let node = state.files[path] else {
                throw StorageError(code: .fileNotFound, message: "no such file", path: path)
            }
            return node.modified
        }
    }

    // MARK: Handles

    /// Runs `body` on the node of an open handle, after checking it survived every crash.
    func withNode<T: Sendable>(
        _ handle: InMemoryOpenFile,
        _ body: (Node, inout State) throws(StorageError) -> T
    ) throws(StorageError) -> T {
        try state.withLock { state throws(StorageError) in
            try state.checkPower("io", path: handle.path)
            guard !handle.isClosed, handle.generation == state.generation else {
                throw StorageError(
                    code: .closed, message: "file handle is closed or did not survive a crash", path: handle.path)
            }
            return try body(handle.node, &state)
        }
    }

    static func apply<Bytes: Collection<UInt8>>(_ bytes: Bytes, at position: Int, to file: inout [UInt8]) {
        if position > file.count {
            file.append(contentsOf: repeatElement(0, count: position - file.count))
        }
        let end = position + bytes.count
        if end > file.count {
            file.append(contentsOf: repeatElement(0, count: end - file.count))
        }
        file.replaceSubrange(position..<end, with: bytes)
    }

    static func normalized(_ path: String) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    static func lastComponent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

/// A handle on an `InMemoryFileSystem` file. Like a file descriptor it follows the file (not
/// the name) and keeps working after the file is removed, but not after a crash.
final class InMemoryOpenFile: OpenFile {
    let fileSystem: InMemoryFileSystem
    let node: InMemoryFileSystem.Node
    let path: String
    let generation: Int
    var isClosed = false

    init(fileSystem: InMemoryFileSystem, node: InMemoryFileSystem.Node, path: String, generation: Int) {
        self.fileSystem = fileSystem
        self.node = node
        self.path = path
        self.generation = generation
    }

    /// Positions must be non-negative and below 8 GiB (files live in memory; segment files
    /// never exceed 2 GiB).
    private func checkPosition(_ position: Int64) throws(StorageError) -> Int {
        guard position >= 0, position <= Int64(Int32.max) * 4 else {
            throw StorageError(code: .ioFailure, message: "invalid file position", path: path, position: position)
        }
        return Int(position)
    }

    func size() throws(StorageError) -> Int64 {
        try fileSystem.withNode(self) { node, _ in Int64(node.current.count) }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, at position: Int64) throws(StorageError) -> Int {
        let start = try checkPosition(position)
        return try fileSystem.withNode(self) { node, _ in
            guard start < node.current.count else { return 0 }
            let count = min(buffer.count, node.current.count - start)
            node.current.withUnsafeBytes { file in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: file[start..<(start + count)]))
            }
            return count
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer, at position: Int64) throws(StorageError) {
        let start = try checkPosition(position)
        try fileSystem.withNode(self) { node, state throws(StorageError) in
            var written = Array(bytes)
            let fault = state.takeFault(.write, path: path)
            var failure = fault?.errno
            if let fault { written = Array(written.prefix(fault.writtenPrefix)) }
            if let capacity = state.capacity {
                let growth = max(0, start + written.count - node.current.count)
                let free = max(0, capacity - state.usedBytes)
                if growth > free {
                    // What fits: the overwritten part plus as much growth as there is room for.
                    let fits = max(0, node.current.count - start) + free
                    written = Array(written.prefix(fits))
                    failure = ENOSPC
                }
            }
            if !written.isEmpty {
                InMemoryFileSystem.apply(written, at: start, to: &node.current)
                state.writeSequence += 1
                node.lastUnsyncedWrite = (start, written, state.writeSequence)
                node.modified = fileSystem.clock.milliseconds()
            }
            if let failure {
                state.failedWrites += 1
                throw StorageError(
                    systemCall: "pwrite", path: path, position: position + Int64(written.count), errno: failure)
            }
        }
    }

    func truncate(toSize size: Int64) throws(StorageError) {
        let newSize = try checkPosition(size)
        try fileSystem.withNode(self) { node, state throws(StorageError) in
            if let fault = state.takeFault(.truncate, path: path) {
                throw StorageError(systemCall: "ftruncate", path: path, position: size, errno: fault.errno)
            }
            if newSize < node.current.count {
                node.current.removeSubrange(newSize...)
            } else {
                node.current.append(contentsOf: repeatElement(0, count: newSize - node.current.count))
            }
            node.lastUnsyncedWrite = nil
            node.modified = fileSystem.clock.milliseconds()
        }
    }

    func sync() throws(StorageError) {
        let latency = fileSystem.syncLatencyMicroseconds
        if latency > 0 { usleep(latency) }
        try fileSystem.withNode(self) { node, state throws(StorageError) in
            if let fault = state.takeFault(.sync, path: path) {
                throw StorageError(systemCall: "fdatasync", path: path, errno: fault.errno)
            }
            if state.takeFault(.lostSync, path: path) != nil {
                state.syncCount += 1
                return
            }
            node.durable = node.current
            node.lastUnsyncedWrite = nil
            state.syncCount += 1
        }
    }

    func close() {
        isClosed = true
    }
}
