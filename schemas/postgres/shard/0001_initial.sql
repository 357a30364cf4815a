-- edgelog shard schema, migration 0001 (initial).
--
-- Applied by `edgelog db init` (EdgelogSchema.SchemaInstaller) to every shard database, in one
-- transaction, under an advisory lock. This file and the text embedded in
-- Sources/EdgelogSchema/ShardMigration0001.swift are byte-identical (a test checks); never edit
-- an applied migration: add a new one.
--
-- Times are UTC. Every row carries its shard_id: after a re-shard the same (bucket, site) can
-- live on two shards, and every read sums over shards (DESIGN section 6).

CREATE SCHEMA IF NOT EXISTS edgelog;

CREATE TABLE edgelog.schema_migrations (
    version int PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- Per-minute counters of a site. The counter columns are TrafficAggregation.SiteCounter's, in
-- its order; new counters arrive as new migrations that add columns at the end.
-- Partitioned by day (UTC) so retention drops whole partitions instead of deleting rows.
CREATE TABLE edgelog.site_minute (
    shard_id int NOT NULL,
    bucket timestamptz NOT NULL,
    site text NOT NULL,
    requests bigint NOT NULL DEFAULT 0,
    body_bytes bigint NOT NULL DEFAULT 0,
    request_bytes bigint NOT NULL DEFAULT 0,
    status_1xx bigint NOT NULL DEFAULT 0,
    status_2xx bigint NOT NULL DEFAULT 0,
    status_3xx bigint NOT NULL DEFAULT 0,
    status_4xx bigint NOT NULL DEFAULT 0,
    status_5xx bigint NOT NULL DEFAULT 0,
    status_other bigint NOT NULL DEFAULT 0,
    status_200 bigint NOT NULL DEFAULT 0,
    status_301 bigint NOT NULL DEFAULT 0,
    status_302 bigint NOT NULL DEFAULT 0,
    status_304 bigint NOT NULL DEFAULT 0,
    status_400 bigint NOT NULL DEFAULT 0,
    status_403 bigint NOT NULL DEFAULT 0,
    status_404 bigint NOT NULL DEFAULT 0,
    status_429 bigint NOT NULL DEFAULT 0,
    status_499 bigint NOT NULL DEFAULT 0,
    status_500 bigint NOT NULL DEFAULT 0,
    status_502 bigint NOT NULL DEFAULT 0,
    status_503 bigint NOT NULL DEFAULT 0,
    status_504 bigint NOT NULL DEFAULT 0,
    cache_hit bigint NOT NULL DEFAULT 0,
    cache_miss bigint NOT NULL DEFAULT 0,
    cache_expired bigint NOT NULL DEFAULT 0,
    cache_stale bigint NOT NULL DEFAULT 0,
    cache_updating bigint NOT NULL DEFAULT 0,
    cache_revalidated bigint NOT NULL DEFAULT 0,
    cache_bypass bigint NOT NULL DEFAULT 0,
    cache_none bigint NOT NULL DEFAULT 0,
    request_time_us_sum bigint NOT NULL DEFAULT 0,
    latency_le_1ms bigint NOT NULL DEFAULT 0,
    latency_le_2ms bigint NOT NULL DEFAULT 0,
    latency_le_5ms bigint NOT NULL DEFAULT 0,
    latency_le_10ms bigint NOT NULL DEFAULT 0,
    latency_le_25ms bigint NOT NULL DEFAULT 0,
    latency_le_50ms bigint NOT NULL DEFAULT 0,
    latency_le_100ms bigint NOT NULL DEFAULT 0,
    latency_le_250ms bigint NOT NULL DEFAULT 0,
    latency_le_500ms bigint NOT NULL DEFAULT 0,
    latency_le_1s bigint NOT NULL DEFAULT 0,
    latency_le_2500ms bigint NOT NULL DEFAULT 0,
    latency_le_5s bigint NOT NULL DEFAULT 0,
    latency_le_10s bigint NOT NULL DEFAULT 0,
    latency_gt_10s bigint NOT NULL DEFAULT 0,
    unparsed bigint NOT NULL DEFAULT 0,
    truncated bigint NOT NULL DEFAULT 0,
    rejected_late bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, site, shard_id)
) PARTITION BY RANGE (bucket);

