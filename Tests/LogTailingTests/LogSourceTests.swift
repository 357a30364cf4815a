import Foundation
import LogTailing
import Testing

@Suite struct LogSourceTests {
    @Test func globMatchesTheFilesItNames() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for name in ["b.log", "a.log", "a.log.1", "notes.txt"] {
            _ = try LogWriter(path: directory.file(name))
        }
        try FileManager.default.createDirectory(atPath: directory.file("sub.log.d"), withIntermediateDirectories: false)
        #expect(try LogSource(pattern: directory.file("*.log")).matchingPaths() == [directory.file("a.log"), directory.file("b.log")])
        #expect(try LogSource(pattern: directory.file("a.log*")).matchingPaths() == [directory.file("a.log"), directory.file("a.log.1")])
        #expect(try LogSource(pattern: directory.file("?.log")).matchingPaths() == [directory.file("a.log"), directory.file("b.log")])
        #expect(try LogSource(pattern: directory.file("[b].log")).matchingPaths() == [directory.file("b.log")])
        #expect(try LogSource(pattern: directory.file("*.gz")).matchingPaths() == [])
    }

    @Test func aPlainPathIsItselfEvenBeforeItExists() throws {
        let source = LogSource(pattern: "/nonexistent/edgelog/access.log")
        #expect(!source.isGlob)
        #expect(try source.matchingPaths() == ["/nonexistent/edgelog/access.log"])
        #expect(LogSource(pattern: "/var/log/*.log").isGlob)
    }

    /// glob(3) skips a directory it cannot open; the source reports it instead of matching
    /// nothing silently (a missing directory, and where permissions bind, an unreadable one).
    @Test func aGlobReportsTheDirectoriesItCannotRead() throws {
        let directory = try TemporaryDirectory()
        defer {
            chmod(directory.file("locked"), 0o755)
            directory.remove()
        }
        let missing = try LogSource(pattern: directory.file("absent/*.log")).matches()
        #expect(missing.paths.isEmpty)
        #expect(missing.unreadableDirectories.map(\.path) == [directory.file("absent")])
        #expect(missing.unreadableDirectories.map(\.errorNumber) == [ENOENT])

        try FileManager.default.createDirectory(atPath: directory.file("locked"), withIntermediateDirectories: false)
        _ = try LogWriter(path: directory.file("locked/a.log"))
        #expect(chmod(directory.file("locked"), 0) == 0)
        let locked = try LogSource(pattern: directory.file("locked/*.log")).matches()
        if geteuid() == 0 {
            #expect(locked.paths == [directory.file("locked/a.log")], "root reads through any mode")
        } else {
            #expect(locked.paths.isEmpty)
            #expect(locked.unreadableDirectories.map(\.errorNumber) == [EACCES])
        }
        let readable = try LogSource(pattern: directory.file("*.log")).matches()
        #expect(readable.unreadableDirectories.isEmpty)
    }

    @Test func defaultsAreCombinedAndNoLabel() {
        let source = LogSource(pattern: "/var/log/nginx/access.log")
        #expect(source.logFormat == "combined")
        #expect(source.siteLabel == nil)
        let labelled = LogSource(pattern: "/srv/shop/access.log", logFormat: "edge", siteLabel: "shop.example")
        #expect(labelled.logFormat == "edge")
        #expect(labelled.siteLabel == "shop.example")
    }
}
