import HyperLogLog
import PostgresSink
import TrafficAggregation

#if canImport(Glibc)
    import Glibc
#endif

/// One flush of one shard, as one PostgreSQL transaction (DESIGN §10.5): lock the progress rows,
/// compare each partition's with what this consumer expects, write the new progress of the
/// partitions that match, then their minute, hour and day deltas and audit rows, and commit.
///
/// The compare tells these cases apart per partition:
/// - the row was claimed by another consumer since ours started: fenced, nothing written;
/// - the row holds `expectedOffset`: ours; applied;
/// - it holds the target offset: an earlier attempt of this very flush committed although its
///   connection broke before the answer; nothing is applied twice;
/// - anything else: another consumer moved it; the partition is fenced and nothing of it is
///   written.
/// A row naming another broker cluster stops everything (`ConsumerError.clusterChanged`).
///
/// Synchronous and blocking (libpq): run it on the shard writer's own thread.
struct ShardTransaction {
    let connection: PGConnection
    /// Test seam: how long the transaction stays open before COMMIT.
    var commitDelay: Duration = .zero

    /// Runs `flush`; on any error the transaction is rolled back (or died with the connection).
    /// - Parameter knownDays: epoch days whose `site_minute` partition is known to exist; days
    ///   the flush needs beyond them are created first, each in its own short transaction:
    ///   creating a partition locks the whole table, which must not last as long as a flush.
    func run(_ flush: ShardFlush, knownDays: inout Set<Int64>) throws -> ShardFlushOutcome {
        var days = Set<Int64>()
        for part in flush.parts {
            for minute in part.delta.siteRows.minuteEpochSeconds { days.insert(EventTime.day(ofSeconds: minute)) }
        }
        for day in days.subtracting(knownDays).sorted() {
            try connection.execute(ShardStatements.ensureDay, parameters: ["\(day)"])
            knownDays.insert(day)
        }
        while true {
            try connection.execute("BEGIN")
            do {
                if let outcome = try attempt(flush) {
                    return outcome
                }
                // Lost an insert race for a new progress row: look again.
                try connection.execute("ROLLBACK")
            } catch {
                _ = try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// One try inside an open transaction; `nil` when a new progress row appeared meanwhile.
    private func attempt(_ flush: ShardFlush) throws -> ShardFlushOutcome? {
        var outcome = ShardFlushOutcome()
        let partitions = flush.parts.map(\.partition)
        let locked = try connection.execute(
            ShardStatements.lockProgress,
            parameters: [flush.topic, ShardStatements.arrayLiteral(partitions)]
        )
        var stored: [Int32: (offset: Int64, cluster: String, owner: String)] = [:]
        for row in locked.rows {
            guard let partition = row[0].flatMap({ Int32($0) }), let offset = row[1].flatMap({ Int64($0) }) else {
                continue
            }
            stored[partition] = (offset, row[2] ?? "", row[3] ?? "")
        }

        var applied: [ShardFlush.Part] = []
        for part in flush.parts {
            let current = stored[part.partition]
            if let current, current.cluster != flush.clusterID {
                throw ConsumerError.clusterChanged(
                    shard: flush.shard, partition: part.partition, stored: current.cluster, broker: flush.clusterID)
            }
            let now = current?.offset
            if let current, current.owner != flush.consumerID {
                outcome.fenced.append(part.partition)
            } else if now == part.expectedOffset {
                applied.append(part)
            } else if let now, now == part.targetOffset {
                outcome.alreadyCommitted[part.partition] = now
            } else {
                outcome.fenced.append(part.partition)
            }
        }

        for part in applied {
            let parameters: [String?] = [
                "\(flush.shard)", flush.topic, "\(part.partition)", "\(part.targetOffset)",
                "\(part.delta.watermarkMicros)", flush.clusterID, flush.consumerID,
            ]
            if stored[part.partition] != nil {
                try connection.execute(ShardStatements.updateProgress, parameters: parameters)
            } else {
                let inserted = try connection.execute(ShardStatements.insertProgress, parameters: parameters)
                if inserted.affectedRows == 0 { return nil }
            }
            outcome.committed[part.partition] = part.targetOffset
        }

        for admitted in flush.admissions {
            try connection.execute(ShardStatements.insertAdmission, parameters: ["\(admitted.minute)", admitted.site])
        }
        outcome.rowsWritten = try writeMinuteRows(of: applied, shard: flush.shard)
        try writeTopTalkers(of: applied, shard: flush.shard)
        try writeAttackSamples(of: applied, shard: flush.shard)
        for part in applied {
            try writeAudit(of: part, shard: flush.shard, topic: flush.topic)
        }
        if commitDelay > .zero {
            let (seconds, attoseconds) = commitDelay.components
            var pause = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
            _ = nanosleep(&pause, nil)
        }
        try connection.execute("COMMIT")
        return outcome
    }

    /// COPYs the parts' minute rows into the staging table and upserts minute, hour and day rows.
    private func writeMinuteRows(of parts: [ShardFlush.Part], shard: Int) throws -> Int {
        var data: [UInt8] = []
        var rows = 0
        for part in parts {
            let uniqueIPs = part.delta.uniqueIPs
            let floors = part.delta.topFloors
            var index = 0
            part.delta.forEachRow { minute, site, counters in
                CopyRow.appendInteger(minute, to: &data)
                data.append(0x09)
                CopyRow.appendText(site, to: &data)
                for value in counters {
                    data.append(0x09)
                    CopyRow.appendInteger(value, to: &data)
                }
                data.append(0x09)
                if index < uniqueIPs.count, let hll = uniqueIPs[index] {
                    CopyRow.appendText(hll.hexLiteral, to: &data)
                } else {
                    CopyRow.appendNull(to: &data)
                }
                let floor = index < floors.count ? floors[index] : TopFloor(ip: 0, path: 0)
                data.append(0x09)
                CopyRow.appendInteger(floor.ip, to: &data)
                data.append(0x09)
                CopyRow.appendInteger(floor.path, to: &data)
                data.append(0x0A)
                rows += 1
                index += 1
            }
        }
        guard rows > 0 else { return 0 }
        try connection.copyIn(ShardStatements.copyStaging, data: data)
        let shardText = "\(shard)"
        let minute = try connection.execute(ShardStatements.upsertMinute, parameters: [shardText])
        try connection.execute(ShardStatements.upsertHour, parameters: [shardText])
        try connection.execute(ShardStatements.upsertDay, parameters: [shardText])
        if parts.contains(where: { !$0.delta.topFloors.isEmpty }) {
            try connection.execute(ShardStatements.upsertTopFloors, parameters: [shardText])
        }
        return minute.affectedRows ?? rows
    }

    /// COPYs the parts' top-talker rows into their staging table and upserts them.
    private func writeTopTalkers(of parts: [ShardFlush.Part], shard: Int) throws {
        var data: [UInt8] = []
        for part in parts {
            let siteRows = part.delta.siteRows
            for (kind, rows) in [("ip", part.delta.topIPs), ("path", part.delta.topPaths)] {
                for row in rows {
                    CopyRow.appendText(kind, to: &data)
                    data.append(0x09)
                    CopyRow.appendInteger(siteRows.minuteEpochSeconds[row.row], to: &data)
                    data.append(0x09)
                    CopyRow.appendText(siteRows.sites[row.row], to: &data)
                    data.append(0x09)
                    CopyRow.appendText(row.key, to: &data)
                    data.append(0x09)
                    CopyRow.appendInteger(row.requests, to: &data)
                    data.append(0x09)
                    CopyRow.appendInteger(row.error, to: &data)
                    for lane in 0..<4 {
                        data.append(0x09)
                        CopyRow.appendInteger(row.attacks[lane], to: &data)
                    }
                    data.append(0x0A)
                }
            }
        }
        guard !data.isEmpty else { return }
        try connection.copyIn(ShardStatements.copyTopStaging, data: data)
        let shardText = "\(shard)"
        try connection.execute(ShardStatements.upsertTopIPs, parameters: [shardText])
        try connection.execute(ShardStatements.upsertTopPaths, parameters: [shardText])
    }

    /// COPYs the parts' attack samples into their staging table and inserts them into free slots.
    private func writeAttackSamples(of parts: [ShardFlush.Part], shard: Int) throws {
        var data: [UInt8] = []
        for part in parts {
            let siteRows = part.delta.siteRows
            for sample in part.delta.attackSamples {
                CopyRow.appendInteger(siteRows.minuteEpochSeconds[sample.row], to: &data)
                data.append(0x09)
                CopyRow.appendText(siteRows.sites[sample.row], to: &data)
                data.append(0x09)
                CopyRow.appendText(sample.attackClass, to: &data)
                data.append(0x09)
                CopyRow.appendInteger(Int64(sample.slot), to: &data)
                data.append(0x09)
                CopyRow.appendInteger(sample.timeMicros, to: &data)
                data.append(0x09)
                if let clientIP = sample.clientIP {
                    CopyRow.appendText(clientIP, to: &data)
                } else {
                    CopyRow.appendNull(to: &data)
                }
                data.append(0x09)
                CopyRow.appendText(sample.request, to: &data)
                data.append(0x09)
                CopyRow.appendText(sample.userAgent, to: &data)
                data.append(0x0A)
            }
        }
        guard !data.isEmpty else { return }
        try connection.copyIn(ShardStatements.copyAttackSampleStaging, data: data)
        try connection.execute(ShardStatements.insertAttackSamples, parameters: ["\(shard)"])
    }

    private func writeAudit(of part: ShardFlush.Part, shard: Int, topic: String) throws {
        for row in part.delta.fileAudit {
            try connection.execute(
                ShardStatements.upsertFileAudit,
                parameters: [
                    "\(shard)", row.edge, row.sourceFile, "\(row.shippedLines)", "\(row.lostLines)",
                    "\(row.lostBytes)", "\(row.countedLines)", "\(row.statsRecords)", "\(row.foldedLines)",
                    "\(row.lostBytesReplaced)", "\(row.lostBytesUnfinished)",
                ]
            )
        }
        for row in part.delta.rejected {
            try connection.execute(
                ShardStatements.upsertRejected,
                parameters: [
                    "\(shard)", topic, "\(part.partition)", row.cause.rawValue, "\(row.count)", "\(row.firstOffset)",
                    "\(row.lastOffset)",
                ]
            )
        }
    }
}

/// COPY text fields written without building a `String` per value.
enum CopyRow {
    static func appendInteger(_ value: Int64, to buffer: inout [UInt8]) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = buffer.count
        repeat {
            buffer.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        buffer[start...].reverse()
    }

    /// COPY text's NULL.
    static func appendNull(to buffer: inout [UInt8]) {
        buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")])
    }

    /// Site names are already valid UTF-8 without NUL (`SiteName`), so this cannot fail; a NUL
    /// that got through anyway is written as U+FFFD instead of failing the whole flush.
    static func appendText(_ text: String, to buffer: inout [UInt8]) {
        let start = buffer.count
        do {
            try CopyTextFormat.appendField(text.utf8, to: &buffer)
        } catch {
            buffer.removeSubrange(start...)
            let cleaned = String(decoding: text.utf8.map { $0 == 0 ? 0x3F : $0 }, as: UTF8.self)
            try? CopyTextFormat.appendField(cleaned.utf8, to: &buffer)
        }
    }
}