-- Creates the daily partition of site_minute that holds `day` (UTC), if it does not exist.
-- Safe when two sessions race: the loser's duplicate_table / unique_violation is swallowed.
-- Creating a partition locks site_minute (ACCESS EXCLUSIVE) until the transaction ends, so call
-- it ahead of time in its own short transaction, not inside a flush that holds other locks.
CREATE FUNCTION edgelog.ensure_minute_partition(day date) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog
AS $function$
DECLARE
    partition_name text;
BEGIN
    IF day IS NULL OR NOT isfinite(day) THEN
        RAISE EXCEPTION 'edgelog.ensure_minute_partition: day must be a finite date, got %', day
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    partition_name := 'site_minute_p' || to_char(day, 'YYYYMMDD');
    IF to_regclass(format('edgelog.%I', partition_name)) IS NOT NULL THEN
        RETURN;
    END IF;
    BEGIN
        EXECUTE format(
            'CREATE TABLE IF NOT EXISTS edgelog.%I PARTITION OF edgelog.site_minute FOR VALUES FROM (%L) TO (%L)',
            partition_name,
            to_char(day, 'YYYY-MM-DD') || ' 00:00:00+00',
            to_char(day + 1, 'YYYY-MM-DD') || ' 00:00:00+00'
        );
    EXCEPTION WHEN duplicate_table OR unique_violation THEN
        -- Another session created it between our check and our CREATE: it exists, done.
        NULL;
    END;
END
$function$;

-- Drops every partition of site_minute whose rows all lie before `cutoff` 00:00 UTC (its
-- upper bound is at or before it) and returns how many it dropped. A partition that straddles
-- the cutoff is kept. Bounds are read in UTC (the function pins TimeZone), whatever the session's.
CREATE FUNCTION edgelog.drop_minute_partitions_before(cutoff date) RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog
SET TimeZone = 'UTC'
AS $function$
DECLARE
    cutoff_time timestamptz;
    child record;
    upper_bound text[];
    dropped integer := 0;
BEGIN
    IF cutoff IS NULL OR NOT isfinite(cutoff) THEN
        RAISE EXCEPTION 'edgelog.drop_minute_partitions_before: cutoff must be a finite date, got %', cutoff
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    cutoff_time := cutoff::timestamp AT TIME ZONE 'UTC';
    FOR child IN
        SELECT n.nspname AS schema_name, c.relname AS table_name,
               pg_get_expr(c.relpartbound, c.oid) AS bound
        FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE i.inhparent = 'edgelog.site_minute'::regclass
        ORDER BY c.relname
    LOOP
        -- e.g. FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-01-02 00:00:00+00');
        -- a DEFAULT or MAXVALUE partition does not match and is never dropped.
        upper_bound := regexp_match(child.bound, 'TO \(''([^'']+)''\)$');
        IF upper_bound IS NOT NULL AND upper_bound[1]::timestamptz <= cutoff_time THEN
            EXECUTE format('DROP TABLE %I.%I', child.schema_name, child.table_name);
            dropped := dropped + 1;
        END IF;
    END LOOP;
    RETURN dropped;
END
$function$;

