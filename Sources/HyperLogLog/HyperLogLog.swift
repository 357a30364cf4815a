/// A distinct-count sketch that serializes byte for byte as PostgreSQL's `hll` extension
/// (citusdata/postgresql-hll, storage schema version 1) would write the same set of hash values.
///
/// Why byte-identical and not merely compatible: SQL compares `hll` values by their bytes (`=`),
/// unions them only when all four parameters match, and estimates with its own arithmetic. A value
/// written here is therefore indistinguishable from one `hll_add_agg` built from the same hashes,
/// and `cardinality` returns the very `float8` `hll_cardinality` would.
///
/// States, as in the extension (promotion only ever goes forward):
/// - EMPTY: nothing added.
/// - EXPLICIT: the distinct hash values, sorted ascending as signed integers, at most
///   `parameters.explicitCapacity` (`E`) of them. Skipped when `E == 0`.
/// - registers: `2^log2m` registers; the first distinct value beyond `E` moves every stored value
///   into them. Whether they are written SPARSE or FULL is decided by `serialized()`.
///
/// The state depends only on the set of hash values added and the parameters, never on their order
/// or on how the set was split between unions.
public struct HyperLogLog: Sendable, Equatable {
    /// The settings every serialized byte 1 and 2 carries; fixed for the life of the sketch.
    public let parameters: HLLParameters
    var storage: Storage

    /// The in-memory representation.
    ///
    /// Invariants: `.explicit` is strictly ascending (signed) with at most 16383 values (at most `E`
    /// unless decoded from a value the extension wrote with more); `.registers` has exactly
    /// `parameters.registerCount` entries, each at most `parameters.maximumRegisterValue`.
    enum Storage: Sendable, Equatable {
        case empty
        case explicit([Int64])
        case registers([UInt8])
    }

    /// An EMPTY sketch (`hll_empty(log2m, regwidth, expthresh, sparseon)`).
    public init(parameters: HLLParameters = .postgresDefault) {
        self.parameters = parameters
        storage = .empty
    }

    init(parameters: HLLParameters, storage: Storage) {
        self.parameters = parameters
        self.storage = storage
    }

    /// Adds a hash value, as `hll_add(sketch, hash::hll_hashval)` does.
    ///
    /// The hot path of the consumer: once the sketch is in register form this is a handful of
    /// integer operations on storage it owns (no allocation); in EXPLICIT it is a binary search
    /// plus an insertion into a sorted array of at most `E` values.
    public mutating func add(hash: Int64) {
        switch storage {
        case .registers(var registers):
            // Release the enum's reference first so `registers` is uniquely owned and is written in
            // place instead of being copied (copy-on-write).
            storage = .empty
            Self.update(&registers, with: hash, parameters: parameters)
            storage = .registers(registers)
        case .explicit(var values):
            storage = .empty
            storage = Self.adding(hash, toExplicit: &values, parameters: parameters)
        case .empty:
            if parameters.explicitCapacity == 0 {
                var registers = [UInt8](repeating: 0, count: parameters.registerCount)
                Self.update(&registers, with: hash, parameters: parameters)
                storage = .registers(registers)
            } else {
                storage = .explicit([hash])
            }
        }
    }

    /// Adds the value `hll_hash_bytea(bytes)` (MurmurHash3 x64_128, seed 0), so the sketch equals
    /// `hll_add_agg(hll_hash_bytea(b))` over the same byte strings.
    public mutating func add(bytes: UnsafeRawBufferPointer) {
        add(hash: Murmur3.hllHash(bytes))
    }

    // MARK: - State transitions

    /// EXPLICIT + one value: unchanged on a duplicate, an insertion in signed order while fewer than
    /// `E` values are held, otherwise the switch to registers holding all of them.
    private static func adding(_ hash: Int64, toExplicit values: inout [Int64], parameters: HLLParameters) -> Storage {
        let position = insertionIndex(of: hash, in: values)
        if position < values.count, values[position] == hash {
            return .explicit(values)
        }
        if values.count >= parameters.explicitCapacity {
            var registers = registers(holding: values, parameters: parameters)
            update(&registers, with: hash, parameters: parameters)
            return .registers(registers)
        }
        values.insert(hash, at: position)
        return .explicit(values)
    }

    /// Registers holding every value of an EXPLICIT set (the promotion the extension performs).
    static func registers(holding values: [Int64], parameters: HLLParameters) -> [UInt8] {
        var registers = [UInt8](repeating: 0, count: parameters.registerCount)
        for value in values {
            update(&registers, with: value, parameters: parameters)
        }
        return registers
    }

    /// The first index whose value is not less than `hash` (signed order).
    private static func insertionIndex(of hash: Int64, in values: [Int64]) -> Int {
        var low = 0
        var high = values.count
        while low < high {
            let middle = low + (high - low) / 2
            if values[middle] < hash {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }

    /// One hash value's effect on the registers, read as an unsigned 64-bit `x`: register
    /// `x & (m - 1)` (the low `log2m` bits) is raised to `p(w)`, the 1-based position of the lowest
    /// set bit of `w = x >> log2m`, clamped to `2^regwidth - 1`. `w == 0` (e.g. the hash 0 of the
    /// empty string) changes nothing, although EXPLICIT stores and counts such a value.
    @inline(__always)
    static func update(_ registers: inout [UInt8], with hash: Int64, parameters: HLLParameters) {
        let bits = UInt64(bitPattern: hash)
        let index = Int(truncatingIfNeeded: bits & UInt64(parameters.registerCount - 1))
        let remaining = bits >> UInt64(parameters.log2m)
        guard remaining != 0 else { return }
        let rank = min(UInt8(truncatingIfNeeded: remaining.trailingZeroBitCount + 1), parameters.maximumRegisterValue)
        if registers[index] < rank {
            registers[index] = rank
        }
    }
}
