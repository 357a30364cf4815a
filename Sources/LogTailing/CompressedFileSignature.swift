/// The leading magic bytes of the compressors logrotate is configured with. A glob such as
/// `access.log*` also matches `access.log.2.gz`; its bytes are not log lines, and shipping
/// them would fill the stream with unparseable garbage. The tailer skips such files (once,
/// with a warning) instead of reading them.
public enum CompressedFileSignature: String, Sendable, CaseIterable {
    case gzip
    case bzip2
    case xz
    case zstd
    case lz4

    private var magic: [UInt8] {
        switch self {
        case .gzip: [0x1F, 0x8B]
        case .bzip2: [0x42, 0x5A, 0x68]  // "BZh"
        case .xz: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]
        case .zstd: [0x28, 0xB5, 0x2F, 0xFD]
        case .lz4: [0x04, 0x22, 0x4D, 0x18]
        }
    }

    /// The compressor whose magic `firstBytes` start with, or `nil` (also when they are too
    /// short to tell: an empty or one-byte file is treated as a log).
    public static func of(firstBytes: some Collection<UInt8>) -> CompressedFileSignature? {
        allCases.first { firstBytes.starts(with: $0.magic) }
    }

    /// Name endings of compressed rotations.
    static let extensions = [".gz", ".bz2", ".xz", ".zst", ".lz4"]

    /// Whether a file is too short to tell yet and may be a compressor's output being written:
    /// its first bytes are a proper prefix of a magic, and either it has some bytes (a log line
    /// never starts with 0x1F, "BZ", 0xFD, 0x28 or 0x04) or it is empty under a compressed
    /// name. An empty `access.log` is a log (nginx has just reopened it) and is read at once.
    public static func mayStillBecomeCompressed(firstBytes: some Collection<UInt8>, path: String) -> Bool {
        guard of(firstBytes: firstBytes) == nil,
            allCases.contains(where: { $0.magic.count > firstBytes.count && $0.magic.starts(with: firstBytes) })
        else { return false }
        return !firstBytes.isEmpty || extensions.contains { path.hasSuffix($0) }
    }
}