-- Hourly and daily rollups, upserted in the same transaction as the minute rows.
CREATE TABLE edgelog.site_hour (
    shard_id int NOT NULL,
    bucket timestamptz NOT NULL,
    site text NOT NULL,
    requests bigint NOT NULL DEFAULT 0,
    body_bytes bigint NOT NULL DEFAULT 0,
    request_bytes bigint NOT NULL DEFAULT 0,
    status_1xx bigint NOT NULL DEFAULT 0,
    status_2xx bigint NOT NULL DEFAULT 0,
    status_3xx bigint NOT NULL DEFAULT 0,
    status_4xx bigint NOT NULL DEFAULT 0,
    status_5xx bigint NOT NULL DEFAULT 0,
    status_other bigint NOT NULL DEFAULT 0,
    status_200 bigint NOT NULL DEFAULT 0,
    status_301 bigint NOT NULL DEFAULT 0,
    status_302 bigint NOT NULL DEFAULT 0,
    status_304 bigint NOT NULL DEFAULT 0,
    status_400 bigint NOT NULL DEFAULT 0,
    status_403 bigint NOT NULL DEFAULT 0,
    status_404 bigint NOT NULL DEFAULT 0,
    status_429 bigint NOT NULL DEFAULT 0,
    status_499 bigint NOT NULL DEFAULT 0,
    status_500 bigint NOT NULL DEFAULT 0,
    status_502 bigint NOT NULL DEFAULT 0,
    status_503 bigint NOT NULL DEFAULT 0,
    status_504 bigint NOT NULL DEFAULT 0,
    cache_hit bigint NOT NULL DEFAULT 0,
    cache_miss bigint NOT NULL DEFAULT 0,
    cache_expired bigint NOT NULL DEFAULT 0,
    cache_stale bigint NOT NULL DEFAULT 0,
    cache_updating bigint NOT NULL DEFAULT 0,
    cache_revalidated bigint NOT NULL DEFAULT 0,
    cache_bypass bigint NOT NULL DEFAULT 0,
    cache_none bigint NOT NULL DEFAULT 0,
    request_time_us_sum bigint NOT NULL DEFAULT 0,
    latency_le_1ms bigint NOT NULL DEFAULT 0,
    latency_le_2ms bigint NOT NULL DEFAULT 0,
    latency_le_5ms bigint NOT NULL DEFAULT 0,
    latency_le_10ms bigint NOT NULL DEFAULT 0,
    latency_le_25ms bigint NOT NULL DEFAULT 0,
    latency_le_50ms bigint NOT NULL DEFAULT 0,
    latency_le_100ms bigint NOT NULL DEFAULT 0,
    latency_le_250ms bigint NOT NULL DEFAULT 0,
    latency_le_500ms bigint NOT NULL DEFAULT 0,
    latency_le_1s bigint NOT NULL DEFAULT 0,
    latency_le_2500ms bigint NOT NULL DEFAULT 0,
    latency_le_5s bigint NOT NULL DEFAULT 0,
    latency_le_10s bigint NOT NULL DEFAULT 0,
    latency_gt_10s bigint NOT NULL DEFAULT 0,
    unparsed bigint NOT NULL DEFAULT 0,
    truncated bigint NOT NULL DEFAULT 0,
    rejected_late bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, site, shard_id)
);

