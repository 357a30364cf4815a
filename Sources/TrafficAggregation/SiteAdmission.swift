import Synchronization

/// The cardinality cap (DESIGN §5): at most `cap` sites per minute get rows of their own; every
/// other site's records of that minute are counted under `SiteName.other`. `$host` is
/// attacker-controlled on catch-all servers, and one row per made-up host name would let anyone
/// grow the tables without bound.
///
/// Shared by the aggregators of every partition a consumer reads (the cap is per minute, not per
/// partition), so it is a lock-protected reference; aggregators consult it only the first time
/// they meet a (minute, site) and cache the answer.
///
/// **Replay.** Which sites fold must not change when records are read again after a crash, or a
/// record counted under `(other)` on one shard would be counted again under its own site on
/// another. The rule that guarantees it: a site is admitted the first time a record of it needs
/// a row of the minute while fewer than `cap` sites are admitted; every admission is written in
/// the *same transaction as any delta cut after it*, on every shard (`newAdmissions(forShard:)`),
/// and at start the union over the shards is loaded back (`restore`). So whenever a committed
/// row depends on a decision (a folded row depends on all `cap` admissions that made it fold),
/// that decision is durable, and a replay reaches the same one; decisions nothing committed
/// depended on may come out differently, which is harmless.
///
/// The cap holds per consumer process: two consumers reading disjoint partitions each admit up
/// to `cap` sites (a group-wide cap needs the admissions decided in the database).
///
/// Invariants: per minute, admitted sites ≤ `cap` (restored ones included, unless more were
/// restored than the cap allows, which only a smaller cap after a restart can cause); an
/// admission is never withdrawn; the exempt names (`SiteName.unknown`, `SiteName.other`) are
/// always admitted and never counted.
public final class SiteAdmission: Sendable {
    /// Sites per minute with rows of their own. (No cap = no `SiteAdmission`.)
    public let cap: Int

    private struct State: @unchecked Sendable {
        var admitted: [Int64: Set<String>] = [:]
        /// Every admission in order; shard `s` has written `log[..<cursor[s]]`.
        var log: [(minute: Int64, site: String)] = []
        /// Admissions before `log`'s first element that every shard has (dropped from `log`).
        var logBase = 0
        var cursors: [Int]
    }

    private let state: Mutex<State>

    /// - Parameters:
    ///   - cap: sites per minute.
    ///   - shardCount: shards that each get every admission.
    /// - Precondition: `cap ≥ 1`; `shardCount ≥ 1`.
    public init(cap: Int, shardCount: Int) {
        precondition(cap >= 1, "site cap \(cap) < 1")
        precondition(shardCount >= 1, "shard count \(shardCount) < 1")
        self.cap = cap
        state = Mutex(State(cursors: Array(repeating: 0, count: shardCount)))
    }

    /// Whether `site` (stored text) gets rows of its own in `minute` (epoch seconds); admits it
    /// when the minute has room.
    public func admit(minute: Int64, site: String) -> Bool {
        if site == SiteName.unknown || site == SiteName.other { return true }
        return state.withLock { state in
            if state.admitted[minute]?.contains(site) == true { return true }
            let count = state.admitted[minute]?.count ?? 0
            guard count < cap else { return false }
            state.admitted[minute, default: []].insert(site)
            state.log.append((minute, site))
            return true
        }
    }

    /// Admissions loaded from the shards at start (already durable: not logged again).
    public func restore(_ admissions: some Sequence<(minute: Int64, site: String)>) {
        state.withLock { state in
            for (minute, site) in admissions {
                state.admitted[minute, default: []].insert(site)
            }
        }
    }

    /// The admissions shard `shard` has not been given yet, marking them given. The caller writes
    /// them in the transaction of the delta it cuts right after (and retries that transaction
    /// until it commits or the consumer stops, which reloads them from the other shards).
    public func newAdmissions(forShard shard: Int) -> [(minute: Int64, site: String)] {
        state.withLock { state in
            let start = state.cursors[shard] - state.logBase
            let taken = Array(state.log[start...])
            state.cursors[shard] = state.logBase + state.log.count
            if let oldest = state.cursors.min(), oldest - state.logBase > 4096 {
                state.log.removeFirst(oldest - state.logBase)
                state.logBase = oldest
            }
            return taken
        }
    }

    /// Forgets the decisions of minutes before `minute`: no aggregator makes rows there any more
    /// (every partition's watermark minus the lateness bound is past it).
    public func forget(before minute: Int64) {
        state.withLock { state in
            state.admitted = state.admitted.filter { $0.key >= minute }
        }
    }

    /// Sites admitted in `minute` (tests, metrics).
    public func admittedCount(minute: Int64) -> Int {
        state.withLock { $0.admitted[minute]?.count ?? 0 }
    }
}
