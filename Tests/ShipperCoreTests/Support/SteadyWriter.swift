import Foundation

/// Appends `TestLog` lines to one file at a steady rate from a background task, the way a busy
/// nginx does, until stopped; remembers how many it wrote (their paths are `/t/<tag>/0..<n>`).
final class SteadyWriter: @unchecked Sendable {
    let path: String
    let tag: String
    let linesPerSecond: Int
    let host: String?
    /// When above 1, line `n` goes to site `site<n % sites>.example` instead of `host`.
    let sites: Int
    private let lock = NSLock()
    private var written = 0
    private var failure: (any Error)?
    private var task: Task<Void, Never>?

    init(path: String, tag: String, linesPerSecond: Int, host: String? = "steady.example", sites: Int = 1) {
        self.path = path
        self.tag = tag
        self.linesPerSecond = linesPerSecond
        self.host = host
        self.sites = sites
    }

    var count: Int { lock.withLock { written } }

    func start() {
        task = Task { [self] in
            let tick = Duration.milliseconds(10)
            let perTick = max(1, linesPerSecond / 100)
            while !Task.isCancelled {
                let first = count
                let text =
                    sites > 1
                    ? (first..<(first + perTick)).map { TestLog.line(tag: tag, $0, host: "site\($0 % sites).example") }
                        .joined()
                    : TestLog.lines(tag: tag, first..<(first + perTick), host: host).text
                do {
                    try TestLog.append(text, to: path)
                } catch {
                    lock.withLock { failure = error }
                    return
                }
                lock.withLock { written += perTick }
                try? await Task.sleep(for: tick)
            }
        }
    }

    /// Stops writing and returns the paths of every line written.
    func stop() async throws -> [String] {
        task?.cancel()
        await task?.value
        if let failure = lock.withLock({ failure }) { throw failure }
        return (0..<count).map { "/t/\(tag)/\($0)" }
    }
}
