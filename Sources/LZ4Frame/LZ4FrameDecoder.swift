import CLZ4

/// Decompresses standard LZ4 frames with one reusable liblz4 decompression context.
///
/// Kafka RecordBatch v2 with compression type 3 carries its records section as one LZ4 frame
/// (KIP-57). Producers differ in what they put in it, so the decoder accepts every optional part
/// of the frame format: the content-size field (kafka-python writes FLG `0x68`), block checksums,
/// the content checksum, linked or independent blocks, and block maxima from 64 KiB to 4 MiB.
/// Checksums that are present are verified. Skippable frames are skipped.
///
/// Contract of ``decompress(_:into:maxOutputBytes:)``:
/// - The input is one or more whole frames back to back; all of them are decoded in order.
/// - Every frame must be complete. Input that stops early (anywhere, including in the end mark
///   or content checksum) throws ``LZ4FrameError/truncated``; it never yields short output.
/// - At most `maxOutputBytes` bytes are appended per call. A content-size field that announces
///   more is rejected before decoding; otherwise decoding stops as soon as byte
///   `maxOutputBytes + 1` appears. `output` grows only by bytes really decoded; capacity reserved
///   for an announced content size is capped by what the rest of the input could expand to
///   (256 times its size) and by the limit, so a lying header cannot make it reserve more.
/// - On any error `output` is restored to its original count and the context is reset with
///   `LZ4F_resetDecompressionContext`, so the same decoder can decode the next input.
///
/// Thread safety: the context is mutable C state and is not thread-safe. Use one decoder per task
/// (or per actor); the type is deliberately not `Sendable`. The context and a 256 KiB scratch
/// buffer are allocated once, reused for every call, and freed in `deinit`.
public final class LZ4FrameDecoder {
    /// liblz4 decodes into this buffer, then the bytes are appended to the caller's array. At
    /// least one 64 KiB block (Kafka's size) so such blocks decode straight into it; the copy out
    /// costs about what zero-filling spare array space would, and `output` only ever grows by
    /// real bytes.
    private static let scratchSize = 256 * 1024

    /// An LZ4 block decodes to at most about 255 bytes per input byte (every extra match-length
    /// byte adds 255 bytes). Reserving for an announced content size never trusts more than this.
    private static let maximumExpansion = 256

    private let context: OpaquePointer
    private let scratch: UnsafeMutableBufferPointer<UInt8>

    /// Creates the liblz4 decompression context. Fails only if liblz4 cannot allocate it.
    public init() throws(LZ4FrameError) {
        var created: OpaquePointer?
        let result = LZ4F_createDecompressionContext(&created, CUnsignedInt(LZ4F_VERSION))
        if case .failure(let error) = checkLZ4F(result) {
            if let created { LZ4F_freeDecompressionContext(created) }
            throw error
        }
        guard let created else { throw .library(code: 9, name: "ERROR_allocation_failed") }
        self.context = created
        self.scratch = .allocate(capacity: Self.scratchSize)
    }

    deinit {
        LZ4F_freeDecompressionContext(context)
        scratch.deallocate()
    }

    /// Decodes every frame in `input` and appends the uncompressed bytes to `output`.
    ///
    /// - Parameters:
    ///   - input: one or more complete LZ4 frames, nothing else.
    ///   - output: receives the uncompressed bytes after what it already holds; its capacity is
    ///     reused.
    ///   - maxOutputBytes: the most bytes this call may append (not counting what `output`
    ///     already held); must be >= 0.
    /// - Returns: the number of bytes appended.
    /// - Throws: ``LZ4FrameError/truncated`` for empty or incomplete input,
    ///   ``LZ4FrameError/outputLimitExceeded(limit:)`` beyond `maxOutputBytes`, and
    ///   ``LZ4FrameError/library(code:name:)`` for anything liblz4 rejects (bad magic, bad header
    ///   checksum, corrupt block, checksum mismatch, wrong content size, trailing garbage).
    @discardableResult
    public func decompress(
        _ input: UnsafeRawBufferPointer,
        into output: inout [UInt8],
        maxOutputBytes: Int
    ) throws(LZ4FrameError) -> Int {
        precondition(maxOutputBytes >= 0, "maxOutputBytes must not be negative")
        let start = output.count
        var cursor = Cursor(limit: maxOutputBytes)
        do throws(LZ4FrameError) {
            guard let source = input.baseAddress, input.count > 0 else { throw .truncated }
            while cursor.consumed < input.count {
                try decodeFrame(source, count: input.count, cursor: &cursor, output: &output)
            }
        } catch {
            LZ4F_resetDecompressionContext(context)
            output.removeLast(output.count - start)
            throw error
        }
        return cursor.produced
    }