CREATE TABLE edgelog.site_day (
    shard_id int NOT NULL,
    bucket timestamptz NOT NULL,
    site text NOT NULL,
    requests bigint NOT NULL DEFAULT 0,
    body_bytes bigint NOT NULL DEFAULT 0,
    request_bytes bigint NOT NULL DEFAULT 0,
    status_1xx bigint NOT NULL DEFAULT 0,
    status_2xx bigint NOT NULL DEFAULT 0,
    status_3xx bigint NOT NULL DEFAULT 0,
    status_4xx bigint NOT NULL DEFAULT 0,
    status_5xx bigint NOT NULL DEFAULT 0,
    status_other bigint NOT NULL DEFAULT 0,
    status_200 bigint NOT NULL DEFAULT 0,
    status_301 bigint NOT NULL DEFAULT 0,
    status_302 bigint NOT NULL DEFAULT 0,
    status_304 bigint NOT NULL DEFAULT 0,
    status_400 bigint NOT NULL DEFAULT 0,
    status_403 bigint NOT NULL DEFAULT 0,
    status_404 bigint NOT NULL DEFAULT 0,
    status_429 bigint NOT NULL DEFAULT 0,
    status_499 bigint NOT NULL DEFAULT 0,
    status_500 bigint NOT NULL DEFAULT 0,
    status_502 bigint NOT NULL DEFAULT 0,
    status_503 bigint NOT NULL DEFAULT 0,
    status_504 bigint NOT NULL DEFAULT 0,
    cache_hit bigint NOT NULL DEFAULT 0,
    cache_miss bigint NOT NULL DEFAULT 0,
    cache_expired bigint NOT NULL DEFAULT 0,
    cache_stale bigint NOT NULL DEFAULT 0,
    cache_updating bigint NOT NULL DEFAULT 0,
    cache_revalidated bigint NOT NULL DEFAULT 0,
    cache_bypass bigint NOT NULL DEFAULT 0,
    cache_none bigint NOT NULL DEFAULT 0,
    request_time_us_sum bigint NOT NULL DEFAULT 0,
    latency_le_1ms bigint NOT NULL DEFAULT 0,
    latency_le_2ms bigint NOT NULL DEFAULT 0,
    latency_le_5ms bigint NOT NULL DEFAULT 0,
    latency_le_10ms bigint NOT NULL DEFAULT 0,
    latency_le_25ms bigint NOT NULL DEFAULT 0,
    latency_le_50ms bigint NOT NULL DEFAULT 0,
    latency_le_100ms bigint NOT NULL DEFAULT 0,
    latency_le_250ms bigint NOT NULL DEFAULT 0,
    latency_le_500ms bigint NOT NULL DEFAULT 0,
    latency_le_1s bigint NOT NULL DEFAULT 0,
    latency_le_2500ms bigint NOT NULL DEFAULT 0,
    latency_le_5s bigint NOT NULL DEFAULT 0,
    latency_le_10s bigint NOT NULL DEFAULT 0,
    latency_gt_10s bigint NOT NULL DEFAULT 0,
    unparsed bigint NOT NULL DEFAULT 0,
    truncated bigint NOT NULL DEFAULT 0,
    rejected_late bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, site, shard_id)
);

-- Per (topic, partition): where this shard's consumer resumes and the broker it read from
-- (DESIGN section 10.5-6). Updated by compare-and-set on next_offset in every flush.
-- consumer_id: the consumer process that claimed the partition last (at its start); a flush
-- whose consumer_id no longer matches is fenced, so a newer consumer always takes over.
CREATE TABLE edgelog.consumer_progress (
    shard_id int NOT NULL,
    topic text NOT NULL,
    partition int NOT NULL,
    next_offset bigint NOT NULL,
    watermark_us bigint NOT NULL,
    cluster_id text NOT NULL,
    consumer_id text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (topic, partition)
);

-- Per shipped file: what the shipper shipped and lost and what the consumer counted.
CREATE TABLE edgelog.file_audit (
    shard_id int NOT NULL,
    edge text NOT NULL,
    source_file text NOT NULL,
    shipped_lines bigint NOT NULL DEFAULT 0,
    lost_lines bigint NOT NULL DEFAULT 0,
    lost_bytes bigint NOT NULL DEFAULT 0,
    counted_lines bigint NOT NULL DEFAULT 0,
    stats_records bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (edge, source_file, shard_id)
);

-- Records the consumer could not use, counted per (topic, partition, cause) with the offset range.
CREATE TABLE edgelog.rejected_records (
    shard_id int NOT NULL,
    topic text NOT NULL,
    partition int NOT NULL,
    cause text NOT NULL,
    records bigint NOT NULL DEFAULT 0,
    first_offset bigint NOT NULL,
    last_offset bigint NOT NULL,
    PRIMARY KEY (topic, partition, cause, shard_id)
);

-- Maintenance functions are for the schema owner and the consumer, not for everyone.
REVOKE EXECUTE ON FUNCTION edgelog.ensure_minute_partition(date) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION edgelog.drop_minute_partitions_before(date) FROM PUBLIC;

INSERT INTO edgelog.schema_migrations (version, name) VALUES (1, 'initial');
