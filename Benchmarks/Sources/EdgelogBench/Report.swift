import Foundation

enum Report {
    /// A Markdown table, ready to paste into BENCHMARKS.md.
    static func table(_ results: [Measurement]) -> String {
        var lines = [
            "| stage | wall s | CPU s | lines/s (wall) | MB/s of raw log (wall) | lines per CPU-second |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for result in results {
            lines.append(
                "| \(result.name) | \(fixed(result.wallSeconds, 3)) | \(cpu(result.cpuSeconds)) | "
                    + "\(fixed(result.linesPerSecond / 1e6, 2)) M | \(fixed(result.megabytesPerSecond, 0)) | "
                    + perCPUSecond(result) + " |"
            )
        }
        return lines.joined(separator: "\n")
    }

    static func notes(_ results: [Measurement]) -> [String] {
        results.filter { !$0.note.isEmpty }.map { "- \($0.name): \($0.note)" }
    }

    private static func perCPUSecond(_ result: Measurement) -> String {
        result.cpuSeconds.isNaN ? "–" : "\(fixed(Double(result.lines) / result.cpuSeconds / 1e6, 2)) M"
    }

    private static func cpu(_ seconds: Double) -> String {
        seconds.isNaN ? "–" : fixed(seconds, 3)
    }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}
