import TrafficAggregation

/// The SQL the consumer sends to a shard. Every text here is built once from our own constants
/// (`SiteCounter` column names, table names); log data only ever travels as parameters or COPY
/// data, never in these strings (the logs are full of injection payloads).
enum ShardStatements {
    /// Per-connection session set-up: UTC so that date arithmetic in SQL never depends on the
    /// server's time zone, and a name that shows in `pg_stat_activity`.
    static let sessionSetup = "SET TIME ZONE 'UTC'; SET application_name = 'edgelog-consumer'"

    /// Minute deltas of one flush, COPYed in and upserted from here. A temporary table lives
    /// for the connection; `ON COMMIT DELETE ROWS` empties it at every COMMIT, and a ROLLBACK
    /// discards what the transaction put in.
    static let createStaging = """
        CREATE TEMP TABLE IF NOT EXISTS edgelog_minute_staging (
            bucket_epoch bigint NOT NULL,
            site text NOT NULL,
        \(SiteCounter.columnNames.map { "    \($0) bigint NOT NULL" }.joined(separator: ",\n")),
            unique_ips hll,
            ip_floor bigint NOT NULL,
            path_floor bigint NOT NULL
        ) ON COMMIT DELETE ROWS
        """

    static let copyStaging =
        "COPY pg_temp.edgelog_minute_staging (bucket_epoch, site, \(SiteCounter.columnNames.joined(separator: ", ")), unique_ips, ip_floor, path_floor) FROM STDIN"

    /// Top-talker rows of one flush (`kind` 'ip' or 'path'), COPYed in and upserted from here.
    static let createTopStaging = """
        CREATE TEMP TABLE IF NOT EXISTS edgelog_top_staging (
            kind text NOT NULL,
            bucket_epoch bigint NOT NULL,
            site text NOT NULL,
            key text NOT NULL,
            requests bigint NOT NULL,
            error bigint NOT NULL,
            attacks_sqli bigint NOT NULL,
            attacks_xss bigint NOT NULL,
            attacks_traversal bigint NOT NULL,
            attacks_scanner bigint NOT NULL
        ) ON COMMIT DELETE ROWS
        """

    static let copyTopStaging = """
        COPY pg_temp.edgelog_top_staging
            (kind, bucket_epoch, site, key, requests, error, attacks_sqli, attacks_xss, attacks_traversal, attacks_scanner)
        FROM STDIN
        """

    /// Sampled attack requests of one flush, COPYed in and inserted from here.
    static let createAttackSampleStaging = """
        CREATE TEMP TABLE IF NOT EXISTS edgelog_attack_sample_staging (
            bucket_epoch bigint NOT NULL,
            site text NOT NULL,
            class text NOT NULL,
            slot smallint NOT NULL,
            time_us bigint NOT NULL,
            client_ip inet,
            request text NOT NULL,
            user_agent text NOT NULL
        ) ON COMMIT DELETE ROWS
        """

    static let copyAttackSampleStaging = """
        COPY pg_temp.edgelog_attack_sample_staging
            (bucket_epoch, site, class, slot, time_us, client_ip, request, user_agent)
        FROM STDIN
        """

    /// The staged samples into their slots; a slot an earlier flush of the minute took keeps
    /// its sample (so at most `samplesPerClass` per (minute, site, class)). Two partitions may
    /// bring the same slot in one flush: one wins. `$1` shard.
    static let insertAttackSamples = """
        INSERT INTO edgelog.attack_sample_minute
            (shard_id, bucket, site, class, slot, time, client_ip, request, user_agent)
        SELECT DISTINCT ON (bucket_epoch, site, class, slot)
            $1::int, to_timestamp(bucket_epoch), site, class, slot, to_timestamp(time_us / 1000000.0), client_ip,
            request, user_agent
        FROM pg_temp.edgelog_attack_sample_staging
        ORDER BY bucket_epoch, site, class, slot, time_us
        ON CONFLICT (bucket, site, class, slot, shard_id) DO NOTHING
        """

    /// The staged top talkers of `kind` into `table`'s `column`, summed per key first (a flush
    /// may carry one key twice: two partitions, or two paths cut to the same label). `$1` shard.
    /// With `attacks`, the per-class attack counts add too (client IPs only: top_path_minute
    /// has no such columns).
    static func upsertTop(table: String, column: String, kind: String, cast: String, attacks: Bool) -> String {
        let classes = SiteCounter.attackCounters.map(\.rawValue)
        return """
            INSERT INTO edgelog.\(table) AS t (shard_id, bucket, site, \(column), requests, error\(
                attacks ? classes.map { ", \($0)" }.joined() : ""))
            SELECT $1::int, to_timestamp(bucket_epoch), site, key\(cast), sum(requests)::bigint, sum(error)::bigint\(
                attacks ? classes.map { ", sum(\($0))::bigint" }.joined() : "")
            FROM pg_temp.edgelog_top_staging
            WHERE kind = '\(kind)'
            GROUP BY 2, 3, 4
            ON CONFLICT (bucket, site, \(column), shard_id) DO UPDATE SET
                requests = t.requests + excluded.requests,
                error = t.error + excluded.error\(
                attacks ? classes.map { ",\n    \($0) = t.\($0) + excluded.\($0)" }.joined() : "")
            """
    }

