/// A span written the way operators type it: a positive whole number and a unit, `90s`,
/// `15m`, `6h`, `7d` (seconds, minutes, hours, days). Used by `--last`.
public struct ReportDuration: Sendable, Hashable, CustomStringConvertible {
    public let seconds: Int64
    /// The text it was parsed from (kept for messages and JSON).
    public let text: String

    /// The largest span accepted: ten years. Anything longer is a typo, and bounding it keeps
    /// the date arithmetic far from overflow.
    public static let maximumSeconds: Int64 = 10 * 366 * 86_400

    /// Parses `<digits><s|m|h|d>`; nil for anything else (no sign, no blanks, no fractions).
    public init?(_ text: String) {
        guard let unit = text.last, text.count >= 2 else { return nil }
        let digits = text.dropLast()
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.count <= 12, let count = Int64(digits), count > 0
        else { return nil }
        let scale: Int64
        switch unit {
        case "s": scale = 1
        case "m": scale = 60
        case "h": scale = 3_600
        case "d": scale = 86_400
        default: return nil
        }
        let (seconds, overflow) = count.multipliedReportingOverflow(by: scale)
        guard !overflow, seconds <= Self.maximumSeconds else { return nil }
        self.seconds = seconds
        self.text = text
    }

    public var description: String { text }
}
