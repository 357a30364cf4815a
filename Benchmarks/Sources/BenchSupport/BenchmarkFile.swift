import TrafficGenerator

#if canImport(Glibc)
    import Glibc
#endif

/// The benchmark's input: `lines` lines of the `edge` format from the traffic generator's
/// default profile (seed 1), the same file `edgelog-bench` uses, written once and reused.
public enum BenchmarkFile {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Writes the file unless it already holds exactly `lines` lines; returns its size.
    @discardableResult
    public static func prepare(path: String, lines: Int) throws -> Int {
        if let counted = try? countLines(path: path), counted.lines == lines { return counted.bytes }
        var generator = try TrafficGenerator(profile: TrafficProfile(), format: "edge")
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw Failure(description: "cannot create \(path): errno \(errno)") }
        defer { close(descriptor) }
        var chunk: [UInt8] = []
        chunk.reserveCapacity(9 << 20)
        var size = 0
        for index in 0..<lines {
            generator.appendLine(to: &chunk)
            if chunk.count >= 8 << 20 || index == lines - 1 {
                try chunk.withUnsafeBytes { raw in
                    var offset = 0
                    while offset < raw.count {
                        guard let base = raw.baseAddress else { return }
                        let count = write(descriptor, base + offset, raw.count - offset)
                        guard count > 0 else { throw Failure(description: "write to \(path) failed: errno \(errno)") }
                        offset += count
                    }
                }
                size += chunk.count
                chunk.removeAll(keepingCapacity: true)
            }
        }
        return size
    }

    /// Lines and bytes of the file, read in 8 MiB chunks.
    public static func countLines(path: String) throws -> (lines: Int, bytes: Int) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw Failure(description: "cannot open \(path)") }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 8 << 20)
        var lines = 0
        var bytes = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            bytes += count
            for index in 0..<count where buffer[index] == 0x0A { lines += 1 }
        }
        return (lines, bytes)
    }
}
