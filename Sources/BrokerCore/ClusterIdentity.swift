import FileStorage
import Foundation
import SegmentStore

/// The cluster id of this broker's data: created once, at the first start on an empty data
/// directory, and kept in `<data-dir>/cluster-id` (one line, the id, then `\n`; written durably
/// before the broker listens).
///
/// The id names the data, not the process: consumers record it with their progress, so a broker
/// whose data was wiped (a new id) is noticed instead of re-counted from offset 0 (DESIGN §10.6).
public enum ClusterIdentity {
    /// The file name inside the data directory.
    public static let fileName = "cluster-id"

    /// Reads the id, creating and persisting a fresh random one when the file does not exist.
    /// - Throws: ``BrokerError/Code/invalidStateFile`` when the file exists but holds no id.
    public static func loadOrCreate(
        dataDirectory: String, fileSystem: any FileSystem, configured: String? = nil
    ) throws -> String {
        try fileSystem.createDirectory(atPath: dataDirectory)
        let file = DurableFile(path: "\(dataDirectory)/\(fileName)", fileSystem: fileSystem)
        if let bytes = try file.read() {
            let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard isValid(text) else {
                throw BrokerError(code: .invalidStateFile, message: "cluster id file holds no id", path: file.path)
            }
            if let configured, configured != text {
                throw BrokerError(
                    code: .invalidConfiguration,
                    message: "cluster-id \(configured) differs from the data directory's \(text) (another cluster's data?)",
                    path: file.path)
            }
            return text
        }
        let id = configured ?? UUID().uuidString.lowercased()
        try file.replace(with: Array((id + "\n").utf8))
        return id
    }

    /// An id is 1...64 printable ASCII characters without spaces.
    static func isValid(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        return !bytes.isEmpty && bytes.count <= 64 && bytes.allSatisfy { $0 > 0x20 && $0 < 0x7f }
    }
}
