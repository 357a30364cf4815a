/// The cheap first look that clears the clean majority of requests before any decoding.
///
/// One 256-entry table gives, per byte, the fields in which that byte can start an attack: it
/// is the definition (`isSuspiciousByTable`); fields of eight bytes or more are scanned by
/// `PrefilterLanes`, which computes the same classes sixteen bytes at a time. If no flag for
/// the field comes up, nothing in it can be an injection, markup or traversal, whatever the detectors
/// would say, because every attack they recognize needs at least one of these bytes in its
/// logged form:
/// - everywhere: `%` (any encoding), `\` (nginx's `\xHH`: quotes, control and non-ASCII
///   bytes), `'` `"` `<` `>` `(` `)` `;` `*` `|` `` ` `` and `&` (entities) in paths, control
///   bytes, DEL, raw bytes ≥ 0x80 other than well-formed UTF-8 letters (see
///   `hasSuspiciousHighBytes`), a space (nginx logs raw spaces), and `..`;
/// - in the query also `+` (a space), `/` and `:` (file paths and script URLs), `@` (`@@version`),
///   `#` (`&#60`, comments), and `--`;
/// - in the referer the path set without `..` alone (a relative link is normal there).
///
/// Invariant (tested): every attack in the labelled corpus passes the filter.
enum RequestPrefilter {
    static let pathBit: UInt8 = 1
    static let queryBit: UInt8 = 2
    static let refererBit: UInt8 = 4
    static let dotBit: UInt8 = 8
    /// Bytes that make a user agent worth an XSS/SQL look (`<`, `'`, `\`).
    static let agentBit: UInt8 = 16
    /// `-`: a query with `--` (a SQL comment: `id=1--`) is worth a look.
    static let dashBit: UInt8 = 32
    /// A byte ≥ 0x80: suspicious in path, query and referer unless `hasSuspiciousHighBytes`
    /// clears the field (a `café` path is text, `C0 AE` is an overlong `.`).
    static let highBit: UInt8 = 64

