import Foundation
import PipelineTestSupport

/// The reference implementation: Debian's `lz4` CLI (liblz4's own frame reader and writer).
enum LZ4CommandLine {
    struct Failed: Error, CustomStringConvertible {
        var arguments: [String]
        var status: Int32
        var stderr: String
        var description: String { "lz4 \(arguments.joined(separator: " ")) exited \(status): \(stderr)" }
    }

    /// `lz4 -d -c`: every frame in `frames`, decompressed and concatenated.
    static func decompress(_ frames: [UInt8]) throws -> [UInt8] {
        try run(["-d", "-c", "-q"], stdin: frames)
    }

    /// `lz4 -c <arguments>`: one frame holding `input`. stdin is a regular file, so the CLI can
    /// learn the size and honour `--content-size`.
    static func compress(_ input: [UInt8], arguments: [String] = []) throws -> [UInt8] {
        try run(["-c", "-q"] + arguments, stdin: input)
    }

    /// Whether `lz4 -d` accepts `frames` (exit status 0).
    static func accepts(_ frames: [UInt8]) throws -> Bool {
        try ExternalTool.run("lz4", ["-d", "-c", "-q"], stdin: Data(frames)).status == 0
    }

    private static func run(_ arguments: [String], stdin: [UInt8]) throws -> [UInt8] {
        let result = try ExternalTool.run("lz4", arguments, stdin: Data(stdin))
        guard result.status == 0 else {
            throw Failed(arguments: arguments, status: result.status, stderr: result.stderrText)
        }
        return [UInt8](result.stdout)
    }
}
