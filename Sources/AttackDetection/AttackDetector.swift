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
/// Thread safety: a value type; `classify` reads no state, so share it freely.
/// `classifyRemembering` keeps memos of recent field values in the value itself (each owner
/// mutates its own copy), with the same results.
public struct AttackDetector: Sendable {
    private let scanners: ScannerAgentMatcher
    /// Used only by `classifyRemembering`; `classify` never reads or writes them. One per
    /// field, because a field's classes depend on which field it is (a query's `../` is not a
    /// referer's).
    private var agentMemo = ClassificationMemo()
    private var pathMemo = ClassificationMemo()
    private var queryMemo = ClassificationMemo()
    private var refererMemo = ClassificationMemo()

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
        var found = Self.agentClasses(userAgent, scanners: scanners)
        let suspicious = RequestPrefilter.suspicious(path: path, query: query, referer: referer)
        if suspicious.path { found.formUnion(Self.inspecting { $0.inspectPath(path) }) }
        if suspicious.query { found.formUnion(Self.inspecting { $0.inspectQuery(query, fileInclusion: true) }) }
        if suspicious.referer { found.formUnion(Self.inspecting { $0.inspectReferer(referer) }) }
        return found
    }

    /// The same result as `classify`, but remembers the last distinct user agents, and the last
    /// distinct paths, queries and referers that passed the prefilter (`ClassificationMemo`):
    /// a repeated one costs a hash and a comparison instead of the detectors. For an owner that
    /// classifies many requests on one thread (the consumer's aggregator); the result is still
    /// a pure function of the request.
    public mutating func classifyRemembering(
        method: UnsafeRawBufferPointer,
        path: UnsafeRawBufferPointer,
        query: UnsafeRawBufferPointer,
        userAgent: UnsafeRawBufferPointer,
        referer: UnsafeRawBufferPointer
    ) -> AttackClasses {
        classifyRemembering(path: path, query: query, userAgent: userAgent, referer: referer)
    }

    /// `classifyRemembering(method:path:query:userAgent:referer:)` without the method, which no
    /// detector reads: every class found needs bytes of the target, the user agent or the
    /// referer (a `TRACE` or a made-up method alone is not an attack we count). Callers that
    /// would have to look the method up first (the consumer reads it out of each record)
    /// save that read; should a detector ever use the method, this entry point goes.
    public mutating func classifyRemembering(
        path: UnsafeRawBufferPointer,
        query: UnsafeRawBufferPointer,
        userAgent: UnsafeRawBufferPointer,
        referer: UnsafeRawBufferPointer
    ) -> AttackClasses {
        let scanners = scanners
        var found = agentMemo.classes(of: userAgent) { Self.agentClasses(userAgent, scanners: scanners) }
        let suspicious = RequestPrefilter.suspicious(path: path, query: query, referer: referer)
        guard suspicious.path || suspicious.query || suspicious.referer else { return found }
        if suspicious.path {
            found.formUnion(pathMemo.classes(of: path) { Self.inspecting { $0.inspectPath(path) } })
        }
        if suspicious.query {
            found.formUnion(
                queryMemo.classes(of: query) { Self.inspecting { $0.inspectQuery(query, fileInclusion: true) } })
        }
        if suspicious.referer {
            found.formUnion(refererMemo.classes(of: referer) { Self.inspecting { $0.inspectReferer(referer) } })
        }
        return found
    }

    /// What the user agent alone shows: a scanner's name, or markup and SQL in it.
    private static func agentClasses(_ userAgent: UnsafeRawBufferPointer, scanners: ScannerAgentMatcher) -> AttackClasses {
        var found: AttackClasses = scanners.matches(userAgent) ? .scanner : []
        if RequestPrefilter.agentIsSuspicious(userAgent) {
            found.formUnion(inspecting { $0.inspectAgent(userAgent) })
        }
        return found
    }

    /// Runs `body` with an inspector over scratch memory and a token buffer on the stack.
    private static func inspecting(_ body: (inout ValueInspector) -> AttackClasses) -> AttackClasses {
        NormalizationScratch.with { scratch in
            withUnsafeTemporaryAllocation(of: SQLToken.self, capacity: SQLTokenizer.maximumTokens) { tokens in
                var inspector = ValueInspector(scratch: scratch, tokens: tokens)
                return body(&inspector)
            }
        }
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
