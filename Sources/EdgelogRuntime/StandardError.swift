#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Unbuffered writes to file descriptor 2. Each log line is handed to one `write(2)` call, so
/// lines from concurrent loggers do not interleave mid-line (for lines up to `PIPE_BUF` on pipes).
public enum StandardError {
    /// Writes `text` to stderr, retrying on short writes and `EINTR`; other errors drop the text
    /// (a logger has nowhere to report its own failure).
    @Sendable public static func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = systemWrite(2, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }

    /// A `TextOutputStream` over a write function, for swift-log's `StreamLogHandler`.
    struct Stream: TextOutputStream, Sendable {
        let sink: @Sendable (String) -> Void
        mutating func write(_ string: String) { sink(string) }
    }
}

private func systemWrite(_ fd: Int32, _ buffer: UnsafePointer<UInt8>?, _ count: Int) -> Int {
    #if canImport(Darwin)
    Darwin.write(fd, buffer, count)
    #elseif canImport(Musl)
    Musl.write(fd, buffer, count)
    #else
    Glibc.write(fd, buffer, count)
    #endif
}
