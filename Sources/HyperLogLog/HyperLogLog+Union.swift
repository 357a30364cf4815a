extension HyperLogLog {
    /// Merges `other` into this sketch, as `hll_union(self, other)` (`||`, `hll_union_agg`) does.
    ///
    /// The result equals the sketch of all hash values added to either operand (the extension's
    /// rules reduce to that; every union vector records it): EMPTY is the identity, two EXPLICIT sets
    /// stay EXPLICIT while their union has at most `E` values, an EXPLICIT set meets registers by
    /// adding its values to them, and two register arrays merge by element-wise maximum.
    ///
    /// - Throws: `HLLError.parametersDiffer` unless all four parameters are equal, as PostgreSQL
    ///   refuses such a union. The sketch is unchanged then.
    public mutating func formUnion(_ other: HyperLogLog) throws(HLLError) {
        guard parameters == other.parameters else {
            throw .parametersDiffer(parameters, other.parameters)
        }
        switch (storage, other.storage) {
        case (_, .empty):
            return
        case (.empty, _):
            storage = other.storage
        case (.explicit, .explicit(let theirs)), (.registers, .explicit(let theirs)):
            for value in theirs {
                add(hash: value)
            }
        case (.explicit(let mine), .registers(var registers)):
            for value in mine {
                Self.update(&registers, with: value, parameters: parameters)
            }
            storage = .registers(registers)
        case (.registers(var mine), .registers(let theirs)):
            storage = .empty  // own `mine` uniquely, so the merge does not copy it
            for index in mine.indices where mine[index] < theirs[index] {
                mine[index] = theirs[index]
            }
            storage = .registers(mine)
        }
    }
}
