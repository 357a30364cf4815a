import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Log lines with a unique, checkable path each (`/t/<tag>/<n>`), written the way nginx
/// writes: appended with `O_APPEND`, whole lines (or deliberately half of one).
enum TestLog {
    /// One `combined` line; with `host`, the `edge` format's four extra fields follow.
    static func line(tag: String, _ number: Int, host: String? = nil) -> String {
        var text =
            "10.1.\(number % 250).\(number % 200 + 1) - - [28/Nov/2026:12:\(String(format: "%02ld", number / 60 % 60)):"
        text +=
            "\(String(format: "%02ld", number % 60)) +0000] \"GET /t/\(tag)/\(number) HTTP/1.1\" 200 \(number) \"-\" \"shipper-test\""
        if let host { text += " \(host) 0.00\(number % 10) HIT \(100 + number % 50)" }
        return text + "\n"
    }

    /// `count` lines `first ..< first + count` for one tag, and their paths.
    static func lines(tag: String, _ range: Range<Int>, host: String? = nil) -> (text: String, paths: [String]) {
        (range.map { line(tag: tag, $0, host: host) }.joined(), range.map { "/t/\(tag)/\($0)" })
    }

    /// Appends `text` to `path` (creating it), as one `write(2)`.
    static func append(_ text: String, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Failure(description: "open \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { throw Failure(description: "write \(path): \(String(cString: strerror(errno)))") }
            written += count
        }
    }

    static func rename(_ from: String, _ to: String) throws {
        guard Glibc.rename(from, to) == 0 else {
            throw Failure(description: "rename \(from): \(String(cString: strerror(errno)))")
        }
    }

    static func truncate(_ path: String) throws {
        guard Glibc.truncate(path, 0) == 0 else {
            throw Failure(description: "truncate \(path): \(String(cString: strerror(errno)))")
        }
    }

    static func makeDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "edgelog-shipper-logs-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }
}
