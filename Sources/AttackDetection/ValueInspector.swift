/// Runs the detectors over the fields the prefilter let through, reusing one scratch and one
/// token buffer for every value of the request.
struct ValueInspector {
    let scratch: NormalizationScratch
    let tokens: UnsafeMutableBufferPointer<SQLToken>

    /// The path: traversal (climbing above the root), markup, and SQL in the whole path
    /// (REST-style `/item/1' or '1'='1`).
    mutating func inspectPath(_ path: UnsafeRawBufferPointer) -> AttackClasses {
        let value = RequestNormalizer.normalize(path, plusIsSpace: false, scratch: scratch)
        var found: AttackClasses = []
        if TraversalDetector.pathClimbsAboveRoot(value) { found.insert(.traversal) }
        if XSSDetector.isAttack(value) { found.insert(.xss) }
        if isSQLInjection(value) { found.insert(.sqli) }
        return found
    }

    /// Every `name=value` pair of the query on its own; pairs without a suspicious byte are
    /// skipped before decoding.
    mutating func inspectQuery(_ query: UnsafeRawBufferPointer, fileInclusion: Bool) -> AttackClasses {
        var found: AttackClasses = []
        // A raw `&&` is SQL's "and" sent unencoded (`id=1' && '1'='1`): judge the whole query too.
        if RequestPrefilter.containsDoubleAmpersand(query) {
            let whole = RequestNormalizer.normalize(query, plusIsSpace: true, scratch: scratch)
            if isSQLInjection(whole) { found.insert(.sqli) }
        }
        var start = 0
        while start <= query.count {
            var end = start
            // `&` separates pairs unless it starts a character reference (`&lt;`, `&#60;`): an
            // unencoded entity is part of the value it was written into.
            while end < query.count, query[end] != UInt8(ascii: "&") || RequestNormalizer.startsCharacterReference(query, at: end) {
                end += 1
            }
            let pair = UnsafeRawBufferPointer(rebasing: query[start..<end])
            start = end + 1
            guard !pair.isEmpty else { continue }
            guard RequestPrefilter.queryPairIsSuspicious(pair) else { continue }
            var equals = 0
            while equals < pair.count, pair[equals] != UInt8(ascii: "=") { equals += 1 }
            let name = UnsafeRawBufferPointer(rebasing: pair[0..<equals])
            let value = UnsafeRawBufferPointer(rebasing: pair[min(equals + 1, pair.count)..<pair.count])
            // A pair without `=` is a bare value (`?<script>...`). Either half without a
            // suspicious byte of its own is clean by the prefilter's invariant (`b=%20x`: `b`).
            let bare = equals == pair.count ? name : value
            if RequestPrefilter.queryPairIsSuspicious(bare) {
                found.formUnion(inspectQueryPart(bare, fileInclusion: fileInclusion))
            }
            if equals < pair.count, !name.isEmpty, RequestPrefilter.queryPairIsSuspicious(name) {
                found.formUnion(inspectQueryPart(name, fileInclusion: false))
            }
        }
        return found
    }

    private mutating func inspectQueryPart(_ part: UnsafeRawBufferPointer, fileInclusion: Bool) -> AttackClasses {
        let value = RequestNormalizer.normalize(part, plusIsSpace: true, scratch: scratch)
        var found: AttackClasses = []
        if XSSDetector.isAttack(value) { found.insert(.xss) }
        if isSQLInjection(value) { found.insert(.sqli) }
        if fileInclusion, TraversalDetector.isFileInclusion(value) { found.insert(.traversal) }
        return found
    }

    /// The referer: its query like a request's query (without file inclusion: a link to
    /// `?file=/etc/passwd` is someone else's page), markup anywhere, traversal only when its
    /// own path climbs above its root to a sensitive file.
    mutating func inspectReferer(_ referer: UnsafeRawBufferPointer) -> AttackClasses {
        var questionMark = 0
        while questionMark < referer.count, referer[questionMark] != UInt8(ascii: "?") { questionMark += 1 }
        var found: AttackClasses = []
        if questionMark < referer.count {
            found = inspectQuery(UnsafeRawBufferPointer(rebasing: referer[(questionMark + 1)...]), fileInclusion: false)
        }
        let value = RequestNormalizer.normalize(
            UnsafeRawBufferPointer(rebasing: referer[0..<questionMark]), plusIsSpace: false, scratch: scratch)
        if XSSDetector.isAttack(value) { found.insert(.xss) }
        if TraversalDetector.refererIsTraversal(value) { found.insert(.traversal) }
        return found
    }

    /// A user agent with markup or quotes: markup and SQL as in a value.
    mutating func inspectAgent(_ agent: UnsafeRawBufferPointer) -> AttackClasses {
        let value = RequestNormalizer.normalize(agent, plusIsSpace: false, scratch: scratch)
        var found: AttackClasses = []
        if XSSDetector.isAttack(value) { found.insert(.xss) }
        if isSQLInjection(value) { found.insert(.sqli) }
        return found
    }

    /// The value read in each SQL context.
    func isSQLInjection(_ value: ByteView) -> Bool {
        for context in SQLTokenizer.Context.allCases {
            if context.quote != nil, value.firstIndex(of: context == .singleQuote ? "'" : "\"") == nil { continue }
            let count = SQLTokenizer.tokenize(value, context: context, into: tokens)
            var plainPrefix = true
            if let quote = context.quote {
                var index = 0
                // Leading blanks do not make a phrase (` aa'^0 0='0`).
                while index < value.count, value.base[index] == UInt8(ascii: " ") { index += 1 }
                while index < value.count, value.base[index] != quote {
                    let byte = value.base[index]
                    // `/` too: a path's segments before the breakout (`/products/admin'--`).
                    if !(byte.isASCIILetter || byte.isASCIIDigit || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
                        || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "@") || byte == UInt8(ascii: "/"))
                    {
                        plainPrefix = false
                        break
                    }
                    index += 1
                }
            }
            if SQLInjectionRules.isInjection(
                UnsafeBufferPointer(rebasing: tokens[0..<count]), context: context, plainPrefix: plainPrefix)
            {
                return true
            }
        }
        return false
    }
}