    static let table: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        let everywhere: UInt8 = pathBit | queryBit | refererBit
        for byte in 0..<0x20 { table[byte] = everywhere }
        table[0x7F] = everywhere
        for byte in 0x80...0xFF { table[byte] = highBit }
        for character in "%\\'\"<>();*|` " { table[Int(character.asciiValue!)] |= everywhere }
        table[Int(UInt8(ascii: "&"))] |= pathBit
        for character in "+/:@#" { table[Int(character.asciiValue!)] |= queryBit }
        table[Int(UInt8(ascii: "."))] |= dotBit
        table[Int(UInt8(ascii: "-"))] |= dashBit
        for character in "<'\\" { table[Int(character.asciiValue!)] |= agentBit }
        return table
    }()

    /// The OR of the table entries of every byte of `field`.
    @inline(__always)
    static func flags(_ field: UnsafeRawBufferPointer, _ table: UnsafeBufferPointer<UInt8>) -> UInt8 {
        var accumulated: UInt8 = 0
        for byte in field { accumulated |= table[Int(byte)] }
        return accumulated
    }

    /// Which of path, query and referer need the detectors.
    @inline(__always)
    static func suspicious(
        path: UnsafeRawBufferPointer,
        query: UnsafeRawBufferPointer,
        referer: UnsafeRawBufferPointer
    ) -> (path: Bool, query: Bool, referer: Bool) {
        (
            isSuspicious(path, as: .path),
            isSuspicious(query, as: .query),
            referer.count > 1 && isSuspicious(referer, as: .referer)
        )
    }

    /// Whether one `name=value` pair of a query needs the detectors.
    @inline(__always)
    static func queryPairIsSuspicious(_ pair: UnsafeRawBufferPointer) -> Bool { isSuspicious(pair, as: .query) }

    /// Whether `field` needs the detectors: `PrefilterLanes` (which hands fields under eight
    /// bytes to the table; same answer either way).
    @inline(__always)
    static func isSuspicious(_ field: UnsafeRawBufferPointer, as kind: PrefilterField) -> Bool {
        PrefilterLanes.isSuspicious(field, as: kind)
    }

    /// The definition of the prefilter's answer, one table lookup per byte.
    static func isSuspiciousByTable(_ field: UnsafeRawBufferPointer, as kind: PrefilterField) -> Bool {
        let fieldFlags = table.withUnsafeBufferPointer { flags(field, $0) }
        switch kind {
        case .path:
            return fieldFlags & pathBit != 0
                || fieldFlags & dotBit != 0 && containsDotDot(field)
                || fieldFlags & highBit != 0 && hasSuspiciousHighBytes(field)
        case .query:
            return fieldFlags & queryBit != 0
                || fieldFlags & dotBit != 0 && containsDotDot(field)
                || fieldFlags & dashBit != 0 && containsDoubleDash(field)
                || fieldFlags & highBit != 0 && hasSuspiciousHighBytes(field)
        case .referer:
            return fieldFlags & refererBit != 0
                || fieldFlags & dotBit != 0 && containsDotDot(field)
                || fieldFlags & highBit != 0 && hasSuspiciousHighBytes(field)
        }
    }

    /// Whether the user agent needs the markup and SQL checks.
    @inline(__always)
    static func agentIsSuspicious(_ agent: UnsafeRawBufferPointer) -> Bool {
        table.withUnsafeBufferPointer { flags(agent, $0) } & agentBit != 0
    }

    /// True unless every byte ≥ 0x80 of `field` is part of a well-formed UTF-8 sequence that
    /// the normalizer leaves alone and the detectors read as a letter: lead bytes C2 (only
    /// before A1...BF: not C1 controls, not NBSP), C3...DF, E1...EC, EE, F0 (before 90...BF),
    /// F1...F3, F4 (before 80...8F), and no continuation byte A0 (`isLenientWhitespace` reads
    /// a lone A0 as NBSP). Overlong forms (C0, C1, E0), full-width forms (EF), surrogates and
    /// Hangul in ED, and anything malformed stay suspicious, as every byte ≥ 0x80 used to be.
    static func hasSuspiciousHighBytes(_ field: UnsafeRawBufferPointer) -> Bool {
        let count = field.count
        var index = 0
        while index < count {
            let lead = field[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var secondLow: UInt8 = 0x80
            var secondHigh: UInt8 = 0xBF
            switch lead {
            case 0xC2: length = 2; secondLow = 0xA1
            case 0xC3...0xDF: length = 2
            case 0xE1...0xEC, 0xEE: length = 3
            case 0xF0: length = 4; secondLow = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; secondHigh = 0x8F
            default: return true
            }
            guard index + length <= count else { return true }
            let second = field[index + 1]
            guard second >= secondLow, second <= secondHigh else { return true }
            for offset in 1..<length {
                let byte = field[index + offset]
                if byte & 0xC0 != 0x80 || byte == 0xA0 { return true }
            }
            index += length
        }
        return false
    }

    /// True if `field` contains `..`.
    static func containsDotDot(_ field: UnsafeRawBufferPointer) -> Bool { containsPair(field, of: UInt8(ascii: ".")) }

    /// True if `field` contains `byte` twice in a row, eight bytes per step: each word's
    /// matching bytes become a mask of high bits (exact, no carries between bytes), and a pair
    /// is two adjacent mask bits inside the word or across its first byte and the previous
    /// word's last.
    @inline(__always)
    static func containsPair(_ field: UnsafeRawBufferPointer, of byte: UInt8) -> Bool {
        let count = field.count
        guard count >= 2 else { return false }
        let pattern = UInt64(byte) &* 0x0101_0101_0101_0101
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        var previousLast = false
        var offset = 0
        while offset + 8 <= count {
            let difference = field.loadUnaligned(fromByteOffset: offset, as: UInt64.self) ^ pattern
            // High bit set exactly in the bytes of `difference` that are zero.
            let matches = ~((difference & low7 &+ low7) | difference | low7)
            if matches & (matches >> 8) != 0 || previousLast && matches & 0x80 != 0 { return true }
            previousLast = matches >> 63 != 0
            offset += 8
        }
        while offset < count {
            let matches = field[offset] == byte
            if matches && previousLast { return true }
            previousLast = matches
            offset += 1
        }
        return false
    }

    /// True if `field` contains `--`.
    static func containsDoubleDash(_ field: UnsafeRawBufferPointer) -> Bool { containsPair(field, of: UInt8(ascii: "-")) }

    /// True if `field` contains `&&`.
    static func containsDoubleAmpersand(_ field: UnsafeRawBufferPointer) -> Bool {
        containsPair(field, of: UInt8(ascii: "&"))
    }
}
