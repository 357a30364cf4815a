import FileStorage
import Foundation

/// A directory of checkpoints, one file per tailed file (by device and inode), each replaced
/// atomically through `DurableFile` (write a temporary file, sync it, rename it over the old one;
/// the rename is durable when it returns). A crash at any point leaves either the old or the new
/// checkpoint, never an empty or torn one.
///
/// Layout of `directory`:
/// - `<device>-<inode>.checkpoint`: one `Checkpoint` as JSON.
/// - `<device>-<inode>.checkpoint.tmp`: a write in progress (removed by `load`).
/// - `initialized`: written by `markInitialized()` once the first start's files have their
///   checkpoints; without it a start is the first start (`--start-at` applies).
public struct CheckpointStore: Sendable {
    /// What the directory held at start-up.
    public struct Contents: Sendable, Equatable {
        public var checkpoints: [Checkpoint]
        /// No `initialized` marker: the shipper never completed a start here.
        public var isFirstStart: Bool
    }

    private static let suffix = ".checkpoint"
    private static let temporarySuffix = ".checkpoint.tmp"
    private static let marker = "initialized"

    public let directory: String
    private let fileSystem: any FileSystem

    /// `fileSystem` is the seam tests use to fill the disk or tear a write in a simulated crash;
    /// the default keeps checkpoints readable by their owner only.
    public init(directory: String, fileSystem: any FileSystem = PosixFileSystem.ownerOnly) {
        self.directory = directory
        self.fileSystem = fileSystem
    }

    /// The file holding the checkpoint of the file with `identity`'s device and inode.
    public func path(for identity: FileIdentity) -> String {
        "\(directory)/\(identity.device)-\(identity.inode)\(Self.suffix)"
    }

    /// Creates the directory when missing, removes abandoned temporary files, and reads every
    /// checkpoint. A file that is not a valid checkpoint stops the load with `.corrupt` naming
    /// it: guessing would ship lines twice or never.
    public func load() throws(CheckpointError) -> Contents {
        let names: [String]
        do {
            try fileSystem.createDirectory(atPath: directory)
            names = try fileSystem.contentsOfDirectory(atPath: directory)
        } catch {
            throw CheckpointError(.readFailed(error), path: directory)
        }
        var checkpoints: [Checkpoint] = []
        for name in names.sorted() {
            let path = "\(directory)/\(name)"
            if name.hasSuffix(Self.temporarySuffix) {
                try? fileSystem.removeFile(atPath: path)
            } else if name.hasSuffix(Self.suffix), let checkpoint = try read(at: path) {
                guard self.path(for: checkpoint.identity) == path else {
                    throw CheckpointError(.corrupt("holds the checkpoint of \(checkpoint.identity)"), path: path)
                }
                checkpoints.append(checkpoint)
            }
        }
        return Contents(checkpoints: checkpoints, isFirstStart: !names.contains(Self.marker))
    }

    /// The checkpoint stored for `identity`'s device and inode, or `nil` when there is none.
    public func read(_ identity: FileIdentity) throws(CheckpointError) -> Checkpoint? {
        try read(at: path(for: identity))
    }

    /// Replaces the checkpoint of `checkpoint.identity`'s device and inode, atomically and
    /// durably. On failure the temporary file is removed and the error thrown: the caller keeps
    /// its state in memory and tries again later; nothing advanced on disk.
    public func write(_ checkpoint: Checkpoint) throws(CheckpointError) {
        let bytes: [UInt8]
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            bytes = Array(try encoder.encode(checkpoint)) + [UInt8(ascii: "\n")]
        } catch {
            throw CheckpointError(.corrupt("cannot encode: \(error)"), path: path(for: checkpoint.identity))
        }
        try replace(path(for: checkpoint.identity), with: bytes)
    }

    /// Deletes the checkpoint of `identity`'s device and inode (the file was finished and all
    /// of it acknowledged, or it is gone).
    public func remove(_ identity: FileIdentity) throws(CheckpointError) {
        let path = path(for: identity)
        guard fileSystem.fileExists(atPath: path) else { return }
        do {
            try fileSystem.removeFile(atPath: path)
        } catch {
            throw CheckpointError(.removeFailed(error), path: path)
        }
    }

    /// Records that the first start is complete: later starts begin files without a
    /// checkpoint at 0, whatever `--start-at` says.
    public func markInitialized() throws(CheckpointError) {
        try replace("\(directory)/\(Self.marker)", with: Array("1\n".utf8))
    }

    // MARK: - Internals

    private func replace(_ destination: String, with bytes: [UInt8]) throws(CheckpointError) {
        do {
            try DurableFile(path: destination, fileSystem: fileSystem).replace(with: bytes)
        } catch {
            throw CheckpointError(.writeFailed(error), path: destination)
        }
    }

    private func read(at path: String) throws(CheckpointError) -> Checkpoint? {
        let bytes: [UInt8]?
        do {
            bytes = try DurableFile(path: path, fileSystem: fileSystem).read()
        } catch {
            throw CheckpointError(.readFailed(error), path: path)
        }
        guard let bytes else { return nil }
        do {
            return try JSONDecoder().decode(Checkpoint.self, from: Data(bytes))
        } catch {
            throw CheckpointError(.corrupt(Self.explain(error)), path: path)
        }
    }

    /// A one-line reason from a `DecodingError`, for the operator.
    private static func explain(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        switch decoding {
        case .dataCorrupted(let context), .keyNotFound(_, let context), .typeMismatch(_, let context),
            .valueNotFound(_, let context):
            let location = context.codingPath.map(\.stringValue).joined(separator: ".")
            return location.isEmpty ? context.debugDescription : "\(location): \(context.debugDescription)"
        @unknown default:
            return "\(decoding)"
        }
    }
}
