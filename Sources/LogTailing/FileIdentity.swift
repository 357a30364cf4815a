import Foundation

/// Which file a tailed log is, across renames, restarts, inode reuse and copytruncate.
///
/// `device` and `inode` name the file while it exists, but the kernel hands a freed inode to
/// the next new file, and copytruncate replaces a file's content under the same inode. So an
/// identity also carries `fingerprint`: the file's first bytes as read (at most
/// `fingerprintCapacity`; fewer while the file is shorter). The fingerprint is stored, not
/// hashed, so two identities can be compared exactly even when one was taken while the file
/// was shorter.
///
/// Invariant: `fingerprint.count <= FileIdentity.fingerprintCapacity`.
public struct FileIdentity: Sendable, Hashable {
    /// Number of leading bytes kept as the fingerprint once the file is that long. nginx lines
    /// start with the client address and a timestamp, so 256 bytes tell files apart.
    public static let fingerprintCapacity = 256

    /// `st_dev` of the file.
    public var device: UInt64
    /// `st_ino` of the file.
    public var inode: UInt64
    /// The first `min(size, fingerprintCapacity)` bytes of the file when last looked at.
    public private(set) var fingerprint: [UInt8]

    /// - Parameter fingerprint: the file's first bytes; only the first `fingerprintCapacity`
    ///   are kept.
    public init(device: UInt64, inode: UInt64, fingerprint: some Collection<UInt8>) {
        self.device = device
        self.inode = inode
        self.fingerprint = Array(fingerprint.prefix(Self.fingerprintCapacity))
    }

    /// Whether `other` names the same inode on the same device (says nothing about content).
    public func hasSameInode(as other: FileIdentity) -> Bool {
        device == other.device && inode == other.inode
    }

    /// Whether two fingerprints can come from the same content: the shorter one is a prefix of
    /// the longer one (a file only grows at its end).
    public func fingerprintIsConsistent(with firstBytes: some Collection<UInt8>) -> Bool {
        let common = min(fingerprint.count, firstBytes.count)
        return fingerprint.prefix(common).elementsEqual(firstBytes.prefix(common))
    }

    /// Whether `other` is this very file, possibly grown since: same device and inode, and the
    /// fingerprints agree on their common length. Inode reuse (new first bytes) and
    /// copytruncate followed by new writes both answer `false`.
    public func isSameFile(as other: FileIdentity) -> Bool {
        hasSameInode(as: other) && fingerprintIsConsistent(with: other.fingerprint)
    }

    /// The identity with the fingerprint grown to `firstBytes` when those are consistent and
    /// longer; `nil` when they contradict the fingerprint (the content was replaced).
    public func extended(with firstBytes: some Collection<UInt8>) -> FileIdentity? {
        guard fingerprintIsConsistent(with: firstBytes) else { return nil }
        guard firstBytes.count > fingerprint.count, fingerprint.count < Self.fingerprintCapacity else { return self }
        var copy = self
        copy.fingerprint = Array(firstBytes.prefix(Self.fingerprintCapacity))
        return copy
    }
}

extension FileIdentity: CustomStringConvertible {
    public var description: String {
        "dev \(device) ino \(inode) fingerprint \(fingerprint.count) B"
    }
}

extension FileIdentity: Codable {
    private enum CodingKeys: String, CodingKey {
        case device, inode, fingerprint
    }

    /// JSON: `{"device": 2049, "inode": 1234, "fingerprint": "<base64 of the first bytes>"}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(device, forKey: .device)
        try container.encode(inode, forKey: .inode)
        try container.encode(Data(fingerprint).base64EncodedString(), forKey: .fingerprint)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let text = try container.decode(String.self, forKey: .fingerprint)
        guard let bytes = Data(base64Encoded: text), bytes.count <= Self.fingerprintCapacity else {
            throw DecodingError.dataCorruptedError(
                forKey: .fingerprint, in: container,
                debugDescription: "fingerprint is not base64 of at most \(Self.fingerprintCapacity) bytes")
        }
        self.init(
            device: try container.decode(UInt64.self, forKey: .device),
            inode: try container.decode(UInt64.self, forKey: .inode),
            fingerprint: bytes)
    }
}
