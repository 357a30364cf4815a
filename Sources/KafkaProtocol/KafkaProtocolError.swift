/// Why bytes could not be read or written as Kafka protocol. Every case carries the context needed
/// to log the problem; none is ever raised by a crash path. A server treats any of these on a
/// request as fatal for that one connection (README §2.3): it closes the connection and logs.
public enum KafkaProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes ended inside `field`.
    case truncated(field: String)
    /// A length or count prefix of `field` is negative where null is not allowed, or otherwise
    /// impossible (larger than anything the buffer could hold).
    case invalidLength(field: String, length: Int)
    /// A varint of `field` runs past its maximum width (5 bytes for 32 bits, 10 for 64).
    case invalidVarint(field: String)
    /// The codec does not read or write `version` of `api`.
    case unsupportedVersion(api: ApiKey, version: Int16)
    /// A request header names an API key this library does not know.
    case unknownApiKey(Int16)
    /// A frame's size prefix is above the configured limit; nothing was allocated for it.
    case frameTooLarge(size: Int, limit: Int)
    /// A frame's size prefix is negative.
    case negativeFrameLength(Int32)
    /// A value does not fit its wire field when encoding (a string longer than 32767 bytes, an
    /// array longer than `Int32.max`, a null where the version has no null).
    case unencodable(field: String, reason: String)
    /// A record batch's magic byte is not 2 (magic 0/1 are legacy message sets).
    case badMagic(Int8)
    /// A record batch's `batchLength` does not match the bytes it arrived in.
    case batchLengthMismatch(declared: Int, available: Int)
    /// The CRC-32C stored in a record batch does not match its bytes.
    case crcMismatch(expected: UInt32, actual: UInt32)
    /// A record inside a batch is malformed (`reason` says how).
    case invalidRecord(reason: String)
    /// A batch uses a compression codec no ``RecordsCodec`` was given for.
    case unsupportedCompression(RecordCompression)
    /// The attributes name a codec id outside 0...4.
    case unknownCompression(Int16)
    /// The records section would decompress to more than the caller's limit.
    case decompressedSizeExceeded(limit: Int)
    /// A ``RecordsCodec`` failed; `reason` is its error's description.
    case codecFailed(reason: String)

    public var description: String {
        switch self {
        case .truncated(let field): "kafka: message ends inside \(field)"
        case .invalidLength(let field, let length): "kafka: invalid length \(length) for \(field)"
        case .invalidVarint(let field): "kafka: varint too long in \(field)"
        case .unsupportedVersion(let api, let version): "kafka: \(api) v\(version) is not supported"
        case .unknownApiKey(let key): "kafka: unknown api key \(key)"
        case .frameTooLarge(let size, let limit): "kafka: frame of \(size) bytes exceeds the limit of \(limit)"
        case .negativeFrameLength(let size): "kafka: negative frame length \(size)"
        case .unencodable(let field, let reason): "kafka: cannot encode \(field): \(reason)"
        case .badMagic(let magic): "kafka: record batch magic \(magic), expected 2"
        case .batchLengthMismatch(let declared, let available):
            "kafka: record batch declares \(declared) bytes but \(available) are present"
        case .crcMismatch(let expected, let actual):
            "kafka: record batch CRC-32C mismatch: stored 0x\(String(expected, radix: 16)), "
                + "computed 0x\(String(actual, radix: 16))"
        case .invalidRecord(let reason): "kafka: invalid record: \(reason)"
        case .unsupportedCompression(let codec): "kafka: no codec for \(codec) compression"
        case .unknownCompression(let id): "kafka: unknown compression codec id \(id)"
        case .decompressedSizeExceeded(let limit): "kafka: records decompress to more than \(limit) bytes"
        case .codecFailed(let reason): "kafka: records codec failed: \(reason)"
        }
    }
}
