#if canImport(Glibc)
import Glibc
#endif

/// A failed system call on a log or checkpoint file: which call, on which path, and `errno`.
public struct SystemCallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The call that failed, e.g. `"pread"`, `"open"`, `"rename"`.
    public var operation: String
    /// The path it was applied to (the file a descriptor was opened from, for `pread`/`fstat`).
    public var path: String
    /// `errno` right after the call.
    public var errorNumber: Int32

    public init(_ operation: String, path: String, errorNumber: Int32) {
        self.operation = operation
        self.path = path
        self.errorNumber = errorNumber
    }

    /// Captures the current `errno`.
    static func current(_ operation: String, path: String) -> SystemCallError {
        SystemCallError(operation, path: path, errorNumber: errno)
    }

    public var description: String {
        "\(operation) \(path): \(String(cString: strerror(errorNumber))) (errno \(errorNumber))"
    }
}
