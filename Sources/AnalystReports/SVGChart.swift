import Foundation

/// Inline SVG charts for the HTML report: no script, no fonts or images to fetch, so the page
/// renders the same offline, in a mail attachment, or under a `default-src 'none'` policy.
///
/// Every label passes through `HTMLText.escaped`; coordinates are computed from numbers only.
/// A chart of nothing (no points, or all zero) still draws its axes, so a quiet range reads as
/// "nothing happened", not as a broken page.
enum SVGChart {
    struct Series {
        var name: String
        /// One value per point; nil leaves a gap (a ratio over no requests).
        var values: [Double?]
        var color: String
    }

    static let palette = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d"]

    static let width = 720.0
    static let height = 220.0
    static let left = 64.0
    static let right = 12.0
    static let top = 12.0
    static let bottom = 28.0

    /// Lines over time, one per series, with the y axis from 0 to the largest value (or `maximum`).
    static func lines(
        _ series: [Series], labels: [String], title: String, maximum: Double? = nil, format: (Double) -> String
    ) -> String {
        let count = labels.count
        let largest = maximum ?? max(series.flatMap { $0.values.compactMap { $0 } }.max() ?? 0, 1)
        var body = frame(labels: labels, maximum: largest, format: format)
        for line in series {
            var path = ""
            var drawing = false
            for (index, value) in line.values.enumerated() {
                guard let value else {
                    drawing = false
                    continue
                }
                let point = "\(number(x(index, of: count))),\(number(y(value, maximum: largest)))"
                path += drawing ? " L\(point)" : " M\(point)"
                drawing = true
            }
            body += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"2\"/>"
        }
        return svg(body, title: title, legend: series.map { ($0.name, $0.color) })
    }

    /// Stacked columns over time: one stack per point, one layer per series (nil as 0).
    static func stackedColumns(_ series: [Series], labels: [String], title: String, format: (Double) -> String) -> String {
        let count = labels.count
        var totals = [Double](repeating: 0, count: count)
        for layer in series {
            for (index, value) in layer.values.enumerated() where index < count { totals[index] += value ?? 0 }
        }
        let largest = max(totals.max() ?? 0, 1)
        var body = frame(labels: labels, maximum: largest, format: format)
        let slot = (width - left - right) / Double(max(count, 1))
        let columnWidth = max(slot * 0.8, 1)
        var base = [Double](repeating: 0, count: count)
        for layer in series {
            for (index, value) in layer.values.enumerated() where index < count {
                let amount = value ?? 0
                guard amount > 0 else { continue }
                let yTop = y(base[index] + amount, maximum: largest)
                let yBottom = y(base[index], maximum: largest)
                body += "<rect x=\"\(number(left + slot * Double(index) + (slot - columnWidth) / 2))\" y=\"\(number(yTop))\""
                    + " width=\"\(number(columnWidth))\" height=\"\(number(max(yBottom - yTop, 0)))\" fill=\"\(layer.color)\"/>"
                base[index] += amount
            }
        }
        return svg(body, title: title, legend: series.map { ($0.name, $0.color) })
    }

    /// Horizontal bars, one per row, longest first as given.
    static func bars(_ rows: [(label: String, value: Double)], title: String, format: (Double) -> String) -> String {
        let rowHeight = 22.0
        let labelWidth = 220.0
        let chartHeight = max(Double(rows.count) * rowHeight + 8, 30)
        let largest = max(rows.map(\.value).max() ?? 0, 1)
        var body = ""
        for (index, row) in rows.enumerated() {
            let barY = 4 + Double(index) * rowHeight
            let length = (width - labelWidth - 90) * row.value / largest
            body += "<text x=\"\(number(labelWidth - 6))\" y=\"\(number(barY + 15))\" text-anchor=\"end\">"
                + "\(HTMLText.escaped(String(row.label.prefix(40))))</text>"
                + "<rect x=\"\(number(labelWidth))\" y=\"\(number(barY + 3))\" width=\"\(number(max(length, 0)))\" height=\"16\""
                + " fill=\"\(palette[index % palette.count])\"/>"
                + "<text x=\"\(number(labelWidth + max(length, 0) + 6))\" y=\"\(number(barY + 15))\">\(HTMLText.escaped(format(row.value)))</text>"
        }
        if rows.isEmpty {
            body += "<text x=\"\(number(width / 2))\" y=\"20\" text-anchor=\"middle\" class=\"muted\">none in this range</text>"
        }
        return svg(body, title: title, height: chartHeight, legend: [])
    }

