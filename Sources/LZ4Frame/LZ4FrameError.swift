import CLZ4

/// Why an LZ4 frame could not be written or read.
///
/// Hostile or damaged input always ends in one of these cases, never in a trap: the decoder
/// classifies "the bytes stopped too early" and "the output would be too large" itself, and
/// passes everything else through from liblz4 with the library's own error name.
public enum LZ4FrameError: Error, Equatable, Sendable {
    /// The input ended before the last frame in it was complete (inside the header, a block, the
    /// end mark or the content checksum), or the input held no frame at all. Nothing is returned
    /// for such input: a short frame never yields short output.
    case truncated

    /// Decompressing would append more than `limit` bytes: the frame's content-size field says
    /// so, or the decoder produced byte `limit + 1`. This is the decompression-bomb guard.
    case outputLimitExceeded(limit: Int)

    /// liblz4 reported an error. `code` is liblz4's `LZ4F_errorCodes` value (the negated
    /// `size_t` result of the failing call); `name` is `LZ4F_getErrorName`, for example
    /// `ERROR_frameType_unknown` (bad magic) or `ERROR_contentChecksum_invalid`.
    case library(code: Int, name: String)

    /// Builds `.library` from a `size_t` result for which `LZ4F_isError` is true.
    ///
    /// liblz4 returns an error as `(size_t)-code`, so the code is the two's-complement negation.
    static func library(result: Int) -> LZ4FrameError {
        let code = 0 &- result
        let name = LZ4F_getErrorName(result).map { String(cString: $0) } ?? "unknown LZ4F error"
        return .library(code: code, name: name)
    }
}

extension LZ4FrameError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .truncated:
            "LZ4 frame is truncated"
        case .outputLimitExceeded(let limit):
            "LZ4 frame decompresses to more than \(limit) bytes"
        case .library(let code, let name):
            "liblz4 error \(code): \(name)"
        }
    }
}

/// Turns a liblz4 `size_t` result into a byte count or a typed error.
@inline(__always)
func checkLZ4F(_ result: Int) -> Result<Int, LZ4FrameError> {
    LZ4F_isError(result) != 0 ? .failure(.library(result: result)) : .success(result)
}
