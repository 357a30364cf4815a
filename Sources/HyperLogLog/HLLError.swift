/// Why an `hll` value could not be built, decoded or unioned, with what was found and where.
///
/// Decoding errors correspond to the extension's own refusals (text input runs its full decoder), so
/// bytes rejected here would also be rejected by `'\x…'::hll`; byte offsets count from the first
/// header byte.
public enum HLLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which of the four settings was out of range.
    public enum Parameter: String, Sendable, Equatable {
        case log2m
        case regwidth
        case expthresh
    }

    /// A setting outside `HLLParameters`' invariants (log2m 4…17, regwidth 1…7, expthresh -1, 0 or a
    /// power of two ≤ 8192). From a decoder, `value` is what the header encodes.
    case invalidParameter(Parameter, value: Int)
    /// Fewer than the 3 header bytes.
    case truncatedHeader(byteCount: Int)
    /// The high nibble of byte 0 is not 1 (the only schema version).
    case unsupportedSchemaVersion(Int)
    /// The low nibble of byte 0 names no representation (valid: 0…4).
    case unknownRepresentation(typeCode: Int)
    /// UNDEFINED (type 0) is valid in SQL but means "no value" (`hll_cardinality` returns NULL);
    /// this library never creates one and does not model it.
    case undefinedNotSupported
    /// An EMPTY value with bytes after its header.
    case bodyAfterEmpty(byteCount: Int)
    /// An EXPLICIT body whose length is not a multiple of the 8 bytes per value.
    case explicitBodyNotWholeValues(byteCount: Int)
    /// A FULL body that is not exactly `ceil(regwidth · 2^log2m / 8)` bytes.
    case fullBodyLength(byteCount: Int, expected: Int)
    /// More explicit values than the extension can hold (16383).
    case tooManyExplicitValues(count: Int, limit: Int)
    /// EXPLICIT values must be strictly ascending as signed 64-bit integers; the value at byte
    /// `offset` is not greater than the one before it.
    case explicitValuesNotAscending(offset: Int, previous: Int64, value: Int64)
    /// Union of sketches with different settings (PostgreSQL raises an error too).
    case parametersDiffer(HLLParameters, HLLParameters)

    public var description: String {
        switch self {
        case .invalidParameter(let parameter, let value):
            "hll \(parameter.rawValue) \(value) is out of range"
        case .truncatedHeader(let byteCount):
            "hll value has \(byteCount) bytes, fewer than the 3-byte header"
        case .unsupportedSchemaVersion(let version):
            "unknown hll schema version \(version) (byte 0)"
        case .unknownRepresentation(let typeCode):
            "unknown hll type \(typeCode) (byte 0)"
        case .undefinedNotSupported:
            "hll value is UNDEFINED (type 0), which this library does not model"
        case .bodyAfterEmpty(let byteCount):
            "EMPTY hll value has \(byteCount) bytes after its header, expected none"
        case .explicitBodyNotWholeValues(let byteCount):
            "EXPLICIT hll body has \(byteCount) bytes, not a multiple of 8"
        case .fullBodyLength(let byteCount, let expected):
            "FULL hll body has \(byteCount) bytes, expected \(expected) for its log2m and regwidth"
        case .tooManyExplicitValues(let count, let limit):
            "EXPLICIT hll holds \(count) values, more than the limit \(limit)"
        case .explicitValuesNotAscending(let offset, let previous, let value):
            "EXPLICIT hll value \(value) at byte \(offset) is not greater than the previous \(previous)"
        case .parametersDiffer(let left, let right):
            "cannot union hll values with different parameters: \(left) and \(right)"
        }
    }
}
