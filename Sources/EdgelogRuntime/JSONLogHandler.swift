import Foundation
import Logging

/// A swift-log handler writing one JSON object per line:
///
/// ```json
/// {"label":"edgelog.broker","level":"info","message":"listening","metadata":{"port":"9092"},"source":"BrokerCore","ts":"2024-05-01T12:00:00.123Z"}
/// ```
///
/// Keys are sorted so lines are stable to compare. `ts` is UTC with milliseconds. Metadata is nested
/// under `metadata` (never flattened) so a metadata key can never shadow `level` or `message`;
/// metadata values keep their shape (strings, arrays, objects). An attached error adds
/// `error.message` and `error.type` to the metadata, as swift-log's `StreamLogHandler` does.
public struct JSONLogHandler: LogHandler {
    /// The logger label, e.g. `edgelog.broker`.
    public let label: String
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let write: @Sendable (String) -> Void

    /// - Parameter write: receives each complete line including its trailing newline.
    public init(
        label: String,
        metadataProvider: Logger.MetadataProvider? = nil,
        write: @escaping @Sendable (String) -> Void = StandardError.write
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var object: [String: Any] = [
            "ts": Date().formatted(Self.timestampStyle),
            "level": event.level.rawValue,
            "label": label,
            "message": event.message.description,
            "source": event.source,
        ]
        if !merged.isEmpty { object["metadata"] = Self.jsonObject(merged) }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return }
        write(String(decoding: data, as: UTF8.self) + "\n")
    }

    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    private static func jsonObject(_ metadata: Logger.Metadata) -> [String: Any] {
        metadata.mapValues(jsonValue)
    }

    private static func jsonValue(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .dictionary(let dictionary): jsonObject(dictionary)
        case .array(let array): array.map(jsonValue)
        }
    }
}
