extension HyperLogLog {
    /// The representation `serialized()` writes: EMPTY, EXPLICIT, or for registers SPARSE when
    /// sparse is on and `filled · (log2m + regwidth) < m · regwidth` (strictly smaller in bits),
    /// FULL otherwise. This is the extension's rule with its default `hll_set_max_sparse(-1)`; for
    /// the default parameters SPARSE holds up to 639 non-zero registers.
    public var serializedRepresentation: HLLRepresentation {
        switch storage {
        case .empty: .empty
        case .explicit: .explicit
        case .registers(let registers): Self.registerEncoding(filledCount: Self.filledCount(registers), parameters: parameters)
        }
    }

    /// The value's bytes exactly as the extension writes them (schema version 1):
    /// ```
    /// byte 0    version 1 << 4 | type (1 EMPTY, 2 EXPLICIT, 3 SPARSE, 4 FULL)
    /// byte 1-2  parameters (see HLLParameters.headerBytes)
    /// EXPLICIT  8 bytes per value, big-endian two's complement, ascending signed
    /// SPARSE    (index << regwidth | value) per non-zero register, ascending index, log2m + regwidth bits each
    /// FULL      every register, regwidth bits each
    /// ```
    /// SPARSE and FULL fields are packed MSB-first and the last byte is zero-padded, so equal sketches
    /// give equal bytes and SQL's `=` agrees with `==`.
    public func serialized() -> [UInt8] {
        let (byte1, byte2) = parameters.headerBytes
        func header(_ representation: HLLRepresentation) -> [UInt8] {
            [1 << 4 | representation.rawValue, byte1, byte2]
        }
        switch storage {
        case .empty:
            return header(.empty)
        case .explicit(let values):
            var bytes = header(.explicit)
            bytes.reserveCapacity(3 + 8 * values.count)
            for value in values {
                withUnsafeBytes(of: UInt64(bitPattern: value).bigEndian) { bytes.append(contentsOf: $0) }
            }
            return bytes
        case .registers(let registers):
            let filled = Self.filledCount(registers)
            switch Self.registerEncoding(filledCount: filled, parameters: parameters) {
            case .sparse:
                let wordBits = parameters.sparseWordBitCount
                var writer = BitWriter(reservingCapacity: 3 + (filled * wordBits + 7) / 8, prefix: header(.sparse))
                for (index, value) in registers.enumerated() where value != 0 {
                    writer.append(UInt32(index) << UInt32(parameters.regwidth) | UInt32(value), width: wordBits)
                }
                return writer.finish()
            default:
                var writer = BitWriter(reservingCapacity: 3 + parameters.fullBodyByteCount, prefix: header(.full))
                for value in registers {
                    writer.append(UInt32(value), width: parameters.regwidth)
                }
                return writer.finish()
            }
        }
    }

    /// `serialized()` as PostgreSQL's text form of `bytea`/`hll`: `\x` and lowercase hex, e.g.
    /// `\x118b7f` for an empty default sketch.
    ///
    /// Send it as a text parameter of type `hll` (or `'…'::hll`): text input runs the extension's
    /// validating decoder, whereas a `bytea::hll` cast or a binary parameter stores unchecked bytes.
    public var hexLiteral: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        let bytes = serialized()
        var text: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        text.reserveCapacity(2 + 2 * bytes.count)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func filledCount(_ registers: [UInt8]) -> Int {
        var count = 0
        for value in registers where value != 0 {
            count += 1
        }
        return count
    }

    static func registerEncoding(filledCount: Int, parameters: HLLParameters) -> HLLRepresentation {
        let sparseBits = filledCount * parameters.sparseWordBitCount
        let fullBits = parameters.registerCount * parameters.regwidth
        return parameters.sparseOn && sparseBits < fullBits ? .sparse : .full
    }
}
