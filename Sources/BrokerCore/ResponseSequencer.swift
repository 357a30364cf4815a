import NIOCore

/// Puts the answers of one connection's requests back into request order (README §2: clients
/// pipeline and match responses by order as well as correlation id).
///
/// Each request takes a sequence number when it is read (``enqueue()``) and is completed later
/// (``complete(_:with:)``), in any order — a held Fetch completes long after the Produce behind
/// it. Completions are released only as an unbroken prefix from the oldest pending request: a
/// response is written, a `noResponse` (acks=0) is skipped, and a `close` ends the connection
/// after everything before it was written. A pure value: the handler performs what it returns.
///
/// Invariant: `released <= next`; `parked` holds only sequence numbers in `released..<next`.
struct ResponseSequencer {
    /// How one request ended.
    enum Completion: Equatable {
        case response(ByteBuffer)
        case noResponse
        /// The connection must close once every earlier response is written.
        case close(String)
    }

    /// What the handler must do after a completion.
    struct Release: Equatable {
        /// Response frames to write, in order (then flush once).
        var writes: [ByteBuffer] = []
        /// Set when a `close` was reached: close after the writes, with this reason.
        var closeReason: String?
    }

    private var next: UInt64 = 0
    private var released: UInt64 = 0
    private var parked: [UInt64: Completion] = [:]
    private var closed = false

    /// Requests read but not yet released.
    var pendingCount: Int { Int(next - released) }

    /// Whether a `close` was released; nothing is released after it.
    var isClosed: Bool { closed }

    /// Gives the next request its place in line.
    mutating func enqueue() -> UInt64 {
        defer { next += 1 }
        return next
    }

    /// Records how request `sequence` ended and returns what can now be released.
    mutating func complete(_ sequence: UInt64, with completion: Completion) -> Release {
        precondition(sequence < next && sequence >= released, "completing a request that is not pending")
        precondition(parked[sequence] == nil, "completing a request twice")
        var release = Release()
        guard !closed else { return release }
        parked[sequence] = completion
        while let ready = parked.removeValue(forKey: released) {
            released += 1
            switch ready {
            case .response(let frame):
                release.writes.append(frame)
            case .noResponse:
                continue
            case .close(let reason):
                closed = true
                release.closeReason = reason
                parked.removeAll()
                return release
            }
        }
        return release
    }
}