    /// Decodes every frame in `input` and appends the result to `output`; see the raw-buffer
    /// variant.
    @discardableResult
    public func decompress(_ input: [UInt8], into output: inout [UInt8], maxOutputBytes: Int) throws(LZ4FrameError) -> Int {
        let result = input.withUnsafeBytes { bytes in
            Result { () throws(LZ4FrameError) -> Int in
                try self.decompress(bytes, into: &output, maxOutputBytes: maxOutputBytes)
            }
        }
        return try result.get()
    }

    /// Progress through one `decompress` call: input bytes read, output bytes appended
    /// (`produced <= limit` between steps).
    private struct Cursor {
        let limit: Int
        var consumed = 0
        var produced = 0
    }

    /// Decodes the frame that starts at `source + cursor.consumed`, up to and including its end
    /// mark and content checksum, appending its content to `output`.
    private func decodeFrame(
        _ source: UnsafeRawPointer,
        count: Int,
        cursor: inout Cursor,
        output: inout [UInt8]
    ) throws(LZ4FrameError) {
        let remaining = count - cursor.consumed
        let frameStart = source + cursor.consumed

        // Read the header first: it tells how much output to expect (and lets a bomb that admits
        // its size fail before any work). A header cut short is truncation, not a library error.
        guard remaining >= Int(LZ4F_MIN_SIZE_TO_KNOW_HEADER_LENGTH) else { throw .truncated }
        let headerSize = try checkLZ4F(LZ4F_headerSize(frameStart, remaining)).get()
        guard remaining >= headerSize else { throw .truncated }
        var info = LZ4F_frameInfo_t()
        var headerConsumed = remaining
        _ = try checkLZ4F(LZ4F_getFrameInfo(context, &info, frameStart, &headerConsumed)).get()
        cursor.consumed += headerConsumed

        // contentSize 0 means "not given" (and is 0 for skippable frames).
        if info.frameType == LZ4F_frame && info.contentSize > 0 {
            guard info.contentSize <= UInt64(cursor.limit - cursor.produced) else {
                throw .outputLimitExceeded(limit: cursor.limit)
            }
            let (plausible, overflow) = (count - cursor.consumed).multipliedReportingOverflow(by: Self.maximumExpansion)
            let needed = output.count + min(Int(info.contentSize), overflow ? Int.max : plausible)
            // Geometric, so many small frames in one input do not reallocate once each.
            if needed > output.capacity { output.reserveCapacity(max(needed, 2 * output.capacity)) }
        }

        while true {
            // One byte more than the limit allows, so a bomb proves itself without growing output.
            let room = cursor.limit - cursor.produced
            let window = min(scratch.count, room == Int.max ? room : room + 1)
            var sourceSize = count - cursor.consumed
            var destinationSize = window
            let hint = LZ4F_decompress(
                context,
                scratch.baseAddress, &destinationSize,
                source + cursor.consumed, &sourceSize,
                nil  // stableDst = 0: liblz4 keeps linked-block history itself; scratch is reused.
            )
            _ = try checkLZ4F(hint).get()
            cursor.consumed += sourceSize
            guard destinationSize <= room else { throw .outputLimitExceeded(limit: cursor.limit) }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[..<destinationSize]))
            cursor.produced += destinationSize
            if hint == 0 { return }  // End mark (and content checksum) read and verified.
            // liblz4 returns before the frame ends only when the input is used up or the window
            // is full. Room left but no input left: the frame cannot finish. A call that neither
            // read nor wrote cannot be followed by one that does, so this loop always ends.
            if sourceSize == 0 && destinationSize == 0 { throw .truncated }
            if destinationSize < window && cursor.consumed == count { throw .truncated }
        }
    }
}

@available(*, unavailable)
extension LZ4FrameDecoder: Sendable {}