    /// The staged rows' sketch floors, summed per (minute, site). `$1` shard.
    static let upsertTopFloors = """
        INSERT INTO edgelog.top_floor_minute AS t (shard_id, bucket, site, ip_floor, path_floor)
        SELECT $1::int, to_timestamp(bucket_epoch), site, sum(ip_floor)::bigint, sum(path_floor)::bigint
        FROM pg_temp.edgelog_minute_staging
        WHERE ip_floor > 0 OR path_floor > 0
        GROUP BY 2, 3
        ON CONFLICT (bucket, site, shard_id) DO UPDATE SET
            ip_floor = t.ip_floor + excluded.ip_floor,
            path_floor = t.path_floor + excluded.path_floor
        """

    static let upsertTopIPs = upsertTop(
        table: "top_ip_minute", column: "client_ip", kind: "ip", cast: "::inet", attacks: true)
    static let upsertTopPaths = upsertTop(
        table: "top_path_minute", column: "path", kind: "path", cast: "", attacks: false)

    /// `$1` minute (epoch seconds), `$2` site: a site the cap admitted (`SiteAdmission`).
    static let insertAdmission = """
        INSERT INTO edgelog.site_admission (bucket, site) VALUES (to_timestamp($1::bigint), $2)
        ON CONFLICT (bucket, site) DO NOTHING
        """

    /// `$1` epoch seconds: the admissions of minutes from then on, as (epoch seconds, site).
    static let readAdmissions = """
        SELECT extract(epoch FROM bucket)::bigint, site FROM edgelog.site_admission
        WHERE bucket >= to_timestamp($1::bigint)
        """

    /// `$1` epoch day: deletes top-talker and admission rows of days before it.
    static let deleteSketchDays =
        "SELECT edgelog.delete_sketch_rows_before((to_timestamp($1::bigint * 86400) AT TIME ZONE 'UTC')::date)"

    /// Locks the progress rows of the flush's partitions for the rest of the transaction, so
    /// two consumers' compare-and-sets on one shard serialize. `$1` topic, `$2` int[] partitions.
    static let lockProgress = """
        SELECT partition, next_offset, cluster_id, consumer_id, watermark_us FROM edgelog.consumer_progress
        WHERE topic = $1 AND partition = ANY($2::int[]) FOR UPDATE
        """

    /// Claims the partitions for this consumer at its start: a row for every partition, owned by
    /// `$5` consumer id from now on, so the flushes of any older consumer are fenced. A missing
    /// row starts at `$6`/`$7` (offset 0, watermark 0 for a fresh shard: the same as no row; the
    /// drained offset for a shard added by re-sharding). `$1` shard, `$2` topic, `$3` int[]
    /// partitions, `$4` cluster id, `$6` bigint[] offsets, `$7` bigint[] watermarks (same order
    /// as `$3`). Returns each partition's progress after the claim.
    static let claimProgress = """
        INSERT INTO edgelog.consumer_progress AS t (shard_id, topic, partition, next_offset, watermark_us, cluster_id, consumer_id)
        SELECT $1::int, $2, p, o, w, $4, $5 FROM unnest($3::int[], $6::bigint[], $7::bigint[]) AS x (p, o, w)
        ON CONFLICT (topic, partition) DO UPDATE SET consumer_id = excluded.consumer_id, updated_at = now()
        RETURNING partition, next_offset, watermark_us, cluster_id
        """

    /// The progress rows of `$1` topic's `$2` int[] partitions (no lock: a first look at start).
    static let readProgress = """
        SELECT partition, next_offset, watermark_us, cluster_id FROM edgelog.consumer_progress
        WHERE topic = $1 AND partition = ANY($2::int[])
        """

    /// `$1` shard, `$2` topic, `$3` partition, `$4` next offset, `$5` watermark µs, `$6` cluster
    /// id, `$7` consumer id.
    static let updateProgress = """
        UPDATE edgelog.consumer_progress
        SET next_offset = $4::bigint, watermark_us = $5::bigint, cluster_id = $6, shard_id = $1::int,
            consumer_id = $7, updated_at = now()
        WHERE topic = $2 AND partition = $3::int
        """

    /// Same parameters; 0 rows when another consumer inserted the row first.
    static let insertProgress = """
        INSERT INTO edgelog.consumer_progress (shard_id, topic, partition, next_offset, watermark_us, cluster_id, consumer_id)
        VALUES ($1::int, $2, $3::int, $4::bigint, $5::bigint, $6, $7)
        ON CONFLICT (topic, partition) DO NOTHING
        """

