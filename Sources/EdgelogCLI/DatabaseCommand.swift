import ArgumentParser
import EdgelogSchema
import Foundation
import Logging
import PostgresSink

/// `edgelog db`: the PostgreSQL side of an installation.
struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Set up the PostgreSQL shards and coordinator.",
        subcommands: [Init.self]
    )
}

extension DatabaseCommand {
    /// `edgelog db init`: applies the missing schema migrations to every shard and the
    /// coordinator and declares the shards on the coordinator. Safe to re-run: it applies
    /// nothing twice, and on the coordinator it only re-declares the shards (and refreshes the
    /// statistics the planner needs to push aggregates to the shards).
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create or upgrade the edgelog schema on the shards and the coordinator.",
            discussion: """
                Connection strings are libpq's: key=value (host=db1 dbname=edgelog user=edgelog) or \
                URLs (postgresql://edgelog:secret@db1/edgelog). The position of a shard in --shards \
                is its shard id; never reorder them. Passwords are never printed.
                The coordinator's server connects to the shards itself with each shard's host, port, \
                dbname, user and password (other options are reported as not carried), so those \
                must also work from the coordinator's machine.
                """
        )

        @Option(
            name: .long,
            help: ArgumentHelp(
                "Shard connection strings, comma-separated or the option repeated; shard id = position.",
                valueName: "conninfo,..."
            )
        )
        var shards: [String] = []

        @Option(help: ArgumentHelp("Coordinator connection string (omit to migrate shards only).", valueName: "conninfo"))
        var coordinator: String?

        @Flag(help: "Log each step to standard error.")
        var verbose = false

        func validate() throws {
            if Self.splitShardList(shards).isEmpty {
                throw ValidationError("--shards: give at least one shard connection string")
            }
        }

        func run() throws {
            var logger = Logger(label: "edgelog.db", factory: { StreamLogHandler.standardError(label: $0) })
            logger.logLevel = verbose ? .debug : .warning
            let installer = SchemaInstaller(logger: logger)
            do {
                let summary = try installer.install(shards: Self.splitShardList(shards), coordinator: coordinator)
                print(summary.description)
                if summary.appliedNothing { print("nothing to apply: every database is at the current schema") }
            } catch let error as SchemaError {
                // SchemaError descriptions hold redacted connection strings only.
                FileHandle.standardError.write(Data("edgelog db init: \(error)\n".utf8))
                throw ExitCode.failure
            }
        }

        /// The shard list from `--shards` values: each value may hold several connection strings
        /// separated by commas. A comma separates two strings only when what follows starts a new
        /// one (`postgres://`, `postgresql://` or `keyword=`), because commas are also part of
        /// single strings: multi-host `host=a,b` and `postgresql://h1,h2/db`.
        static func splitShardList(_ values: [String]) -> [String] {
            var result: [String] = []
            for value in values {
                var current = ""
                for piece in value.split(separator: ",", omittingEmptySubsequences: false) {
                    if current.isEmpty {
                        current = String(piece)
                    } else if startsConninfo(piece) {
                        result.append(current)
                        current = String(piece)
                    } else {
                        current += "," + piece
                    }
                }
                result.append(current)
            }
            return result.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }

        private static func startsConninfo(_ piece: Substring) -> Bool {
            let text = piece.drop { $0 == " " }
            if text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") { return true }
            // keyword=...: letters and underscores, then optional blanks and '='.
            let keyword = text.prefix { $0.isLetter || $0 == "_" }
            guard !keyword.isEmpty else { return false }
            return text.dropFirst(keyword.count).drop { $0 == " " }.first == "="
        }
    }
}
