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
/// `classifyRememberingAgents` keeps a memo of recent user agents in the value itself (each
/// owner mutates its own copy), with the same results.
public struct AttackDetector: Sendable {
    private let scanners: ScannerAgentMatcher
    /// Used only by `classifyRememberingAgents`; `classify` never reads or writes it.
    private var agentMemo = AgentMemo()

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
        agentClasses(userAgent).union(requestClasses(path: path, query: query, referer: referer))
    }

    /// The same result as `classify`, but remembers what the last distinct user agents were
    /// (`AgentMemo`): a repeated user agent costs a hash and a comparison instead of the
    /// scanner scan. For an owner that classifies many requests on one thread (the consumer's
    /// aggregator); the result is still a pure function of the request.
    public mutating func classifyRememberingAgents(
        method: UnsafeRawBufferPointer,
        path: UnsafeRawBufferPointer,
        query: UnsafeRawBufferPointer,
        userAgent: UnsafeRawBufferPointer,
        referer: UnsafeRawBufferPointer
    ) -> AttackClasses {
        let hash = AgentMemo.hash(userAgent)
        let agent: AttackClasses
        if let remembered = agentMemo.lookup(userAgent, hash: hash) {
            agent = remembered
        } else {
            agent = agentClasses(userAgent)
            agentMemo.remember(userAgent, hash: hash, classes: agent)
        }
        return agent.union(requestClasses(path: path, query: query, referer: referer))
    }

    /// What the user agent alone shows: a scanner's name, or markup and SQL in it.
    private func agentClasses(_ userAgent: UnsafeRawBufferPointer) -> AttackClasses {
        var found: AttackClasses = scanners.matches(userAgent) ? .scanner : []
        guard RequestPrefilter.agentIsSuspicious(userAgent) else { return found }
        NormalizationScratch.with { scratch in
            withUnsafeTemporaryAllocation(of: SQLToken.self, capacity: SQLTokenizer.maximumTokens) { tokens in
                var inspector = ValueInspector(scratch: scratch, tokens: tokens)
                found.formUnion(inspector.inspectAgent(userAgent))
            }
        }
        return found
    }

    /// What the path, the query and the referer show.
    private func requestClasses(
        path: UnsafeRawBufferPointer,
        query: UnsafeRawBufferPointer,
        referer: UnsafeRawBufferPointer
    ) -> AttackClasses {
        let suspicious = RequestPrefilter.suspicious(path: path, query: query, referer: referer)
        guard suspicious.path || suspicious.query || suspicious.referer else { return [] }
        var found: AttackClasses = []
        NormalizationScratch.with { scratch in
            withUnsafeTemporaryAllocation(of: SQLToken.self, capacity: SQLTokenizer.maximumTokens) { tokens in
                var inspector = ValueInspector(scratch: scratch, tokens: tokens)
                if suspicious.path { found.formUnion(inspector.inspectPath(path)) }
                if suspicious.query { found.formUnion(inspector.inspectQuery(query, fileInclusion: true)) }
                if suspicious.referer { found.formUnion(inspector.inspectReferer(referer)) }
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
