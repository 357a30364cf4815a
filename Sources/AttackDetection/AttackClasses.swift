/// The attack classes one request can show, as a bit set (a request can be several at once:
/// a scanner that sends a SQL injection is both).
///
/// Invariant: the bit values are part of the API (the consumer stores `rawValue`): `sqli` 1,
/// `xss` 2, `traversal` 4, `scanner` 8. New classes take new bits; existing ones never move.
public struct AttackClasses: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// SQL injection in a query value, a query name, a path segment or the referer.
    public static let sqli = AttackClasses(rawValue: 1)
    /// Cross-site scripting: markup, script URLs or event handlers that would run in a browser.
    public static let xss = AttackClasses(rawValue: 2)
    /// Path traversal or local file inclusion: climbing above the root, or naming a system file.
    public static let traversal = AttackClasses(rawValue: 4)
    /// A user agent that names a vulnerability scanner or attack tool.
    public static let scanner = AttackClasses(rawValue: 8)

    /// Every class, in bit order, with the name `edgelog detect` prints.
    public static let named: [(AttackClasses, String)] = [
        (.sqli, "sqli"), (.xss, "xss"), (.traversal, "traversal"), (.scanner, "scanner"),
    ]

    /// The names of the classes in this set, in bit order (`["sqli", "scanner"]`).
    public var names: [String] { Self.named.filter { contains($0.0) }.map(\.1) }
}
