/// A time series drawn as one line of Unicode block characters, `▁▂▃▄▅▆▇█`.
///
/// Bars are scaled between `lowerBound` (default 0: counts read from zero, so a flat busy site
/// does not look like a spike) and `upperBound` (default: the largest value). A point without
/// data (`nil`) is a blank, so a gap in the data is visible as a gap rather than as a zero.
public enum Sparkline {
    public static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    public static func render(_ values: [Double?], lowerBound: Double = 0, upperBound: Double? = nil) -> String {
        let present = values.compactMap { $0 }.filter { $0.isFinite }
        let top = upperBound ?? present.max() ?? lowerBound
        let span = top - lowerBound
        var line = ""
        for value in values {
            guard let value, value.isFinite else {
                line.append(" ")
                continue
            }
            guard span > 0 else {
                line.append(levels[0])
                continue
            }
            let scaled = (value - lowerBound) / span * Double(levels.count - 1)
            let index = Int(min(max(scaled.rounded(), 0), Double(levels.count - 1)))
            line.append(levels[index])
        }
        return line
    }
}
