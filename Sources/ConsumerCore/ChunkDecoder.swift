import AccessRecord
import AttackDetection
import KafkaProtocol
import Synchronization
import TrafficAggregation

/// Decodes fetched batches into a `DecodedChunk` — LZ4, the record framing, Cap'n Proto
/// unpacking and, with attack detection on, the detector — on a task beside the loop, while
/// the loop aggregates the chunk before. That was about a third of the loop's work with
/// detection off, and the detector's share with it on: the one loop thread is left with the
/// counting, and the vCPU it left idle does the rest (BENCHMARKS.md, "decoding beside").
///
/// Ownership: exactly one task uses a decoder at a time — the loop hands it to one decoding
/// task and takes it back from that task's result (`@unchecked Sendable` for that hand-over;
/// its codec, scratch buffer and detector memos are never shared).
final class ChunkDecoder: @unchecked Sendable {
    private let codec: LZ4RecordsCodec
    private var scratch: [UInt8] = []
    /// `nil`: attack detection off.
    private var detector: AttackDetector?
    /// Largest message a packed value may expand to (as `RecordValueDecoder`'s default), so a
    /// tiny hostile value cannot claim gigabytes.
    private let maximumMessageBytes: Int
    /// Buffers of chunks the loop has fed (`recycle`), reused so a chunk's megabyte or two of
    /// messages is neither allocated nor zeroed again. Locked: the loop recycles while a
    /// decoding task may be taking one.
    private let spares = Mutex<[DecodedChunk]>([])

    init(detectAttacks: Bool, maximumMessageBytes: Int = 64 << 20) throws {
        codec = try LZ4RecordsCodec()
        detector = detectAttacks ? AttackDetector() : nil
        self.maximumMessageBytes = maximumMessageBytes
    }

    /// Every record of `batches`, in visit order. Bad data is marked, never thrown: a null or
    /// undecodable value gets `messageLength` -1; a batch whose records cannot be read keeps
    /// the records visited before the failure and is marked unreadable.
    func decode<Batches: Sequence<RecordBatch>>(_ batches: Batches) -> DecodedChunk {
        // A recycled chunk's buffers keep their size: the messages are written before they
        // are read, and only the ranges written are ever read.
        var chunk = spares.withLock { $0.popLast() } ?? DecodedChunk()
        chunk.records.removeAll(keepingCapacity: true)
        chunk.batches.removeAll(keepingCapacity: true)
        chunk.classified = detector != nil
        // The detector is taken out of the instance for the chunk and put back after: mutating
        // it through the class property made every record pay Swift's dynamic exclusivity
        // checks (`swift_beginAccess` twice, `swift_endAccess`: ≈ 1 % of the consumer's
        // samples with detection on). Setting the property to nil leaves the local the only
        // owner of the memos' buffers, so classifying writes them in place, never copies them.
        var detector = self.detector
        self.detector = nil
        defer { self.detector = detector }
        var used = 0
        for batch in batches {
            let lastOffset = batch.header.baseOffset &+ Int64(batch.header.lastOffsetDelta)
            var readable = true
            do {
                try batch.forEachRecord(decompressingWith: codec, scratch: &scratch) { view in
                    var record = DecodedChunk.Record(
                        offset: view.offset, timestampMs: view.timestamp, messageStart: used, messageLength: -1,
                        attacks: 0)
                    if let value = view.value, let length = place(value, in: &chunk.messages, at: used),
                        let attacks = Self.validateAndClassify(chunk.messages[used..<(used + length)], with: &detector)
                    {
                        record.messageLength = Int32(length)
                        record.attacks = attacks.rawValue
                        used += length
                    }
                    chunk.records.append(record)
                }
            } catch {
                readable = false
            }
            chunk.batches.append(DecodedChunk.Batch(lastOffset: lastOffset, recordsEnd: chunk.records.count, readable: readable))
        }
        return chunk
    }

    /// Takes back a chunk the loop has fed, for its buffers. At most two are kept (one being
    /// fed, one being decoded is all the loop ever has), and none grown beyond
    /// `largestRecycledBytes` by an unusual chunk: that memory goes back.
    func recycle(_ chunk: DecodedChunk) {
        guard chunk.messages.count <= Self.largestRecycledBytes else { return }
        spares.withLock { spares in
            if spares.count < 2 { spares.append(chunk) }
        }
    }

    static let largestRecycledBytes = 16 << 20

    /// Puts the message of `value` at `messages[start...]` — unpacked when packed, copied when
    /// not — and returns its length; `nil` when it does not unpack or is too large.
    private func place(_ value: UnsafeRawBufferPointer, in messages: inout [UInt8], at start: Int) -> Int? {
        if CapnpPacking.isPacked(value) {
            return try? CapnpPacking.unpack(value, into: &messages, at: start, maximumBytes: maximumMessageBytes)
        }
        guard value.count <= maximumMessageBytes else { return nil }
        if messages.count < start + value.count {
            messages.append(contentsOf: repeatElement(0, count: max(start + value.count - messages.count, messages.count)))
        }
        messages.withUnsafeMutableBytes { space in
            UnsafeMutableRawBufferPointer(rebasing: space[start..<(start + value.count)]).copyMemory(from: value)
        }
        return value.count
    }

    /// Validates a placed message (`AccessRecordReader`'s full checks, so the loop can read it
    /// with `init(validated:)`) and returns its attack classes: none when detection is off
    /// (`detector` nil) or the record is not a parsed request; `nil` when the message is not a
    /// valid record.
    private static func validateAndClassify(
        _ message: ArraySlice<UInt8>, with detector: inout AttackDetector?
    ) -> AttackClasses? {
        message.withUnsafeBytes { message in
            guard let reader = try? AccessRecordReader(message) else { return nil }
            guard detector != nil, reader.kindOrdinal == AccessRecord.RecordKind.request.rawValue, !reader.parseError
            else { return [] }
            // Optional chaining mutates the detector (its memos) in place, no copy.
            return detector?.classifyRemembering(reader) ?? []
        }
    }
}
