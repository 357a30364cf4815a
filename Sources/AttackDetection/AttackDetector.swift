/// Classifies one request into attack classes, as a pure function of what nginx logged.
///
/// The pipeline per request:
/// 1. The scanner check on the user agent (`ScannerAgentMatcher`, one pass).
/// 2. `RequestPrefilter` on path, query and referer: a field without a suspicious byte is
///    done. Most requests end here, having allocated nothing and decoded nothing.
/// 3. For the fields that passed: `RequestNormalizer` decodes into stack scratch, the query is
///    split into `name=value` pairs (each judged on its own, names too), and the SQL
///    (`SQLTokenizer` + `SQLInjectionRules`, three contexts), markup (`XSSDetector`) and
///    traversal (`TraversalDetector`) detectors look at each piece.
///
/// Thread safety: a value type with no state; share it freely.
public struct AttackDetector: Sendable {
    private let scanners: ScannerAgentMatcher

    public init() { scanners = ScannerAgentMatcher.shared }

    /// Pure function of the request's parts, as nginx logged them (raw bytes, may contain
    /// nginx's \xHH escapes, percent-encoding, '+').
    public func classify(
        method: UnsafeRawBufferPointer,
        path: UnsafeRawBufferPointer,
        query: UnsafeRawBufferPointer,
        userAgent: UnsafeRawBufferPointer,
        referer: UnsafeRawBufferPointer
    ) -> AttackClasses {
        var found: AttackClasses = scanners.matches(userAgent) ? .scanner : []
        let suspicious = RequestPrefilter.table.withUnsafeBufferPointer { table -> (path: Bool, query: Bool, referer: Bool, agent: Bool) in
            let pathFlags = RequestPrefilter.flags(path, table)
            let queryFlags = RequestPrefilter.flags(query, table)
            let refererFlags = referer.count > 1 ? RequestPrefilter.flags(referer, table) : 0
            let agentFlags = RequestPrefilter.flags(userAgent, table)
            return (
                pathFlags & RequestPrefilter.pathBit != 0
                    || pathFlags & RequestPrefilter.dotBit != 0 && RequestPrefilter.containsDotDot(path),
                queryFlags & RequestPrefilter.queryBit != 0
                    || queryFlags & RequestPrefilter.dotBit != 0 && RequestPrefilter.containsDotDot(query)
                    || queryFlags & RequestPrefilter.dashBit != 0 && RequestPrefilter.containsDoubleDash(query),
                refererFlags & RequestPrefilter.refererBit != 0
                    || refererFlags & RequestPrefilter.dotBit != 0 && RequestPrefilter.containsDotDot(referer),
                agentFlags & RequestPrefilter.agentBit != 0
            )
        }
        guard suspicious.path || suspicious.query || suspicious.referer || suspicious.agent else { return found }
        NormalizationScratch.with { scratch in
            withUnsafeTemporaryAllocation(of: SQLToken.self, capacity: SQLTokenizer.maximumTokens) { tokens in
                var inspector = ValueInspector(scratch: scratch, tokens: tokens)
                if suspicious.path { found.formUnion(inspector.inspectPath(path)) }
                if suspicious.query { found.formUnion(inspector.inspectQuery(query, fileInclusion: true)) }
                if suspicious.referer { found.formUnion(inspector.inspectReferer(referer)) }
                if suspicious.agent { found.formUnion(inspector.inspectAgent(userAgent)) }
            }
        }
        return found
    }

    /// Convenience for tests/CLI.
    public func classify(method: String, path: String, query: String, userAgent: String, referer: String) -> AttackClasses {
        var method = method
        var path = path
        var query = query
        var userAgent = userAgent
        var referer = referer
        return method.withUTF8 { method in
            path.withUTF8 { path in
                query.withUTF8 { query in
                    userAgent.withUTF8 { userAgent in
                        referer.withUTF8 { referer in
                            classify(
                                method: UnsafeRawBufferPointer(method), path: UnsafeRawBufferPointer(path),
                                query: UnsafeRawBufferPointer(query), userAgent: UnsafeRawBufferPointer(userAgent),
                                referer: UnsafeRawBufferPointer(referer))
                        }
                    }
                }
            }
        }
    }
}
