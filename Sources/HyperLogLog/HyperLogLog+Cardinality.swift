#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension HyperLogLog {
    /// The estimate `hll_cardinality` returns, bit for bit: the extension's HyperLogLog estimator
    /// with the same operations in the same order, and the C library's `log` it calls.
    ///
    /// - EMPTY: 0; EXPLICIT: the exact number of stored values.
    /// - registers: raw estimate `E = αm² / Σ 2^-r` (summed in register order); linear counting
    ///   `m · ln(m / V)` when `V` registers are zero and `E < 2.5 m`; `E` up to `2^L / 30`;
    ///   beyond that `-2^L · ln(1 - E / 2^L)`, with `L = 2^regwidth - 2 + log2m`.
    ///
    /// Quirks kept on purpose (they are what SQL answers): for regwidth ≥ 6 the extension's 64-bit
    /// shifts `1 << L` and `1 << r` overflow, and x86-64 takes the shift count modulo 64, so large
    /// sets come out as NaN; with regwidth 5 and every register saturated (31) the log's argument is
    /// negative and the result is NaN too. Use regwidth ≤ 5 for meaningful estimates.
    public var cardinality: Double {
        switch storage {
        case .empty:
            return 0
        case .explicit(let values):
            return Double(values.count)
        case .registers(let registers):
            return Self.estimate(registers, parameters: parameters)
        }
    }

    private static func estimate(_ registers: [UInt8], parameters: HLLParameters) -> Double {
        let m = Double(parameters.registerCount)
        // `&<<` masks the shift count to 6 bits, exactly what the extension's shifts do on x86-64.
        let exponent = UInt64((1 << parameters.regwidth) - 2 + parameters.log2m)
        let twoToL = UInt64(1) &<< exponent
        let largeRangeCutoff = Double(twoToL) / 30.0

        var sum = 0.0
        var zeroCount = 0
        for value in registers {
            sum += 1.0 / Double(Int64(1) &<< Int64(value))
            if value == 0 {
                zeroCount += 1
            }
        }
        let estimate = alphaMSquared(registerCount: parameters.registerCount) / sum
        if zeroCount != 0 && estimate < 5.0 * m / 2.0 {
            return m * log(m / Double(zeroCount))
        }
        if estimate <= largeRangeCutoff {
            return estimate
        }
        return Double(0 &- Int64(bitPattern: twoToL)) * log(1.0 - estimate / Double(twoToL))
    }

    /// `α_m · m²` with the extension's constants for 16, 32 and 64 registers and the asymptotic
    /// formula otherwise. `HLLParameters` guarantees m ≥ 16 (the extension errors for m ≤ 8).
    private static func alphaMSquared(registerCount: Int) -> Double {
        let m = Double(registerCount)
        switch registerCount {
        case 16: return 0.673 * m * m
        case 32: return 0.697 * m * m
        case 64: return 0.709 * m * m
        default: return (0.7213 / (1.0 + 1.079 / m)) * m * m
        }
    }
}
