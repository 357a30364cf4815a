/// Distinct test lines, each recognisable by its number, with varying lengths so lines cross
/// read-buffer boundaries at every position. The text is what the tests expect back.
enum LogLines {
    static func line(_ number: Int, tag: String = "a") -> String {
        let padding = String(repeating: "x", count: (number * 37) % 90)
        return "10.0.\(number % 256).1 - - [\(tag)] \"GET /item/\(number) HTTP/1.1\" 200 \(number) \(padding)"
    }

    static func lines(_ range: Range<Int>, tag: String = "a") -> [String] {
        range.map { line($0, tag: tag) }
    }

    /// The file bytes of `lines`, each ended by `\n`.
    static func text(_ lines: [String]) -> String {
        lines.map { $0 + "\n" }.joined()
    }
}
