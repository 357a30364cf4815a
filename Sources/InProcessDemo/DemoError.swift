/// Why the in-process demo could not run.
public enum DemoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The batch size is below 4096 bytes, too small for a record.
    case batchTooSmall(Int)
    /// The log file could not be opened.
    case unreadable(String)

    public var description: String {
        switch self {
        case .batchTooSmall(let bytes): "--batch-bytes must be at least 4096 (got \(bytes))"
        case .unreadable(let path): "cannot open \(path)"
        }
    }
}
