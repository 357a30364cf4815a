import Foundation
import PipelineTestSupport
import Testing

/// `deploy/README.md` documents every setting of each executable in a table, and each example
/// configuration in `deploy/config/` names every setting: checked against the settings the
/// executable itself lists in `--help` (one line per setting: `name (kind, default "x", env
/// EDGELOG_NAME)`), so a new setting without documentation, a renamed one or a changed default
/// fails here.
struct DeployDocumentationTests {
    private static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Setting: Equatable, CustomStringConvertible {
        var name: String
        var kind: String
        var defaultValue: String?
        var environment: String
        var description: String { "\(name) (\(kind), default \(defaultValue ?? "<secret>"), env \(environment))" }
    }

    @Test(arguments: [("edgelog-broker", "broker.json"), ("edgelog-shipper", "shipper.json"), ("edgelog-consumer", "consumer.json")])
    func everySettingIsDocumented(executable: String, example: String) async throws {
        let known = try await Self.settings(of: executable)
        #expect(known.count >= 20, "\(executable) --help lists its settings: \(known)")
        let names = known.map(\.name)
        #expect(Set(names).count == names.count, "each setting once in --help: \(names)")

        let readme = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("deploy/README.md"), encoding: .utf8)
        let documented = Self.table(named: executable, in: readme)
        #expect(documented.map(\.name).sorted() == names.sorted(), "deploy/README.md's table for \(executable)")
        for setting in known {
            #expect(documented.first { $0.name == setting.name } == setting, "deploy/README.md documents \(setting)")
        }

        let path = Self.repositoryRoot.appendingPathComponent("deploy/config/\(example)")
        let keys = try JSONSerialization.jsonObject(with: Data(contentsOf: path)) as? [String: Any]
        #expect(Set(keys?.keys.map { $0 } ?? []) == Set(names), "deploy/config/\(example) names every setting")
    }

    /// The settings `executable --help` lists (wide terminal, so no entry wraps).
    static func settings(of executable: String) async throws -> [Setting] {
        let help = try await ExternalTool.run(
            try BuiltExecutable.path(named: executable), ["--help"], environment: ["COLUMNS": "4000"])
        #expect(help.status == 0, "\(help.stderrText)")
        let pattern = #/^([a-z0-9-]+) \((.+), default ("(.*)"|<redacted>), env (EDGELOG_[A-Z0-9_]+)\)$/#
        return help.stdoutText.split(separator: "\n").compactMap { line in
            guard let match = String(line).wholeMatch(of: pattern) else { return nil }
            return Setting(
                name: String(match.1), kind: String(match.2), defaultValue: match.4.map(String.init),
                environment: String(match.5))
        }
    }

    /// The rows of the table under `### <executable>`: `| \`name\` | kind | default | \`ENV\` | meaning |`,
    /// the default as `` `x` ``, `(empty)`, or `(none; secret)`.
    static func table(named executable: String, in readme: String) -> [Setting] {
        let sections = readme.components(separatedBy: "\n### ")
        guard let section = sections.first(where: { $0.hasPrefix("\(executable)\n") }) else { return [] }
        return section.split(separator: "\n").compactMap { line -> Setting? in
            guard line.hasPrefix("| `") else { return nil }
            let cells = line.replacingOccurrences(of: "\\|", with: "\u{1}").split(separator: "|")
                .map { $0.replacingOccurrences(of: "\u{1}", with: "|").trimmingCharacters(in: .whitespaces) }
            guard cells.count == 5 else { return nil }
            func code(_ cell: String) -> String? {
                cell.hasPrefix("`") && cell.hasSuffix("`") && cell.count >= 2 ? String(cell.dropFirst().dropLast()) : nil
            }
            let defaultValue: String? =
                switch cells[2] {
                case "(empty)": ""
                case "(none; secret)": nil
                default: code(cells[2]) ?? "unreadable: \(cells[2])"
                }
            return Setting(
                name: code(cells[0]) ?? cells[0], kind: cells[1].replacingOccurrences(of: " | ", with: "|"),
                defaultValue: defaultValue, environment: code(cells[3]) ?? cells[3])
        }
    }
}
