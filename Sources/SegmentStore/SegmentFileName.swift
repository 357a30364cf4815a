import FileStorage
/// Names of the files of one segment and of a partition's directory, as Kafka lays them out.
///
/// A segment whose first offset is 1234 is the three files
/// `00000000000000001234.log`, `00000000000000001234.index` and `00000000000000001234.timeindex`.
/// The base offset is zero-padded to 20 digits (the width of `Int64.max`), so a plain `ls`, and
/// a byte-wise sort of the names, list segments in offset order.
///
/// A partition's segments live in `<topic>-<partition>/`, e.g. `access-3/`.
public struct SegmentFileName: Sendable, Hashable, Comparable {
    /// What a file of a segment holds.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Record batches back to back (`.log`).
        case log
        /// The sparse offset index (`.index`), see `OffsetIndex`.
        case offsetIndex = "index"
        /// The sparse time index (`.timeindex`), see `TimeIndex`.
        case timeIndex = "timeindex"
    }

    /// Width of the zero-padded base offset.
    public static let digits = 20

    public var baseOffset: Int64
    public var kind: Kind

    public init(baseOffset: Int64, kind: Kind) {
        precondition(baseOffset >= 0, "segment base offsets are never negative")
        self.baseOffset = baseOffset
        self.kind = kind
    }

    /// Parses `<20 digits>.<log|index|timeindex>`; anything else (temporary files, `.deleted`,
    /// a 19-digit name) gives `nil`.
    public init?(_ name: String) {
        let utf8 = Array(name.utf8)
        guard utf8.count > Self.digits + 1, utf8[Self.digits] == UInt8(ascii: ".") else { return nil }
        var value: Int64 = 0
        for byte in utf8[0..<Self.digits] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times10, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = times10.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflowA, !overflowB else { return nil }
            value = sum
        }
        guard let kind = Kind(rawValue: String(decoding: utf8[(Self.digits + 1)...], as: UTF8.self)) else {
            return nil
        }
        self.baseOffset = value
        self.kind = kind
    }

    /// The file name, e.g. `00000000000000001234.log`.
    public var name: String {
        let digits = String(baseOffset)
        return String(repeating: "0", count: Self.digits - digits.count) + digits + "." + kind.rawValue
    }

    public static func < (lhs: SegmentFileName, rhs: SegmentFileName) -> Bool {
        lhs.name < rhs.name
    }

    /// Longest topic name Kafka accepts.
    public static let maximumTopicLength = 249

    /// `<topic>-<partition>`, after checking the topic is a legal Kafka topic name (ASCII letters,
    /// digits, `.`, `_`, `-`; 1...249 bytes; not `.` or `..`), so no topic can name a path
    /// outside the data directory.
    public static func partitionDirectoryName(topic: String, partition: Int32) throws -> String {
        let bytes = Array(topic.utf8)
        let legal = bytes.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        guard legal, !bytes.isEmpty, bytes.count <= maximumTopicLength, topic != ".", topic != ".." else {
            throw StorageError(code: .invalidName, message: "illegal topic name \(String(reflecting: topic))")
        }
        guard partition >= 0 else {
            throw StorageError(code: .invalidName, message: "negative partition \(partition)")
        }
        return "\(topic)-\(partition)"
    }

    /// Splits a partition directory name at its last `-`: `access-log-3` is topic `access-log`,
    /// partition 3. `nil` for names that `partitionDirectoryName` would not produce.
    public static func parsePartitionDirectoryName(_ name: String) -> (topic: String, partition: Int32)? {
        guard let dash = name.lastIndex(of: "-") else { return nil }
        let topic = String(name[..<dash])
        let digits = name[name.index(after: dash)...]
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            let partition = Int32(digits),
            (try? partitionDirectoryName(topic: topic, partition: partition)) == name
        else { return nil }
        return (topic, partition)
    }
}
