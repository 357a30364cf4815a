/// Setting flags as an executable receives them (`--name=value`, sorted by name), from a table
/// of values; `nil` values (a flag not passed) are left out.
public func settingArguments(_ flags: [String: String?]) -> [String] {
    flags.compactMapValues { $0 }.sorted { $0.key < $1.key }.map { "--\($0.key)=\($0.value)" }
}
