/// How a writer puts each access record into a Kafka record value.
public enum RecordValueEncoding: String, CaseIterable, Sendable {
    /// Cap'n Proto's packed encoding (`CapnpPacking`): about half the bytes, and 16 % fewer
    /// after LZ4. What the shipper writes by default.
    case packed
    /// The framed message as built, for readers that cannot unpack (edgelog's consumer reads
    /// both, `RecordValueDecoder`).
    case unpacked
}

/// Turns framed messages into record values in the configured encoding, packing into storage
/// it keeps and reuses (it grows to the largest record seen, no allocation per record).
public struct RecordValueEncoder {
    public let encoding: RecordValueEncoding
    /// `@usableFromInline` so `withValue` can be inlined and specialized in the caller: as a
    /// plain generic it instantiated `Result<R, CapnpError>`'s metadata at run time for every
    /// record (≈ 4 % of the shipper's samples in `swift_getGenericMetadata` and its cache).
    @usableFromInline var storage: [UInt8] = []

    public init(encoding: RecordValueEncoding) {
        self.encoding = encoding
    }

    /// Bytes of packing storage held between records.
    public var capacity: Int { storage.count }

    /// Calls `body` with the value for `message`: the message itself when unpacked, else its
    /// packed bytes, valid only inside `body`.
    ///
    /// - Throws: `CapnpError` when `message` is not exactly one framed message (packed only).
    @inlinable
    public mutating func withValue<R>(
        of message: UnsafeRawBufferPointer,
        _ body: (UnsafeRawBufferPointer) -> R
    ) throws(CapnpError) -> R {
        guard encoding == .packed else { return body(message) }
        let bound = CapnpPacking.maximumPackedBytes(forMessageBytes: message.count)
        if storage.count < bound {
            storage = [UInt8](repeating: 0, count: max(bound, 2 * storage.count))
        }
        let result: Result<R, CapnpError> = storage.withUnsafeMutableBytes { space in
            do throws(CapnpError) {
                let count = try CapnpPacking.pack(message, into: space)
                return .success(body(UnsafeRawBufferPointer(rebasing: space[..<count])))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
