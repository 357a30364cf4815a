/// Everything the driver saw in one poll, fed to `TailStateMachine.observe`. Gathering it is
/// all system calls (glob, stat, fstat, pread of the first bytes); deciding on it is pure.
public struct TailObservation: Sendable, Equatable {
    /// What a path matched by a source points to now (`stat`, following symbolic links).
    public struct PathSighting: Sendable, Equatable {
        public var path: String
        public var sourceIndex: Int
        public var device: UInt64
        public var inode: UInt64
        public var size: Int64

        public init(path: String, sourceIndex: Int, device: UInt64, inode: UInt64, size: Int64) {
            self.path = path
            self.sourceIndex = sourceIndex
            self.device = device
            self.inode = inode
            self.size = size
        }
    }

    /// The state of a tracked file through its open descriptor, and how far it was read.
    public struct FileSighting: Sendable, Equatable {
        /// `fstat` size.
        public var size: Int64
        /// `fstat` link count (0: unlinked).
        public var linkCount: UInt64
        /// `TailedFile.consumedOffset`.
        public var consumedOffset: Int64
        /// `TailedFile.scannedOffset`.
        public var scannedOffset: Int64
        /// The first bytes contradict the file's fingerprint, or the file got shorter than it
        /// (`TailedFile.verifyIdentity()` answered `false`).
        public var contentReplaced: Bool
        /// The file's first bytes as last verified (`TailedFile.identity`): when the content
        /// was replaced, those of the old content. Lets a copy of the file be recognised.
        public var fingerprint: [UInt8]

        public init(
            size: Int64, linkCount: UInt64, consumedOffset: Int64, scannedOffset: Int64, contentReplaced: Bool,
            fingerprint: [UInt8] = []
        ) {
            self.size = size
            self.linkCount = linkCount
            self.consumedOffset = consumedOffset
            self.scannedOffset = scannedOffset
            self.contentReplaced = contentReplaced
            self.fingerprint = fingerprint
        }
    }

    /// A file the driver opened because no tracked file has its device and inode.
    public struct Candidate: Sendable, Equatable {
        public var path: String
        public var sourceIndex: Int
        /// Taken from the open descriptor.
        public var identity: FileIdentity
        public var size: Int64
        /// Found by searching a checkpoint's directory for its inode (the file was rotated
        /// away while the shipper was down), not through a source path: it is drained and
        /// closed, never followed.
        public var foundByCheckpointSearch: Bool

        public init(path: String, sourceIndex: Int, identity: FileIdentity, size: Int64, foundByCheckpointSearch: Bool = false) {
            self.path = path
            self.sourceIndex = sourceIndex
            self.identity = identity
            self.size = size
            self.foundByCheckpointSearch = foundByCheckpointSearch
        }
    }

    /// Every path the sources match now that holds a regular file.
    public var paths: [PathSighting]
    /// One sighting per tracked file; a tracked file without one is left as it is.
    public var files: [TailedFileID: FileSighting]
    /// Newly opened files, referred to by index in `TailAction`.
    public var candidates: [Candidate]

    public init(paths: [PathSighting] = [], files: [TailedFileID: FileSighting] = [:], candidates: [Candidate] = []) {
        self.paths = paths
        self.files = files
        self.candidates = candidates
    }
}
