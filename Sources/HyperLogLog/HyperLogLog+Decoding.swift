extension HyperLogLog {
    /// Decodes a serialized `hll` value (e.g. a column read back from PostgreSQL), accepting what the
    /// extension's text input accepts and reading it the same way:
    ///
    /// - byte 0: schema version 1; type EMPTY, EXPLICIT, SPARSE or FULL;
    /// - bytes 1-2: parameters within `HLLParameters`' ranges (bit 7 of byte 2 is ignored, as there);
    /// - EMPTY: no body; EXPLICIT: a multiple of 8 bytes, at most 16383 values, strictly ascending
    ///   as signed integers; FULL: exactly `ceil(regwidth · 2^log2m / 8)` bytes;
    /// - SPARSE: `floor(8 · body / (log2m + regwidth))` words, each setting its register (a later
    ///   word for the same index wins, as in the extension); padding bits are not interpreted.
    ///
    /// Round trip: `serialized()` gives back the same bytes for every value the extension writes.
    /// Non-canonical input it merely accepts (FULL with few registers set, unsorted SPARSE words,
    /// non-zero padding) comes back in the canonical form, as `hll_union(x, hll_empty())` would.
    ///
    /// Stricter than the extension: UNDEFINED (`undefinedNotSupported`), `log2m` below 4 and
    /// expthresh above 8192 are refused (see `HLLParameters`).
    public init(serialized: some Collection<UInt8>) throws(HLLError) {
        let bytes = Array(serialized)
        guard bytes.count >= 3 else {
            throw .truncatedHeader(byteCount: bytes.count)
        }
        let version = Int(bytes[0] >> 4)
        guard version == 1 else {
            throw .unsupportedSchemaVersion(version)
        }
        let typeCode = bytes[0] & 0x0F
        guard let representation = HLLRepresentation(rawValue: typeCode) else {
            throw .unknownRepresentation(typeCode: Int(typeCode))
        }
        let parameters = try HLLParameters(headerByte1: bytes[1], headerByte2: bytes[2])
        let bodyCount = bytes.count - 3
        switch representation {
        case .undefined:
            throw .undefinedNotSupported
        case .empty:
            guard bodyCount == 0 else {
                throw .bodyAfterEmpty(byteCount: bodyCount)
            }
            self.init(parameters: parameters)
        case .explicit:
            self.init(parameters: parameters, storage: .explicit(try Self.explicitValues(bytes)))
        case .sparse:
            self.init(parameters: parameters, storage: .registers(Self.sparseRegisters(bytes, parameters: parameters)))
        case .full:
            guard bodyCount == parameters.fullBodyByteCount else {
                throw .fullBodyLength(byteCount: bodyCount, expected: parameters.fullBodyByteCount)
            }
            var reader = BitReader(bytes, startingAt: 3)
            var registers = [UInt8](repeating: 0, count: parameters.registerCount)
            for index in registers.indices {
                registers[index] = UInt8(truncatingIfNeeded: reader.read(width: parameters.regwidth))
            }
            self.init(parameters: parameters, storage: .registers(registers))
        }
    }

    private static func explicitValues(_ bytes: [UInt8]) throws(HLLError) -> [Int64] {
        let bodyCount = bytes.count - 3
        guard bodyCount % 8 == 0 else {
            throw .explicitBodyNotWholeValues(byteCount: bodyCount)
        }
        let count = bodyCount / 8
        guard count <= HLLParameters.explicitCapacityLimit else {
            throw .tooManyExplicitValues(count: count, limit: HLLParameters.explicitCapacityLimit)
        }
        var values: [Int64] = []
        values.reserveCapacity(count)
        for offset in stride(from: 3, to: bytes.count, by: 8) {
            var bits: UInt64 = 0
            for byte in bytes[offset..<offset + 8] {
                bits = bits << 8 | UInt64(byte)
            }
            let value = Int64(bitPattern: bits)
            if let previous = values.last, previous >= value {
                throw .explicitValuesNotAscending(offset: offset, previous: previous, value: value)
            }
            values.append(value)
        }
        return values
    }

    private static func sparseRegisters(_ bytes: [UInt8], parameters: HLLParameters) -> [UInt8] {
        let wordBits = parameters.sparseWordBitCount
        let wordCount = (bytes.count - 3) * 8 / wordBits
        let valueMask = UInt32(parameters.maximumRegisterValue)
        var registers = [UInt8](repeating: 0, count: parameters.registerCount)
        var reader = BitReader(bytes, startingAt: 3)
        for _ in 0..<wordCount {
            let word = reader.read(width: wordBits)
            registers[Int(word >> UInt32(parameters.regwidth))] = UInt8(truncatingIfNeeded: word & valueMask)
        }
        return registers
    }
}
