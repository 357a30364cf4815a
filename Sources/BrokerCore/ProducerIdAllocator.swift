import FileStorage
import Synchronization
import SegmentStore

/// Hands out producer ids (InitProducerId) so that no id is ever issued twice, across restarts
/// and crashes included (DESIGN §10.2).
///
/// Ids are reserved in blocks: before the first id of a block is handed out, the end of the
/// block is written durably to `<data-dir>/producer-ids` (text: the decimal id the next block
/// starts at, then `\n`). After a crash the broker resumes at that persisted end, skipping
/// whatever was left of the block — ids are plentiful (2^63), reuse is what must never happen.
///
/// A new data directory starts at a random base in `[2^32, 2^52)` (DESIGN §10.2), not at 0: a
/// wiped or replaced broker must not hand a shipper an id that another file's checkpoint still
/// holds from the previous data directory (issue 13, hole 2). Kept below 2^53 so the id stays
/// exact in JSON readers of the checkpoints.
///
/// Thread-safe; ``next()`` does file I/O once per block, so call it off the event loop.
public final class ProducerIdAllocator: Sendable {
    public static let fileName = "producer-ids"

    struct State {
        /// The next id to hand out.
        var next: Int64
        /// Ids below this are covered by the persisted reservation.
        var reservedEnd: Int64
    }

    private let file: DurableFile
    private let blockSize: Int64
    private let state: Mutex<State>

    /// The range a new data directory's first id is drawn from.
    public static let newDirectoryBase: Range<Int64> = (1 << 32)..<(1 << 52)

    /// Reads the persisted reservation (none: start at a random base, or at `freshBase`).
    /// - Parameter freshBase: tests only: the first id of a data directory without reservation.
    /// - Throws: ``BrokerError/Code/invalidStateFile`` when the file holds no number.
    public init(
        dataDirectory: String, fileSystem: any FileSystem, blockSize: Int64 = 1000, freshBase: Int64? = nil
    ) throws {
        precondition(blockSize >= 1, "a reservation block holds at least one id")
        let file = DurableFile(path: "\(dataDirectory)/\(Self.fileName)", fileSystem: fileSystem)
        var start = freshBase ?? Int64.random(in: Self.newDirectoryBase)
        if let bytes = try file.read() {
            let text = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).first ?? ""
            guard let value = Int64(text), value >= 0 else {
                throw BrokerError(code: .invalidStateFile, message: "producer id file holds no id", path: file.path)
            }
            start = value
        }
        self.file = file
        self.blockSize = blockSize
        self.state = Mutex(State(next: start, reservedEnd: start))
    }

    /// A producer id no earlier call (in this process or any before it) returned.
    public func next() throws -> Int64 {
        try state.withLock { state in
            if state.next >= state.reservedEnd {
                let end = state.next + blockSize
                try file.replace(with: Array("\(end)\n".utf8))
                state.reservedEnd = end
            }
            defer { state.next += 1 }
            return state.next
        }
    }
}
