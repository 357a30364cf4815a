#if canImport(Glibc)
import Glibc
#endif

/// `glob(3)` with the directories it could not read: without an error callback glob skips an
/// unreadable directory silently (a pattern in a directory without read permission simply
/// matches nothing), and a tailer must tell "no log yet" from "cannot look".
///
/// glob's callback is a C function without a context argument; the errors of one call are
/// collected in a per-thread sink, which is safe because glob calls it synchronously on the
/// calling thread.
enum GlobMatch {
    /// What one pattern matched, and the directories glob could not open or read on the way.
    struct Result {
        var paths: [String]
        var unreadableDirectories: [SystemCallError]
    }

    /// Matches `pattern`; throws only when glob itself fails (out of memory).
    static func paths(matching pattern: String) throws(SystemCallError) -> Result {
        let sink = ErrorSink()
        var result = glob_t()
        defer { globfree(&result) }
        pthread_setspecific(sinkKey, Unmanaged.passUnretained(sink).toOpaque())
        let status = withExtendedLifetime(sink) {
            glob(pattern, 0, { path, code in GlobMatch.record(path, code) }, &result)
        }
        pthread_setspecific(sinkKey, nil)
        switch status {
        case 0:
            break
        case GLOB_NOMATCH:
            return Result(paths: [], unreadableDirectories: sink.errors)
        default:
            throw SystemCallError("glob", path: pattern, errorNumber: status == GLOB_NOSPACE ? ENOMEM : EIO)
        }
        var paths: [String] = []
        paths.reserveCapacity(Int(result.gl_pathc))
        for index in 0..<Int(result.gl_pathc) {
            if let entry = result.gl_pathv[index] {
                paths.append(String(cString: entry))
            }
        }
        return Result(paths: paths, unreadableDirectories: sink.errors)
    }

    /// Errors glob reported during one call on this thread.
    private final class ErrorSink {
        var errors: [SystemCallError] = []
    }

    /// The thread-specific slot holding the `ErrorSink` of the glob call running on a thread.
    private static let sinkKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// glob's error callback: notes the directory and goes on with the rest of the pattern.
    private static func record(_ path: UnsafePointer<CChar>?, _ code: Int32) -> Int32 {
        guard let raw = pthread_getspecific(sinkKey) else { return 0 }
        let sink = Unmanaged<ErrorSink>.fromOpaque(raw).takeUnretainedValue()
        sink.errors.append(SystemCallError("opendir", path: path.map { String(cString: $0) } ?? "", errorNumber: code))
        return 0
    }
}
