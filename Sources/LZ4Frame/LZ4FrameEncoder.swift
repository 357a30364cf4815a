import CLZ4

/// Compresses byte buffers into standard LZ4 *frames* (magic `04 22 4D 18`) with one reusable
/// liblz4 compression context.
///
/// Why frames: Kafka RecordBatch v2 compression type 3 stores the records section as exactly one
/// standard LZ4 frame (KIP-57), not a raw block and without a length prefix of its own. Every
/// Kafka reader (the Java client, librdkafka, kafka-python) and the `lz4` CLI read these frames.
///
/// Invariants of every frame written:
/// - Blocks are independent (FLG bit 5 set). Kafka's Java reader rejects linked blocks, so this
///   is not an option.
/// - The header checksum is the standard one (over FLG, BD and the content size, not the magic),
///   as KIP-57 requires for magic 1 and 2.
/// - With the default ``Options`` the frame starts `04 22 4D 18 60 40 82`, byte for byte the
///   header the Java client and librdkafka write: 64 KiB blocks, no content size, no checksums.
/// - Each call writes one complete frame (header, blocks, end mark, optional content checksum).
///
/// Thread safety: a context is mutable C state and is not thread-safe. Use one encoder per task
/// (or per actor); the type is deliberately not `Sendable`. The context is created once and
/// reused for every frame, which avoids liblz4's per-frame allocation. A scratch buffer as large
/// as the biggest frame bound so far (about the input size plus 0.4 %) is kept with it. Both are
/// freed in `deinit`.
public final class LZ4FrameEncoder {
    /// What the frame header announces and how hard the compressor works.
    public struct Options: Sendable, Equatable {
        /// liblz4 compression level: `0` (default) is the fast compressor (`lz4 -1`); `3...12` use
        /// LZ4 HC (slower, smaller); negative values trade ratio for speed (`lz4 --fast=N`).
        /// Values above 12 count as 12.
        public var compressionLevel: Int

        /// The largest block the frame may hold, announced in the BD byte. Readers allocate one
        /// block of this size, so Kafka clients use 64 KiB.
        public var blockSize: BlockSize

        /// Whether to write the 8-byte content-size field (FLG bit 3), as kafka-python does
        /// (FLG `0x68`). liblz4 uses 0 to mean "unknown", so an empty input never carries the
        /// field even when this is set.
        public var writesContentSize: Bool

        /// Whether to follow each block with its XXH32 (FLG bit 4).
        public var writesBlockChecksums: Bool

        /// Whether to end the frame with the XXH32 of all uncompressed bytes (FLG bit 2).
        ///
        /// Off by default: Kafka already covers the compressed records with the batch CRC-32C,
        /// the Java client and librdkafka do not write it, and the Java reader skips it unchecked,
        /// so it would cost a hash over every byte for no protection Kafka uses. Readers must
        /// accept it either way, and ``LZ4FrameDecoder`` verifies it when present.
        public var writesContentChecksum: Bool

        public init(
            compressionLevel: Int = 0,
            blockSize: BlockSize = .max64KB,
            writesContentSize: Bool = false,
            writesBlockChecksums: Bool = false,
            writesContentChecksum: Bool = false
        ) {
            self.compressionLevel = compressionLevel
            self.blockSize = blockSize
            self.writesContentSize = writesContentSize
            self.writesBlockChecksums = writesBlockChecksums
            self.writesContentChecksum = writesContentChecksum
        }
    }

    /// The block maximum sizes the LZ4 frame format defines (BD bits 6-4 = 4...7).
    public enum BlockSize: Int, Sendable, CaseIterable {
        case max64KB = 4
        case max256KB = 5
        case max1MB = 6
        case max4MB = 7

        /// The block maximum in bytes: 2^(8 + 2 * id).
        public var byteCount: Int { 1 << (8 + 2 * rawValue) }
    }

    /// The settings every frame from this encoder is written with.
    public var options: Options

    private let context: OpaquePointer

    /// Where frames are written before being appended; grows to the largest frame bound seen.
    private var scratch: UnsafeMutableBufferPointer<UInt8>

    /// Creates the liblz4 compression context. Fails only if liblz4 cannot allocate it.
    public init(options: Options = Options()) throws(LZ4FrameError) {
        var created: OpaquePointer?
        let result = LZ4F_createCompressionContext(&created, CUnsignedInt(LZ4F_VERSION))
        if case .failure(let error) = checkLZ4F(result) {
            if let created { LZ4F_freeCompressionContext(created) }
            throw error
        }
        guard let created else { throw .library(code: 9, name: "ERROR_allocation_failed") }
        self.context = created
        self.options = options
        self.scratch = .allocate(capacity: Int(LZ4F_HEADER_SIZE_MAX) + 64 * 1024)
    }

    deinit {
        LZ4F_freeCompressionContext(context)
        scratch.deallocate()
    }

