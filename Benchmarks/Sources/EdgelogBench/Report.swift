import Foundation

enum Report {
    /// A Markdown table, ready to paste into BENCHMARKS.md.
    static func table(_ results: [Measurement]) -> String {
        var lines = [
            "| stage | wall s | CPU s | lines/s | MB/s of raw log |",
            "|---|---:|---:|---:|---:|",
        ]
        for result in results {
            lines.append(
                "| \(result.name) | \(fixed(result.wallSeconds, 3)) | \(fixed(result.cpuSeconds, 3)) | "
                    + "\(fixed(result.linesPerSecond / 1e6, 2)) M | \(fixed(result.megabytesPerSecond, 0)) |")
        }
        return lines.joined(separator: "\n")
    }

    static func notes(_ results: [Measurement]) -> [String] {
        results.filter { !$0.note.isEmpty }.map { "- \($0.name): \($0.note)" }
    }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}