    /// A PostgreSQL array literal of integers (`{1,2,3}`), passed as a parameter with a cast.
    static func arrayLiteral(_ values: [some BinaryInteger]) -> String {
        "{" + values.map { "\($0)" }.joined(separator: ",") + "}"
    }

    /// `$1` epoch day: creates the day's partition of `site_minute` if it is missing.
    static let ensureDay = "SELECT edgelog.ensure_minute_partition((to_timestamp($1::bigint * 86400) AT TIME ZONE 'UTC')::date)"

    /// `$1` epoch day: drops the minute partitions of days before it; returns how many.
    static let dropMinuteDays =
        "SELECT edgelog.drop_minute_partitions_before((to_timestamp($1::bigint * 86400) AT TIME ZONE 'UTC')::date)"

    /// Upserts the staged minute rows into `table` with buckets of `bucketSeconds`: summed per
    /// (bucket, site) first, because one statement may not touch a row twice (PITFALLS).
    /// `$1` shard id.
    static func upsert(table: String, bucketSeconds: Int) -> String {
        let columns = SiteCounter.columnNames
        let bucket =
            bucketSeconds == 60
            ? "bucket_epoch" : "bucket_epoch - mod(mod(bucket_epoch, \(bucketSeconds)) + \(bucketSeconds), \(bucketSeconds))"
        // hll unions are idempotent; NULL (no known client IP) is the neutral value.
        return """
            INSERT INTO edgelog.\(table) AS t (shard_id, bucket, site, \(columns.joined(separator: ", ")), unique_ips)
            SELECT $1::int, to_timestamp(\(bucket)), site, \(columns.map { "sum(\($0))::bigint" }.joined(separator: ", ")),
                hll_union_agg(unique_ips)
            FROM pg_temp.edgelog_minute_staging
            GROUP BY 2, 3
            ON CONFLICT (bucket, site, shard_id) DO UPDATE SET
            \(columns.map { "\($0) = t.\($0) + excluded.\($0)" }.joined(separator: ",\n    ")),
                unique_ips = CASE
                    WHEN t.unique_ips IS NULL THEN excluded.unique_ips
                    WHEN excluded.unique_ips IS NULL THEN t.unique_ips
                    ELSE hll_union(t.unique_ips, excluded.unique_ips)
                END
            """
    }

    static let upsertMinute = upsert(table: "site_minute", bucketSeconds: 60)
    static let upsertHour = upsert(table: "site_hour", bucketSeconds: 3600)
    static let upsertDay = upsert(table: "site_day", bucketSeconds: 86400)

    /// `$1` shard, `$2` edge, `$3` source file, `$4` shipped, `$5` lost lines, `$6` lost bytes,
    /// `$7` counted, `$8` fileStats records, `$9` folded lines, `$10` of the lost bytes those
    /// replaced by copytruncate, `$11` those of an unfinished last line (shard migration 5).
    static let upsertFileAudit = """
        INSERT INTO edgelog.file_audit AS t
            (shard_id, edge, source_file, shipped_lines, lost_lines, lost_bytes, counted_lines, stats_records, folded_lines,
             lost_bytes_replaced, lost_bytes_unfinished)
        VALUES ($1::int, $2, $3, $4::bigint, $5::bigint, $6::bigint, $7::bigint, $8::bigint, $9::bigint, $10::bigint,
                $11::bigint)
        ON CONFLICT (edge, source_file, shard_id) DO UPDATE SET
            shipped_lines = t.shipped_lines + excluded.shipped_lines,
            lost_lines = t.lost_lines + excluded.lost_lines,
            lost_bytes = t.lost_bytes + excluded.lost_bytes,
            lost_bytes_replaced = t.lost_bytes_replaced + excluded.lost_bytes_replaced,
            lost_bytes_unfinished = t.lost_bytes_unfinished + excluded.lost_bytes_unfinished,
            counted_lines = t.counted_lines + excluded.counted_lines,
            stats_records = t.stats_records + excluded.stats_records,
            folded_lines = t.folded_lines + excluded.folded_lines,
            updated_at = now()
        """

    /// `$1` shard, `$2` topic, `$3` partition, `$4` cause, `$5` records, `$6` first, `$7` last offset.
    static let upsertRejected = """
        INSERT INTO edgelog.rejected_records AS t (shard_id, topic, partition, cause, records, first_offset, last_offset)
        VALUES ($1::int, $2, $3::int, $4, $5::bigint, $6::bigint, $7::bigint)
        ON CONFLICT (topic, partition, cause, shard_id) DO UPDATE SET
            records = t.records + excluded.records,
            first_offset = least(t.first_offset, excluded.first_offset),
            last_offset = greatest(t.last_offset, excluded.last_offset)
        """

}
