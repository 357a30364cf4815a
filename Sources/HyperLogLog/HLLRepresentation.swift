/// The type code in the low nibble of byte 0 of a serialized `hll` value.
///
/// In memory a sketch is EMPTY, EXPLICIT or a register array; SPARSE and FULL are two encodings of
/// the same register array, chosen at serialization time by size (see `HyperLogLog.serialized()`).
public enum HLLRepresentation: UInt8, Sendable, CustomStringConvertible {
    /// No value; SQL NULL cardinality. Never produced by this library.
    case undefined = 0
    /// No elements: 3 header bytes, no body.
    case empty = 1
    /// The distinct hash values themselves, 8 bytes each, big-endian, ascending as signed integers.
    case explicit = 2
    /// Non-zero registers only, as `(index << regwidth | value)` words of `log2m + regwidth` bits.
    case sparse = 3
    /// Every register, `regwidth` bits each, in index order.
    case full = 4

    public var description: String {
        switch self {
        case .undefined: "UNDEFINED"
        case .empty: "EMPTY"
        case .explicit: "EXPLICIT"
        case .sparse: "SPARSE"
        case .full: "FULL"
        }
    }
}