    /// Appends one complete LZ4 frame holding `input` to `output`.
    ///
    /// The frame is written into the encoder's scratch buffer (sized by `LZ4F_compressFrameBound`,
    /// which includes header and end mark, and kept for the next call) and then appended, so
    /// `output` grows by exactly the frame and a caller that reuses one array keeps its capacity.
    /// Bytes already in `output` are left as they are. If this throws, `output` is unchanged and
    /// the encoder is still usable (every frame starts with `LZ4F_compressBegin`, which resets
    /// the context).
    ///
    /// - Returns: the number of bytes appended (the frame's size).
    @discardableResult
    public func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(LZ4FrameError) -> Int {
        var preferences = self.preferences(contentSize: input.count)
        let bound = LZ4F_compressFrameBound(input.count, &preferences)
        if scratch.count < bound {
            scratch.deallocate()
            scratch = .allocate(capacity: bound)
        }
        let written = try writeFrame(input, into: UnsafeMutableRawBufferPointer(scratch), preferences: &preferences).get()
        output.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[..<written]))
        return written
    }

    /// Most bytes a frame of `count` input bytes can take (header and end mark included).
    public func maximumFrameBytes(forInputBytes count: Int) -> Int {
        var preferences = self.preferences(contentSize: count)
        return LZ4F_compressFrameBound(count, &preferences)
    }

    /// Writes one complete LZ4 frame holding `input` straight into `destination`, which must
    /// hold at least `maximumFrameBytes(forInputBytes: input.count)` bytes: no scratch copy, for
    /// callers that own a buffer already (a batch being built).
    ///
    /// - Returns: the frame's size.
    public func compress(
        _ input: UnsafeRawBufferPointer,
        intoSpace destination: UnsafeMutableRawBufferPointer
    ) throws(LZ4FrameError) -> Int {
        var preferences = self.preferences(contentSize: input.count)
        guard destination.count >= LZ4F_compressFrameBound(input.count, &preferences) else {
            throw .library(code: 11, name: "ERROR_dstMaxSize_tooSmall")
        }
        return try writeFrame(input, into: destination, preferences: &preferences).get()
    }

    /// Appends one complete LZ4 frame holding `input` to `output`; see the raw-buffer variant.
    @discardableResult
    public func compress(_ input: [UInt8], into output: inout [UInt8]) throws(LZ4FrameError) -> Int {
        let result = input.withUnsafeBytes { bytes in
            Result { () throws(LZ4FrameError) -> Int in try self.compress(bytes, into: &output) }
        }
        return try result.get()
    }

    /// liblz4 preferences for one frame. Zero-initialised first, as lz4frame.h requires, so the
    /// reserved fields stay 0.
    private func preferences(contentSize: Int) -> LZ4F_preferences_t {
        var preferences = LZ4F_preferences_t()
        preferences.frameInfo.blockSizeID = LZ4F_blockSizeID_t(rawValue: CUnsignedInt(options.blockSize.rawValue))
        preferences.frameInfo.blockMode = LZ4F_blockIndependent
        preferences.frameInfo.contentChecksumFlag =
            options.writesContentChecksum ? LZ4F_contentChecksumEnabled : LZ4F_noContentChecksum
        preferences.frameInfo.blockChecksumFlag =
            options.writesBlockChecksums ? LZ4F_blockChecksumEnabled : LZ4F_noBlockChecksum
        preferences.frameInfo.contentSize = options.writesContentSize ? UInt64(contentSize) : 0
        preferences.compressionLevel = Int32(clamping: options.compressionLevel)
        // As LZ4F_compressFrame does: emit every block as soon as it is full, so the output never
        // needs more than LZ4F_compressFrameBound.
        preferences.autoFlush = 1
        return preferences
    }

    /// Writes header, blocks and end mark into `destination`, which holds at least
    /// `LZ4F_compressFrameBound` bytes.
    private func writeFrame(
        _ input: UnsafeRawBufferPointer,
        into destination: UnsafeMutableRawBufferPointer,
        preferences: inout LZ4F_preferences_t
    ) -> Result<Int, LZ4FrameError> {
        guard let base = destination.baseAddress else { return .failure(.library(code: 11, name: "ERROR_dstMaxSize_tooSmall")) }
        var written = 0

        let header = checkLZ4F(LZ4F_compressBegin(context, base, destination.count, &preferences))
        guard case .success(let headerSize) = header else { return header }
        written += headerSize

        if let source = input.baseAddress, input.count > 0 {
            // stableSrc: the whole input stays put for the call, so liblz4 need not copy it.
            var compressOptions = LZ4F_compressOptions_t()
            compressOptions.stableSrc = 1
            let blocks = checkLZ4F(
                LZ4F_compressUpdate(
                    context, base + written, destination.count - written, source, input.count, &compressOptions
                )
            )
            guard case .success(let blocksSize) = blocks else { return blocks }
            written += blocksSize
        }

        let end = checkLZ4F(LZ4F_compressEnd(context, base + written, destination.count - written, nil))
        guard case .success(let endSize) = end else { return end }
        return .success(written + endSize)
    }
}

@available(*, unavailable)
extension LZ4FrameEncoder: Sendable {}
