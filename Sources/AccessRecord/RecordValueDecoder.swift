/// Reads the value of one Kafka record — one access record, packed or not — in place.
///
/// The shipper writes packed messages (`CapnpPacking`); shippers before it, `capnp encode`, and
/// other writers write framed unpacked ones. Both stay readable: a value is told apart by its
/// first byte (`CapnpPacking.isPacked`). An unpacked value is read where it lies; a packed one
/// is validated, expanded into storage this decoder keeps and reuses (it grows to the largest
/// record seen, no allocation per record), and read there.
public struct RecordValueDecoder {
    /// Largest message a packed value may expand to: the reader's traversal budget (64 MiB)
    /// by default, so a tiny hostile value cannot claim gigabytes.
    public let maximumMessageBytes: Int
    /// `@usableFromInline` so `withReader` can be inlined and specialized in the caller: as a
    /// plain generic it instantiated `Result<R, CapnpError>`'s metadata at run time for every
    /// record (~3 % of the consumer's CPU).
    @usableFromInline var storage: [UInt8] = []

    public init(maximumMessageBytes: Int = 64 << 20) {
        self.maximumMessageBytes = maximumMessageBytes
    }

    /// Calls `body` with a reader over `value`.
    ///
    /// Lifetime: the reader, and every buffer it returns, is valid only inside `body`.
    ///
    /// - Throws: `CapnpError` from unpacking or from `AccessRecordReader.init`; `body` is then
    ///   not called.
    @inlinable
    public mutating func withReader<R>(
        _ value: UnsafeRawBufferPointer,
        limits: AccessRecordReader.Limits = .init(),
        _ body: (AccessRecordReader) -> R
    ) throws(CapnpError) -> R {
        guard CapnpPacking.isPacked(value) else {
            return body(try AccessRecordReader(value, limits: limits))
        }
        let count = try CapnpPacking.unpack(value, into: &storage, maximumBytes: maximumMessageBytes)
        let result: Result<R, CapnpError> = storage.withUnsafeBytes { space in
            let message = UnsafeRawBufferPointer(rebasing: space[..<count])
            do throws(CapnpError) {
                return .success(body(try AccessRecordReader(message, limits: limits)))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
