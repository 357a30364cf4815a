import NIOCore

/// Splits a TCP byte stream into Kafka frames: `int32 size` followed by `size` bytes. Emits each
/// frame's `size` bytes (header + body, without the prefix) as a slice of the input.
///
/// The size prefix is checked before anything else happens: a negative size throws
/// ``KafkaProtocolError/negativeFrameLength(_:)`` and a size above ``maxFrameBytes`` throws
/// ``KafkaProtocolError/frameTooLarge(size:limit:)`` as soon as the four prefix bytes are in —
/// the decoder never waits for, buffers or allocates the announced bytes of a refused frame.
/// For an accepted one it reserves room for up to `reservationLimit` bytes. A server closes the
/// connection on either error (DESIGN §4: an oversized request closes that one connection).
///
/// Contract (NIOCore `ByteToMessageDecoder`): a partial frame returns `.needMoreData` without
/// moving the reader index; a whole frame is consumed and emitted, and decoding continues.
public struct KafkaFrameDecoder: ByteToMessageDecoder, Sendable {
    public typealias InboundOut = ByteBuffer

    /// Kafka's own default request limit (`socket.request.max.bytes`, 100 MiB).
    public static let defaultMaxFrameBytes = 100 * 1024 * 1024

    /// The largest frame accepted, in bytes after the size prefix.
    public let maxFrameBytes: Int

    public init(maxFrameBytes: Int = KafkaFrameDecoder.defaultMaxFrameBytes) {
        precondition(maxFrameBytes >= 0, "maxFrameBytes must not be negative")
        self.maxFrameBytes = maxFrameBytes
    }

    /// Most bytes reserved ahead for a frame whose size is known but whose bytes are still
    /// arriving. A large Produce (hundreds of KiB) then fills one allocation instead of making
    /// the cumulation buffer double, and copy itself, four or five times on the way (measured:
    /// the broker's biggest cost after the kernel); a size that never arrives costs at most
    /// this much per connection.
    public static let reservationLimit = 4 << 20

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try nextFrame(&buffer) else {
            Self.reserveForAnnouncedFrame(&buffer)
            return .needMoreData
        }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }

    /// Reserves room for the rest of the frame whose (already accepted) size prefix starts the
    /// readable bytes, up to `reservationLimit`.
    static func reserveForAnnouncedFrame(_ buffer: inout ByteBuffer) {
        guard let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self), size > 0 else { return }
        let wanted = min(Int(size) + 4, reservationLimit)
        if wanted > buffer.readableBytes + buffer.writableBytes {
            buffer.reserveCapacity(minimumWritableBytes: wanted - buffer.readableBytes)
        }
    }

    /// The next whole frame in `buffer`, or `nil` (reader index untouched) when it has not fully
    /// arrived. Usable without a channel, e.g. by a client reading from a blocking socket.
    public func nextFrame(_ buffer: inout ByteBuffer) throws(KafkaProtocolError) -> ByteBuffer? {
        guard let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return nil }
        guard size >= 0 else { throw .negativeFrameLength(size) }
        guard Int(size) <= maxFrameBytes else { throw .frameTooLarge(size: Int(size), limit: maxFrameBytes) }
        guard buffer.readableBytes - 4 >= Int(size) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        guard let frame = buffer.readSlice(length: Int(size)) else { return nil }  // checked just above
        return frame
    }
}
