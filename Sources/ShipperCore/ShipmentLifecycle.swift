import LogTailing

/// Where one file generation (`FileShipment`) is in its life. The two events that end reading
/// are independent (the tailer finishing the generation, a newer generation of the same inode
/// taking over its checkpoint file after a copytruncate), so either may come first:
///
/// ```
/// reading ──finish──▶ finished(end) ──supersede──▶ superseded(end)
///    └────supersede──▶ superseded(nil) ──finish──▶ superseded(end)
/// finished or superseded(end), once settled ──retire──▶ retired
/// ```
///
/// Invariants: a generation finishes once and is superseded once; only a generation the tailer
/// finished is retired; nothing leaves `retired`. What was read before `finish` or `supersede`
/// is still sent and acknowledged: neither drops a line.
enum ShipmentLifecycle: Equatable, Sendable {
    /// The tailer reads the file, and its checkpoint file is its own.
    case reading
    /// The tailer finished the generation (rotated away, deleted, truncated in place).
    case finished(TailedFileEnd)
    /// A newer generation of the same inode owns the checkpoint file: this one never writes it
    /// again. `end` is set once the tailer finished this generation too.
    case superseded(end: TailedFileEnd?)
    /// Every line sent and acknowledged after the end: the pipeline forgets it.
    case retired

    /// How the tailer finished the generation, once it did.
    var end: TailedFileEnd? {
        switch self {
        case .reading, .retired: nil
        case .finished(let end): end
        case .superseded(let end): end
        }
    }

    /// A newer generation of the same inode took over the checkpoint file.
    var isSuperseded: Bool {
        if case .superseded = self { return true }
        return false
    }

    /// The tailer finished the generation.
    mutating func finish(_ end: TailedFileEnd) {
        switch self {
        case .reading:
            self = .finished(end)
        case .superseded(nil):
            self = .superseded(end: end)
        case .finished, .superseded, .retired:
            preconditionFailure("a file generation finishes once (is \(self), finishing as \(end))")
        }
    }

    /// A newer generation of the same inode started: it owns the checkpoint file from now on.
    /// Superseding one already superseded changes nothing (a third generation of the inode).
    mutating func supersede() {
        switch self {
        case .reading:
            self = .superseded(end: nil)
        case .finished(let end):
            self = .superseded(end: end)
        case .superseded:
            break
        case .retired:
            preconditionFailure("a retired file generation cannot be superseded")
        }
    }

    /// The generation is finished and settled: it leaves the pipeline.
    mutating func retire() {
        precondition(end != nil, "only a finished file generation retires (is \(self))")
        self = .retired
    }
}
