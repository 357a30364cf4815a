/// An aligned plain-text table: a header row, a rule, then rows; text columns left-aligned,
/// number columns right-aligned, columns two blanks apart.
///
/// Cells are sanitised for a terminal (`TerminalText.safe`): sites, paths and user agents come
/// from the logs, which attackers write, and an escape sequence in a `$host` must not drive the
/// operator's terminal. Widths count `Character`s, so sparkline cells align.
public struct TextTable: Sendable {
    public enum Alignment: Sendable { case left, right }

    public struct Column: Sendable {
        public var title: String
        public var alignment: Alignment
        /// Longer cells are cut to this many characters, ending in `…`.
        public var maximumWidth: Int

        public init(_ title: String, _ alignment: Alignment = .left, maximumWidth: Int = 60) {
            self.title = title
            self.alignment = alignment
            self.maximumWidth = maximumWidth
        }
    }

    public var columns: [Column]
    public private(set) var rows: [[String]] = []

    public init(_ columns: [Column]) {
        self.columns = columns
    }

    /// Appends a row; missing cells are blank, extra cells are dropped.
    public mutating func append(_ cells: [String]) {
        var row = Array(cells.prefix(columns.count))
        while row.count < columns.count { row.append("") }
        rows.append(row)
    }

    /// The table as lines joined by `\n` (no trailing newline); trailing blanks trimmed.
    public func render() -> String {
        let cut: [[String]] = ([columns.map(\.title)] + rows).map { row in
            zip(row, columns).map { cell, column in Self.cut(TerminalText.safe(cell), to: column.maximumWidth) }
        }
        var widths = columns.map { _ in 0 }
        for row in cut {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        var lines: [String] = []
        for (number, row) in cut.enumerated() {
            var line = ""
            for (index, cell) in row.enumerated() {
                if index > 0 { line += "  " }
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                line += columns[index].alignment == .right ? padding + cell : cell + padding
            }
            lines.append(String(line.reversed().drop { $0 == " " }.reversed()))
            if number == 0 {
                lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
            }
        }
        return lines.joined(separator: "\n")
    }

    static func cut(_ text: String, to width: Int) -> String {
        guard text.count > width, width > 0 else { return text }
        return String(text.prefix(width - 1)) + "…"
    }
}
