/// A variable without a typed field in `ParsedLine` (e.g. `$upstream_addr`), kept as text.
public struct ExtraField: Sendable, Hashable {
    /// The variable name without `$` or braces.
    public var name: String
    /// The value as written, `-` already turned into an empty span.
    public var value: FieldSpan

    public init(name: String, value: FieldSpan) {
        self.name = name
        self.value = value
    }
}
