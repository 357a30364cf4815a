import TrafficGenerator

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The log file the stages read: `lines` lines of the `edge` format from the traffic
/// generator's default profile (seed 1), written once and reused while its size matches.
enum BenchmarkLog {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Writes the file unless it already holds exactly `lines` lines.
    static func prepare(path: String, lines: Int) throws {
        if let existing = try? load(path: path), existing.reduce(0, { $0 + ($1 == 0x0A ? 1 : 0) }) == lines {
            return
        }
        var generator = try TrafficGenerator(profile: TrafficProfile(), format: "edge")
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw Failure(description: "cannot create \(path): errno \(errno)") }
        defer { close(descriptor) }
        var chunk: [UInt8] = []
        chunk.reserveCapacity(9 << 20)
        for index in 0..<lines {
            generator.appendLine(to: &chunk)
            if chunk.count >= 8 << 20 || index == lines - 1 {
                try writeAll(descriptor, chunk, path: path)
                chunk.removeAll(keepingCapacity: true)
            }
        }
    }

    /// The whole file, read with read(2) into one buffer.
    static func load(path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw Failure(description: "cannot open \(path): errno \(errno)") }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw Failure(description: "cannot stat \(path)") }
        let size = Int(info.st_size)
        var failure: Failure?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var offset = 0
            while offset < size {
                guard let base = buffer.baseAddress else { break }
                let count = read(descriptor, base + offset, size - offset)
                if count <= 0 {
                    failure = Failure(description: "short read of \(path) at \(offset)")
                    break
                }
                offset += count
            }
            initialized = offset
        }
        if let failure { throw failure }
        return bytes
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                guard let base = raw.baseAddress else { return }
                let count = write(descriptor, base + offset, raw.count - offset)
                guard count > 0 else { throw Failure(description: "write to \(path) failed: errno \(errno)") }
                offset += count
            }
        }
    }
}
