/// The four settings of an `hll` value (`hll_empty(log2m, regwidth, expthresh, sparseon)`), as the
/// extension stores them in bytes 1 and 2 of every serialized value.
///
/// Why they matter beyond sizing: PostgreSQL refuses to union two values whose four settings differ
/// (`expthresh` compared as stored, so auto `-1` never equals an explicit number). A sketch built
/// here must therefore carry exactly the parameters of the column or aggregate it meets in SQL;
/// `postgresDefault` is what the bare `hll` type and `hll_add_agg(x)` use.
///
/// Invariants (checked by `init`, so every instance is one the extension accepts and can estimate):
/// `log2m` in 4…17, `regwidth` in 1…7, `expthresh` is -1 (auto), 0 (EXPLICIT disabled) or a
/// power of two up to 8192. The extension itself also accepts `log2m` 0…3, but then refuses to
/// compute a cardinality ("number of registers too small"), so those are rejected here.
///
/// Header layout (bit 7 first):
/// ```
/// byte 1: rrrl llll   r = regwidth - 1 (3 bits), l = log2m (5 bits)
/// byte 2: 0see eeee   s = sparseon, e = expthresh code: 63 = auto, 0 = off, k = 2^(k-1)
/// ```
public struct HLLParameters: Sendable, Hashable {
    /// log2 of the number of registers `m`.
    public let log2m: Int
    /// Bits per register; a register saturates at `2^regwidth - 1`.
    public let regwidth: Int
    /// `-1` (auto: as many values as fit in the FULL body), `0` (never EXPLICIT), or a power of two:
    /// the most distinct hash values kept exactly before switching to registers.
    public let expthresh: Int
    /// Whether register form may be written SPARSE when that is smaller than FULL.
    public let sparseOn: Bool

    /// The extension accepts 0…17; below 4 it cannot estimate, so those are not offered here.
    public static let log2mRange = 4...17
    /// The extension accepts 0…7, but 0 reads back as 8, which it then refuses.
    public static let regwidthRange = 1...7
    /// The largest power of two the extension accepts as `expthresh` (its limit is 16383).
    public static let maximumExpthresh = 8192
    /// The extension's fixed capacity for explicit values (a 128 KiB buffer of 8-byte values, minus
    /// its header), which also caps the auto threshold.
    static let explicitCapacityLimit = 16383

    /// `hll_empty()`'s settings: 2048 registers of 5 bits, auto explicit threshold (160), sparse on.
    public static let postgresDefault = HLLParameters(uncheckedLog2m: 11, regwidth: 5, expthresh: -1, sparseOn: true)

    /// Validates the settings; throws `HLLError.invalidParameter` naming the first one out of range.
    public init(log2m: Int, regwidth: Int, expthresh: Int, sparseOn: Bool) throws(HLLError) {
        guard Self.log2mRange.contains(log2m) else {
            throw .invalidParameter(.log2m, value: log2m)
        }
        guard Self.regwidthRange.contains(regwidth) else {
            throw .invalidParameter(.regwidth, value: regwidth)
        }
        guard Self.isValidExplicitThreshold(expthresh) else {
            throw .invalidParameter(.expthresh, value: expthresh)
        }
        self.init(uncheckedLog2m: log2m, regwidth: regwidth, expthresh: expthresh, sparseOn: sparseOn)
    }

    private init(uncheckedLog2m log2m: Int, regwidth: Int, expthresh: Int, sparseOn: Bool) {
        self.log2m = log2m
        self.regwidth = regwidth
        self.expthresh = expthresh
        self.sparseOn = sparseOn
    }

    private static func isValidExplicitThreshold(_ value: Int) -> Bool {
        if value == -1 || value == 0 { return true }
        return value > 0 && value <= maximumExpthresh && value.nonzeroBitCount == 1
    }

    // MARK: - Derived sizes

    /// `m = 2^log2m`.
    public var registerCount: Int { 1 << log2m }

    /// The largest value a register can hold; `p(w)` is clamped to it.
    var maximumRegisterValue: UInt8 { UInt8((1 << regwidth) - 1) }

    /// Bytes of a FULL body: `ceil(regwidth · m / 8)`.
    var fullBodyByteCount: Int { (regwidth * registerCount + 7) / 8 }

    /// Bits of one SPARSE word (`index << regwidth | value`).
    var sparseWordBitCount: Int { log2m + regwidth }

    /// `E`: how many distinct values EXPLICIT holds before the next new one switches to registers.
    /// Auto picks as many 8-byte values as the FULL body has room for (160 for the defaults).
    public var explicitCapacity: Int {
        switch expthresh {
        case -1: min(fullBodyByteCount / 8, Self.explicitCapacityLimit)
        default: min(expthresh, Self.explicitCapacityLimit)
        }
    }

    // MARK: - Header bytes

    /// Bytes 1 and 2 of every serialized value with these settings (never change on promotion).
    public var headerBytes: (UInt8, UInt8) {
        let widthAndLog2m = UInt8((regwidth - 1) << 5 | log2m)
        let thresholdCode: Int
        switch expthresh {
        case -1: thresholdCode = 63
        case 0: thresholdCode = 0
        default: thresholdCode = Int.bitWidth - expthresh.leadingZeroBitCount  // log2 + 1
        }
        let flagsAndThreshold = UInt8((sparseOn ? 1 << 6 : 0) | thresholdCode)
        return (widthAndLog2m, flagsAndThreshold)
    }

    /// Reads bytes 1 and 2 of a serialized value. Bit 7 of byte 2 is ignored, as the extension does.
    /// Throws for settings outside this type's invariants (including thresholds above 8192, which
    /// the current extension no longer creates).
    init(headerByte1: UInt8, headerByte2: UInt8) throws(HLLError) {
        let code = Int(headerByte2 & 0x3F)
        let threshold: Int
        switch code {
        case 63: threshold = -1
        case 0: threshold = 0
        default: threshold = 1 << (code - 1)  // 1…62; the range check below rejects > 8192
        }
        try self.init(
            log2m: Int(headerByte1 & 0x1F),
            regwidth: Int(headerByte1 >> 5) + 1,
            expthresh: threshold,
            sparseOn: headerByte2 & 0x40 != 0
        )
    }
}