    /// A small line without axes, for a table cell.
    static func sparkline(_ values: [Double], color: String = palette[0]) -> String {
        let sparkWidth = 120.0
        let sparkHeight = 24.0
        let largest = max(values.max() ?? 0, 1)
        let step = values.count > 1 ? sparkWidth / Double(values.count - 1) : 0
        let points = values.enumerated().map { index, value in
            "\(number(Double(index) * step)),\(number(sparkHeight - 2 - (sparkHeight - 4) * value / largest))"
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(number(sparkWidth)) \(number(sparkHeight))\""
            + " width=\"\(number(sparkWidth))\" height=\"\(number(sparkHeight))\" aria-hidden=\"true\">"
            + "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\"/></svg>"
    }

    // MARK: - Parts

    /// Axes, three horizontal grid lines with their values, and up to six time labels.
    private static func frame(labels: [String], maximum: Double, format: (Double) -> String) -> String {
        var body = ""
        for step in 0...3 {
            let value = maximum * Double(step) / 3
            let lineY = y(value, maximum: maximum)
            body += "<line x1=\"\(number(left))\" y1=\"\(number(lineY))\" x2=\"\(number(width - right))\" y2=\"\(number(lineY))\" class=\"grid\"/>"
                + "<text x=\"\(number(left - 6))\" y=\"\(number(lineY + 4))\" text-anchor=\"end\">\(HTMLText.escaped(format(value)))</text>"
        }
        let count = labels.count
        if count > 0 {
            let every = max(1, Int((Double(count) / 6).rounded(.up)))
            for index in stride(from: 0, to: count, by: every) {
                body += "<text x=\"\(number(x(index, of: count)))\" y=\"\(number(height - 8))\" text-anchor=\"middle\">"
                    + "\(HTMLText.escaped(labels[index]))</text>"
            }
        }
        return body
    }

    /// The chart's `<svg>` element: `body` drawn in `height`, and a legend row below it.
    private static func svg(_ body: String, title: String, height: Double = SVGChart.height, legend: [(String, String)]) -> String {
        var legendText = ""
        for (index, entry) in legend.enumerated() {
            let legendX = left + Double(index) * 130
            legendText += "<rect x=\"\(number(legendX))\" y=\"\(number(height + 4))\" width=\"10\" height=\"10\" fill=\"\(entry.1)\"/>"
                + "<text x=\"\(number(legendX + 14))\" y=\"\(number(height + 13))\">\(HTMLText.escaped(entry.0))</text>"
        }
        let totalHeight = height + (legend.isEmpty ? 0 : 20)
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"\(HTMLText.escaped(title))\""
            + " viewBox=\"0 0 \(number(width)) \(number(totalHeight))\" width=\"\(number(width))\" height=\"\(number(totalHeight))\">"
            + "<title>\(HTMLText.escaped(title))</title>\(body)\(legendText)</svg>"
    }

    private static func x(_ index: Int, of count: Int) -> Double {
        let span = width - left - right
        return count > 1 ? left + span * Double(index) / Double(count - 1) : left + span / 2
    }

    private static func y(_ value: Double, maximum: Double) -> Double {
        let span = height - top - bottom
        return top + span - span * min(max(value / maximum, 0), 1)
    }

    /// Coordinates with one decimal: short, and the same on every platform.
    private static func number(_ value: Double) -> String { String(format: "%.1f", value) }
}
