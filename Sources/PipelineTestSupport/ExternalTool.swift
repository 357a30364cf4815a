import Foundation

/// Runs a real third-party tool (`capnp`, `lz4`, `psql`, `kcat`, ...) the way a user would, so
/// interop tests check our bytes against the reference implementation rather than our own code.
public enum ExternalTool {
    /// What a finished tool run left behind.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: Data
        public var stderr: Data
        public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    }

    public struct NotFound: Error, CustomStringConvertible {
        public var name: String
        public var description: String { "\(name) is not installed (see .ci/run for the apt packages)" }
    }

    /// Finds `name` on PATH or in the usual system directories.
    public static func locate(_ name: String) throws -> String {
        if name.contains("/") { return name }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/bin", "/usr/sbin"]
        for dir in dirs where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
            return "\(dir)/\(name)"
        }
        throw NotFound(name: name)
    }

    /// Runs `name arguments...`, feeding `stdin`, and waits for it to exit.
    /// stdout and stderr go through temporary files so a chatty tool can never block on a full pipe.
    ///
    /// In async code this overload is the one chosen: the wait happens on a thread of its own
    /// (`OffPool`), never on the cooperative pool, because a kcat, psql or demo run takes seconds
    /// and tests run in parallel.
    @discardableResult
    public static func run(
        _ name: String,
        _ arguments: [String],
        stdin: Data = Data(),
        environment: [String: String]? = nil
    ) async throws -> Result {
        try await OffPool.run { try run(name, arguments, stdin: stdin, environment: environment) }
    }

    /// The blocking form, for synchronous code that cannot await (a `RecordsCodec` conformance,
    /// a helper used by sync tests). It holds the calling thread until the tool exits, so keep it
    /// to tools that finish in milliseconds (`lz4`, `capnp`, `awk` on small inputs).
    @discardableResult
    public static func run(
        _ name: String,
        _ arguments: [String],
        stdin: Data = Data(),
        environment: [String: String]? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try locate(name))
        process.arguments = arguments
        if let environment { process.environment = environment }

        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("edgelog-tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let inURL = scratch.appendingPathComponent("stdin")
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        try stdin.write(to: inURL)
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let inHandle = try FileHandle(forReadingFrom: inURL)
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        defer {
            try? inHandle.close()
            try? outHandle.close()
            try? errHandle.close()
        }
        process.standardInput = inHandle
        process.standardOutput = outHandle
        process.standardError = errHandle
        try process.run()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: (try? Data(contentsOf: outURL)) ?? Data(),
            stderr: (try? Data(contentsOf: errURL)) ?? Data()
        )
    }
}
