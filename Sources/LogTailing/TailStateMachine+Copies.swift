/// Recognising copytruncate's copy (reference/nginx/README.md "Ordering and rotation").
///
/// logrotate's `copytruncate` copies `access.log` to `access.log.1` (a new inode), then
/// truncates `access.log` in place; nginx writes on at the start of the truncated file. When
/// the sources also match the copy (`access.log*`), the copy is not a new log: it is the old
/// content, and its first bytes are the original's fingerprint. So a newly seen file whose
/// first bytes begin with a known fingerprint is a copy of that content:
/// - of a generation truncated in the same observation: it is read from where the original
///   was read to (the lines written between the last read and the truncation are in it), and
///   only what it does not hold is reported lost;
/// - of a checkpoint whose own file no longer holds that content (truncated while the shipper
///   was down): it resumes at the checkpoint, with its producer state;
/// - of a file being read, or of a checkpoint whose file is there: it holds nothing that is
///   not read elsewhere, so it is not read; it is looked at again at the next observation
///   (the original may be truncated by then).
/// A new file whose first bytes are a proper prefix of a known fingerprint (empty included)
/// may be a copy still being written; it is decided at a later observation.
///
/// Order within one poll: the driver sights the tracked files before it lists the paths, and
/// logrotate copies before it truncates, so an observation that shows a truncation also shows
/// its complete copy.
///
/// A fingerprint is at most `FileIdentity.fingerprintCapacity` bytes (about two nginx lines);
/// two different logs starting with the same bytes are taken for copies of each other. An
/// empty fingerprint never matches.
extension TailStateMachine {
    /// Whether `firstBytes` (a new file's) begin with the whole non-empty `fingerprint`.
    static func isCopy(_ firstBytes: [UInt8], of fingerprint: [UInt8]) -> Bool {
        !fingerprint.isEmpty && firstBytes.count >= fingerprint.count && firstBytes.starts(with: fingerprint)
    }

    /// Whether `firstBytes` are a proper prefix of the non-empty `fingerprint`: the file may be
    /// a copy of it whose writing has just begun.
    static func mayBecomeCopy(_ firstBytes: [UInt8], of fingerprint: [UInt8]) -> Bool {
        !fingerprint.isEmpty && firstBytes.count < fingerprint.count && fingerprint.starts(with: firstBytes)
    }

    /// Fingerprints of content that is read, or will be, from another file: tracked files,
    /// checkpoints not yet matched, and generations truncated in this observation.
    func knownContent(_ truncations: [Truncation]) -> [[UInt8]] {
        files.values.map(\.fingerprint) + pendingCheckpoints.map(\.checkpoint.identity.fingerprint)
            + truncations.map(\.fingerprint)
    }

    /// Pairs checkpoints whose own file no longer holds their content with a candidate that
    /// is a copy of it, and takes them out of `pendingCheckpoints`: the copy resumes at the
    /// checkpoint (what the checkpoint's file would have held at that offset is in the copy),
    /// and the checkpoint's own file, if still there, is a new file.
    /// - Returns: the claiming checkpoint by candidate index.
    mutating func claimCheckpointsByCopies(_ observation: TailObservation) -> [Int: Checkpoint] {
        let candidates = observation.candidates
        guard !pendingCheckpoints.isEmpty, !candidates.isEmpty else { return [:] }
        let pendingInodes = Set(pendingCheckpoints.map { Inode(device: $0.checkpoint.identity.device, inode: $0.checkpoint.identity.inode) })
        let trackedInodes = Set(files.values.map { Inode(device: $0.device, inode: $0.inode) })
        var claims: [Int: Checkpoint] = [:]
        var remaining: [PendingCheckpoint] = []
        for pending in pendingCheckpoints {
            let checkpoint = pending.checkpoint
            let copy = candidates.indices.first { index in
                let candidate = candidates[index]
                let inode = Inode(device: candidate.identity.device, inode: candidate.identity.inode)
                return claims[index] == nil && !candidate.foundByCheckpointSearch && !pendingInodes.contains(inode)
                    && !trackedInodes.contains(inode)
                    && Self.isCopy(candidate.identity.fingerprint, of: checkpoint.identity.fingerprint)
            }
            guard let copy, !Self.holdsItsContent(checkpoint, observation) else {
                remaining.append(pending)
                continue
            }
            claims[copy] = checkpoint
        }
        pendingCheckpoints = remaining
        return claims
    }

    /// Whether the checkpoint's own file is still there with the checkpoint's content, or is
    /// there and could not be looked into (then nothing is decided for it yet).
    private static func holdsItsContent(_ checkpoint: Checkpoint, _ observation: TailObservation) -> Bool {
        let identity = checkpoint.identity
        if let original = observation.candidates.first(where: { $0.identity.hasSameInode(as: identity) }) {
            return mismatch(of: checkpoint, with: original) == nil
        }
        return observation.paths.contains { $0.device == identity.device && $0.inode == identity.inode }
    }
}
