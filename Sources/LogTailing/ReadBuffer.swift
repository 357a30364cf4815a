/// The one fixed block of memory a tailer reads file bytes into, reused for every read of
/// every file: memory stays bounded no matter how many files are tailed or how far behind
/// the output is.
///
/// Lines handed out by `TailedFile.readLines` point into this buffer and are valid only until
/// the next read. Not thread-safe: one owner at a time.
public final class ReadBuffer {
    /// Bytes available to one `pread`.
    public let capacity: Int
    let storage: UnsafeMutableRawBufferPointer

    /// - Parameter capacity: at least 1; 1 MiB reads log files at full disk speed.
    public init(capacity: Int = 1 << 20) {
        self.capacity = max(1, capacity)
        self.storage = UnsafeMutableRawBufferPointer.allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit {
        storage.deallocate()
    }
}

@available(*, unavailable)
extension ReadBuffer: Sendable {}
