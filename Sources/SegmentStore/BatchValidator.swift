/// The integrity check a batch must pass, beyond the storage's own header checks.
///
/// The storage layer does not know CRC-32C (that lives in the protocol library, which this
/// library must not import); the owner of the log injects it here. It is run on every batch
/// given to `PartitionLog.append` and on every batch recovery scans at the tail of the log, so
/// a torn or bit-flipped batch is cut at start-up. The closure receives exactly one whole batch
/// (header included, `baseOffset` possibly rewritten: the Kafka CRC does not cover bytes 0..<21)
/// and must not keep the pointer.
public struct BatchValidator: Sendable {
    private let check: @Sendable (UnsafeRawBufferPointer) -> Bool

    /// - Parameter check: returns whether the batch is intact (for Kafka: the CRC-32C stored at
    ///   bytes 17..<21 matches bytes 21..<end).
    public init(_ check: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool) {
        self.check = check
    }

    /// Accepts every structurally sound batch. Only for tests and tools: without a checksum a
    /// torn tail whose header survived is not detected.
    public static let structuralOnly = BatchValidator { _ in true }

    public func isValid(_ batch: UnsafeRawBufferPointer) -> Bool {
        check(batch)
    }
}
