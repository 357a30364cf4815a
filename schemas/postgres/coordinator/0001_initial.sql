-- edgelog coordinator schema, migration 0001 (initial).
--
-- Applied by `edgelog db init` (EdgelogSchema.SchemaInstaller) to the coordinator database, in
-- one transaction, under an advisory lock. This file and the text embedded in
-- Sources/EdgelogSchema/CoordinatorMigration0001.swift are byte-identical (a test checks);
-- never edit an applied migration: add a new one.
--
-- The coordinator stores no traffic. Its parent tables are LIST-partitioned on shard_id, each
-- partition a postgres_fdw foreign table on one shard (edgelog.define_shard creates them), so an
-- analyst's plain SQL sees all shards. Rows are never assumed unique across shards: no primary
-- keys here, and every view sums over shards.

CREATE EXTENSION IF NOT EXISTS postgres_fdw;

CREATE SCHEMA IF NOT EXISTS edgelog;

CREATE TABLE edgelog.schema_migrations (
    version int PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- Parents with the shards' columns (TrafficAggregation.SiteCounter's counters, in order).
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
    rejected_late bigint NOT NULL DEFAULT 0
) PARTITION BY LIST (shard_id);

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
    rejected_late bigint NOT NULL DEFAULT 0
) PARTITION BY LIST (shard_id);

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
    rejected_late bigint NOT NULL DEFAULT 0
) PARTITION BY LIST (shard_id);

CREATE TABLE edgelog.file_audit (
    shard_id int NOT NULL,
    edge text NOT NULL,
    source_file text NOT NULL,
    shipped_lines bigint NOT NULL DEFAULT 0,
    lost_lines bigint NOT NULL DEFAULT 0,
    lost_bytes bigint NOT NULL DEFAULT 0,
    counted_lines bigint NOT NULL DEFAULT 0,
    stats_records bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
) PARTITION BY LIST (shard_id);

CREATE TABLE edgelog.consumer_progress (
    shard_id int NOT NULL,
    topic text NOT NULL,
    partition int NOT NULL,
    next_offset bigint NOT NULL,
    watermark_us bigint NOT NULL,
    cluster_id text NOT NULL,
    consumer_id text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
) PARTITION BY LIST (shard_id);

CREATE TABLE edgelog.rejected_records (
    shard_id int NOT NULL,
    topic text NOT NULL,
    partition int NOT NULL,
    cause text NOT NULL,
    records bigint NOT NULL DEFAULT 0,
    first_offset bigint NOT NULL,
    last_offset bigint NOT NULL
) PARTITION BY LIST (shard_id);

-- The latency histogram's buckets (schemas/latency_buckets.txt, TrafficAggregation.LatencyHistogram):
-- bucket idx counts requests with time <= upper_us (and above the previous bound) in column
-- column_name; the last bucket (upper_us NULL) takes everything slower.
CREATE TABLE edgelog.latency_bucket (
    idx int PRIMARY KEY,
    upper_us bigint,
    column_name text NOT NULL UNIQUE
);

INSERT INTO edgelog.latency_bucket (idx, upper_us, column_name) VALUES
    (0, 1000, 'latency_le_1ms'),
    (1, 2000, 'latency_le_2ms'),
    (2, 5000, 'latency_le_5ms'),
    (3, 10000, 'latency_le_10ms'),
    (4, 25000, 'latency_le_25ms'),
    (5, 50000, 'latency_le_50ms'),
    (6, 100000, 'latency_le_100ms'),
    (7, 250000, 'latency_le_250ms'),
    (8, 500000, 'latency_le_500ms'),
    (9, 1000000, 'latency_le_1s'),
    (10, 2500000, 'latency_le_2500ms'),
    (11, 5000000, 'latency_le_5s'),
    (12, 10000000, 'latency_le_10s'),
    (13, NULL, 'latency_gt_10s');

-- One row per shard the coordinator reads; description is the shard's conninfo without password.
CREATE TABLE edgelog.shards (
    shard_id int PRIMARY KEY,
    server_name text NOT NULL,
    description text NOT NULL
);

-- Returns the clauses of an ALTER ... OPTIONS (...) that make option `key` equal `value`
-- (NULL or '' means absent), given the object's current options (`key=value` strings).
CREATE FUNCTION edgelog.fdw_option_clause(current_options text[], key text, value text) RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog
AS $function$
DECLARE
    present boolean := EXISTS (
        SELECT FROM unnest(current_options) AS o WHERE split_part(o, '=', 1) = key
    );
BEGIN
    IF nullif(value, '') IS NULL THEN
        RETURN CASE WHEN present THEN format('DROP %I', key) END;
    END IF;
    RETURN format('%s %I %L', CASE WHEN present THEN 'SET' ELSE 'ADD' END, key, value);
END
$function$;

-- Declares shard p_shard_id on the coordinator, idempotently: server edgelog_shard_<id>
-- (created or its options brought up to date), user mappings for the caller and for
-- edgelog_analyst, one foreign-table partition per parent table, the edgelog.shards row, and
-- fresh statistics of the foreign tables (without them the planner keeps aggregates local).
-- Empty or NULL connection values are left out, so libpq's defaults apply on the coordinator.
-- Runs with the caller's rights (SECURITY INVOKER): creating servers and mappings needs them.
CREATE FUNCTION edgelog.define_shard(
    p_shard_id int,
    p_host text,
    p_port text,
    p_dbname text,
    p_user text,
    p_password text
) RETURNS void
LANGUAGE plpgsql
SECURITY INVOKER
SET search_path = pg_catalog
AS $function$
DECLARE
    server_name text;
    current_options text[];
    clauses text[];
    mapping_role text;
    mapping_clauses text[];
    parent text;
    foreign_table text;
    caller_is_superuser boolean;
BEGIN
    IF p_shard_id IS NULL OR p_shard_id < 0 THEN
        RAISE EXCEPTION 'edgelog.define_shard: shard id must be >= 0, got %', p_shard_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    server_name := 'edgelog_shard_' || p_shard_id;
    SELECT rolsuper INTO caller_is_superuser FROM pg_roles WHERE rolname = current_user;

    -- The server: create it, or bring an existing one's options to what we were given.
    SELECT srvoptions INTO current_options FROM pg_foreign_server WHERE srvname = server_name;
    IF NOT FOUND THEN
        EXECUTE format('CREATE SERVER %I FOREIGN DATA WRAPPER postgres_fdw', server_name);
        current_options := ARRAY[]::text[];
    END IF;
    clauses := array_remove(ARRAY[
        edgelog.fdw_option_clause(current_options, 'host', p_host),
        edgelog.fdw_option_clause(current_options, 'port', p_port),
        edgelog.fdw_option_clause(current_options, 'dbname', p_dbname),
        edgelog.fdw_option_clause(current_options, 'async_capable', 'true'),
        edgelog.fdw_option_clause(current_options, 'fetch_size', '10000'),
        -- PostgreSQL 17's default (15 has 0.01, which undervalues shipping rows, so the
        -- planner kept aggregates local on small shards instead of pushing them down).
        edgelog.fdw_option_clause(current_options, 'fdw_tuple_cost', '0.2')
    ], NULL);
    IF cardinality(clauses) > 0 THEN
        EXECUTE format('ALTER SERVER %I OPTIONS (%s)', server_name, array_to_string(clauses, ', '));
    END IF;

    -- User mappings, recreated so their options are exactly the given ones.
    FOREACH mapping_role IN ARRAY ARRAY(
        SELECT DISTINCT r FROM unnest(ARRAY[current_user::text, 'edgelog_analyst']) AS r
    ) LOOP
        EXECUTE format('DROP USER MAPPING IF EXISTS FOR %I SERVER %I', mapping_role, server_name);
        mapping_clauses := array_remove(ARRAY[
            CASE WHEN nullif(p_user, '') IS NOT NULL THEN format('%I %L', 'user', p_user) END,
            CASE WHEN nullif(p_password, '') IS NOT NULL THEN format('%I %L', 'password', p_password) END,
            -- postgres_fdw makes a non-superuser authenticate with a password; a trust-auth
            -- shard has none to give, and only a superuser may waive that.
            CASE WHEN mapping_role = 'edgelog_analyst' AND caller_is_superuser AND nullif(p_password, '') IS NULL
                THEN format('%I %L', 'password_required', 'false')
            END
        ], NULL);
        IF cardinality(mapping_clauses) > 0 THEN
            EXECUTE format(
                'CREATE USER MAPPING FOR %I SERVER %I OPTIONS (%s)',
                mapping_role, server_name, array_to_string(mapping_clauses, ', ')
            );
        ELSE
            EXECUTE format('CREATE USER MAPPING FOR %I SERVER %I', mapping_role, server_name);
        END IF;
    END LOOP;

    -- One foreign-table partition per parent, reading the same table on the shard.
    FOREACH parent IN ARRAY ARRAY[
        'site_minute', 'site_hour', 'site_day', 'file_audit', 'consumer_progress', 'rejected_records'
    ] LOOP
        foreign_table := parent || '_shard_' || p_shard_id;
        IF to_regclass(format('edgelog.%I', foreign_table)) IS NULL THEN
            EXECUTE format(
                'CREATE FOREIGN TABLE edgelog.%I PARTITION OF edgelog.%I FOR VALUES IN (%L) '
                    'SERVER %I OPTIONS (schema_name %L, table_name %L)',
                foreign_table, parent, p_shard_id, server_name, 'edgelog', parent
            );
        END IF;
        EXECUTE format('GRANT SELECT ON edgelog.%I TO edgelog_analyst', foreign_table);
    END LOOP;

    INSERT INTO edgelog.shards (shard_id, server_name, description)
    VALUES (
        p_shard_id,
        server_name,
        concat_ws(' ',
            'host=' || nullif(p_host, ''),
            'port=' || nullif(p_port, ''),
            'dbname=' || nullif(p_dbname, ''),
            'user=' || nullif(p_user, ''),
            CASE WHEN nullif(p_password, '') IS NOT NULL THEN 'password=<redacted>' END
        )
    )
    ON CONFLICT (shard_id) DO UPDATE
        SET server_name = excluded.server_name, description = excluded.description;

    FOREACH parent IN ARRAY ARRAY[
        'site_minute', 'site_hour', 'site_day', 'file_audit', 'consumer_progress', 'rejected_records'
    ] LOOP
        EXECUTE format('ANALYZE edgelog.%I', parent || '_shard_' || p_shard_id);
    END LOOP;
END
$function$;

REVOKE EXECUTE ON FUNCTION edgelog.define_shard(int, text, text, text, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION edgelog.fdw_option_clause(text[], text, text) FROM PUBLIC;

-- Partition-wise aggregation lets a GROUP BY that includes shard_id run on each shard (see the
-- views below and PITFALLS "postgres_fdw coordinator"). Set for every new session of this database.
DO $block$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET enable_partitionwise_aggregate = on', current_database());
END
$block$;

-- The analysts' read-only role (roles are cluster-wide: another coordinator may have made it).
DO $block$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'edgelog_analyst') THEN
        CREATE ROLE edgelog_analyst LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    -- Created by a concurrent installer on another database of this cluster.
    NULL;
END
$block$;

-- The analysts' SQL surface (README). Every view aggregates in two levels: the inner GROUP BY
-- includes shard_id, the partition key, so with enable_partitionwise_aggregate it runs on each
-- shard (Remote SQL ... GROUP BY); the outer level sums one row per shard and key.
CREATE VIEW public.minute_site AS
SELECT
    bucket,
    site,
    sum(requests)::bigint AS requests,
    sum(body_bytes)::bigint AS body_bytes,
    sum(request_bytes)::bigint AS request_bytes,
    sum(status_1xx)::bigint AS status_1xx,
    sum(status_2xx)::bigint AS status_2xx,
    sum(status_3xx)::bigint AS status_3xx,
    sum(status_4xx)::bigint AS status_4xx,
    sum(status_5xx)::bigint AS status_5xx,
    sum(status_other)::bigint AS status_other,
    sum(status_200)::bigint AS status_200,
    sum(status_301)::bigint AS status_301,
    sum(status_302)::bigint AS status_302,
    sum(status_304)::bigint AS status_304,
    sum(status_400)::bigint AS status_400,
    sum(status_403)::bigint AS status_403,
    sum(status_404)::bigint AS status_404,
    sum(status_429)::bigint AS status_429,
    sum(status_499)::bigint AS status_499,
    sum(status_500)::bigint AS status_500,
    sum(status_502)::bigint AS status_502,
    sum(status_503)::bigint AS status_503,
    sum(status_504)::bigint AS status_504,
    sum(cache_hit)::bigint AS cache_hit,
    sum(cache_miss)::bigint AS cache_miss,
    sum(cache_expired)::bigint AS cache_expired,
    sum(cache_stale)::bigint AS cache_stale,
    sum(cache_updating)::bigint AS cache_updating,
    sum(cache_revalidated)::bigint AS cache_revalidated,
    sum(cache_bypass)::bigint AS cache_bypass,
    sum(cache_none)::bigint AS cache_none,
    sum(request_time_us_sum)::bigint AS request_time_us_sum,
    sum(latency_le_1ms)::bigint AS latency_le_1ms,
    sum(latency_le_2ms)::bigint AS latency_le_2ms,
    sum(latency_le_5ms)::bigint AS latency_le_5ms,
    sum(latency_le_10ms)::bigint AS latency_le_10ms,
    sum(latency_le_25ms)::bigint AS latency_le_25ms,
    sum(latency_le_50ms)::bigint AS latency_le_50ms,
    sum(latency_le_100ms)::bigint AS latency_le_100ms,
    sum(latency_le_250ms)::bigint AS latency_le_250ms,
    sum(latency_le_500ms)::bigint AS latency_le_500ms,
    sum(latency_le_1s)::bigint AS latency_le_1s,
    sum(latency_le_2500ms)::bigint AS latency_le_2500ms,
    sum(latency_le_5s)::bigint AS latency_le_5s,
    sum(latency_le_10s)::bigint AS latency_le_10s,
    sum(latency_gt_10s)::bigint AS latency_gt_10s,
    sum(unparsed)::bigint AS unparsed,
    sum(truncated)::bigint AS truncated,
    sum(rejected_late)::bigint AS rejected_late,
    sum(cache_hit)::double precision / nullif((
        sum(cache_hit) +
        sum(cache_miss) +
        sum(cache_expired) +
        sum(cache_stale) +
        sum(cache_updating) +
        sum(cache_revalidated) +
        sum(cache_bypass)
    )::double precision, 0) AS cache_hit_ratio
FROM (
    SELECT
        shard_id,
        bucket,
        site,
        sum(requests) AS requests,
        sum(body_bytes) AS body_bytes,
        sum(request_bytes) AS request_bytes,
        sum(status_1xx) AS status_1xx,
        sum(status_2xx) AS status_2xx,
        sum(status_3xx) AS status_3xx,
        sum(status_4xx) AS status_4xx,
        sum(status_5xx) AS status_5xx,
        sum(status_other) AS status_other,
        sum(status_200) AS status_200,
        sum(status_301) AS status_301,
        sum(status_302) AS status_302,
        sum(status_304) AS status_304,
        sum(status_400) AS status_400,
        sum(status_403) AS status_403,
        sum(status_404) AS status_404,
        sum(status_429) AS status_429,
        sum(status_499) AS status_499,
        sum(status_500) AS status_500,
        sum(status_502) AS status_502,
        sum(status_503) AS status_503,
        sum(status_504) AS status_504,
        sum(cache_hit) AS cache_hit,
        sum(cache_miss) AS cache_miss,
        sum(cache_expired) AS cache_expired,
        sum(cache_stale) AS cache_stale,
        sum(cache_updating) AS cache_updating,
        sum(cache_revalidated) AS cache_revalidated,
        sum(cache_bypass) AS cache_bypass,
        sum(cache_none) AS cache_none,
        sum(request_time_us_sum) AS request_time_us_sum,
        sum(latency_le_1ms) AS latency_le_1ms,
        sum(latency_le_2ms) AS latency_le_2ms,
        sum(latency_le_5ms) AS latency_le_5ms,
        sum(latency_le_10ms) AS latency_le_10ms,
        sum(latency_le_25ms) AS latency_le_25ms,
        sum(latency_le_50ms) AS latency_le_50ms,
        sum(latency_le_100ms) AS latency_le_100ms,
        sum(latency_le_250ms) AS latency_le_250ms,
        sum(latency_le_500ms) AS latency_le_500ms,
        sum(latency_le_1s) AS latency_le_1s,
        sum(latency_le_2500ms) AS latency_le_2500ms,
        sum(latency_le_5s) AS latency_le_5s,
        sum(latency_le_10s) AS latency_le_10s,
        sum(latency_gt_10s) AS latency_gt_10s,
        sum(unparsed) AS unparsed,
        sum(truncated) AS truncated,
        sum(rejected_late) AS rejected_late
    FROM edgelog.site_minute
    GROUP BY shard_id, bucket, site
) AS per_shard
GROUP BY bucket, site;

CREATE VIEW public.hour_site AS
SELECT
    bucket,
    site,
    sum(requests)::bigint AS requests,
    sum(body_bytes)::bigint AS body_bytes,
    sum(request_bytes)::bigint AS request_bytes,
    sum(status_1xx)::bigint AS status_1xx,
    sum(status_2xx)::bigint AS status_2xx,
    sum(status_3xx)::bigint AS status_3xx,
    sum(status_4xx)::bigint AS status_4xx,
    sum(status_5xx)::bigint AS status_5xx,
    sum(status_other)::bigint AS status_other,
    sum(status_200)::bigint AS status_200,
    sum(status_301)::bigint AS status_301,
    sum(status_302)::bigint AS status_302,
    sum(status_304)::bigint AS status_304,
    sum(status_400)::bigint AS status_400,
    sum(status_403)::bigint AS status_403,
    sum(status_404)::bigint AS status_404,
    sum(status_429)::bigint AS status_429,
    sum(status_499)::bigint AS status_499,
    sum(status_500)::bigint AS status_500,
    sum(status_502)::bigint AS status_502,
    sum(status_503)::bigint AS status_503,
    sum(status_504)::bigint AS status_504,
    sum(cache_hit)::bigint AS cache_hit,
    sum(cache_miss)::bigint AS cache_miss,
    sum(cache_expired)::bigint AS cache_expired,
    sum(cache_stale)::bigint AS cache_stale,
    sum(cache_updating)::bigint AS cache_updating,
    sum(cache_revalidated)::bigint AS cache_revalidated,
    sum(cache_bypass)::bigint AS cache_bypass,
    sum(cache_none)::bigint AS cache_none,
    sum(request_time_us_sum)::bigint AS request_time_us_sum,
    sum(latency_le_1ms)::bigint AS latency_le_1ms,
    sum(latency_le_2ms)::bigint AS latency_le_2ms,
    sum(latency_le_5ms)::bigint AS latency_le_5ms,
    sum(latency_le_10ms)::bigint AS latency_le_10ms,
    sum(latency_le_25ms)::bigint AS latency_le_25ms,
    sum(latency_le_50ms)::bigint AS latency_le_50ms,
    sum(latency_le_100ms)::bigint AS latency_le_100ms,
    sum(latency_le_250ms)::bigint AS latency_le_250ms,
    sum(latency_le_500ms)::bigint AS latency_le_500ms,
    sum(latency_le_1s)::bigint AS latency_le_1s,
    sum(latency_le_2500ms)::bigint AS latency_le_2500ms,
    sum(latency_le_5s)::bigint AS latency_le_5s,
    sum(latency_le_10s)::bigint AS latency_le_10s,
    sum(latency_gt_10s)::bigint AS latency_gt_10s,
    sum(unparsed)::bigint AS unparsed,
    sum(truncated)::bigint AS truncated,
    sum(rejected_late)::bigint AS rejected_late,
    sum(cache_hit)::double precision / nullif((
        sum(cache_hit) +
        sum(cache_miss) +
        sum(cache_expired) +
        sum(cache_stale) +
        sum(cache_updating) +
        sum(cache_revalidated) +
        sum(cache_bypass)
    )::double precision, 0) AS cache_hit_ratio
FROM (
    SELECT
        shard_id,
        bucket,
        site,
        sum(requests) AS requests,
        sum(body_bytes) AS body_bytes,
        sum(request_bytes) AS request_bytes,
        sum(status_1xx) AS status_1xx,
        sum(status_2xx) AS status_2xx,
        sum(status_3xx) AS status_3xx,
        sum(status_4xx) AS status_4xx,
        sum(status_5xx) AS status_5xx,
        sum(status_other) AS status_other,
        sum(status_200) AS status_200,
        sum(status_301) AS status_301,
        sum(status_302) AS status_302,
        sum(status_304) AS status_304,
        sum(status_400) AS status_400,
        sum(status_403) AS status_403,
        sum(status_404) AS status_404,
        sum(status_429) AS status_429,
        sum(status_499) AS status_499,
        sum(status_500) AS status_500,
        sum(status_502) AS status_502,
        sum(status_503) AS status_503,
        sum(status_504) AS status_504,
        sum(cache_hit) AS cache_hit,
        sum(cache_miss) AS cache_miss,
        sum(cache_expired) AS cache_expired,
        sum(cache_stale) AS cache_stale,
        sum(cache_updating) AS cache_updating,
        sum(cache_revalidated) AS cache_revalidated,
        sum(cache_bypass) AS cache_bypass,
        sum(cache_none) AS cache_none,
        sum(request_time_us_sum) AS request_time_us_sum,
        sum(latency_le_1ms) AS latency_le_1ms,
        sum(latency_le_2ms) AS latency_le_2ms,
        sum(latency_le_5ms) AS latency_le_5ms,
        sum(latency_le_10ms) AS latency_le_10ms,
        sum(latency_le_25ms) AS latency_le_25ms,
        sum(latency_le_50ms) AS latency_le_50ms,
        sum(latency_le_100ms) AS latency_le_100ms,
        sum(latency_le_250ms) AS latency_le_250ms,
        sum(latency_le_500ms) AS latency_le_500ms,
        sum(latency_le_1s) AS latency_le_1s,
        sum(latency_le_2500ms) AS latency_le_2500ms,
        sum(latency_le_5s) AS latency_le_5s,
        sum(latency_le_10s) AS latency_le_10s,
        sum(latency_gt_10s) AS latency_gt_10s,
        sum(unparsed) AS unparsed,
        sum(truncated) AS truncated,
        sum(rejected_late) AS rejected_late
    FROM edgelog.site_hour
    GROUP BY shard_id, bucket, site
) AS per_shard
GROUP BY bucket, site;

CREATE VIEW public.day_site AS
SELECT
    bucket,
    site,
    sum(requests)::bigint AS requests,
    sum(body_bytes)::bigint AS body_bytes,
    sum(request_bytes)::bigint AS request_bytes,
    sum(status_1xx)::bigint AS status_1xx,
    sum(status_2xx)::bigint AS status_2xx,
    sum(status_3xx)::bigint AS status_3xx,
    sum(status_4xx)::bigint AS status_4xx,
    sum(status_5xx)::bigint AS status_5xx,
    sum(status_other)::bigint AS status_other,
    sum(status_200)::bigint AS status_200,
    sum(status_301)::bigint AS status_301,
    sum(status_302)::bigint AS status_302,
    sum(status_304)::bigint AS status_304,
    sum(status_400)::bigint AS status_400,
    sum(status_403)::bigint AS status_403,
    sum(status_404)::bigint AS status_404,
    sum(status_429)::bigint AS status_429,
    sum(status_499)::bigint AS status_499,
    sum(status_500)::bigint AS status_500,
    sum(status_502)::bigint AS status_502,
    sum(status_503)::bigint AS status_503,
    sum(status_504)::bigint AS status_504,
    sum(cache_hit)::bigint AS cache_hit,
    sum(cache_miss)::bigint AS cache_miss,
    sum(cache_expired)::bigint AS cache_expired,
    sum(cache_stale)::bigint AS cache_stale,
    sum(cache_updating)::bigint AS cache_updating,
    sum(cache_revalidated)::bigint AS cache_revalidated,
    sum(cache_bypass)::bigint AS cache_bypass,
    sum(cache_none)::bigint AS cache_none,
    sum(request_time_us_sum)::bigint AS request_time_us_sum,
    sum(latency_le_1ms)::bigint AS latency_le_1ms,
    sum(latency_le_2ms)::bigint AS latency_le_2ms,
    sum(latency_le_5ms)::bigint AS latency_le_5ms,
    sum(latency_le_10ms)::bigint AS latency_le_10ms,
    sum(latency_le_25ms)::bigint AS latency_le_25ms,
    sum(latency_le_50ms)::bigint AS latency_le_50ms,
    sum(latency_le_100ms)::bigint AS latency_le_100ms,
    sum(latency_le_250ms)::bigint AS latency_le_250ms,
    sum(latency_le_500ms)::bigint AS latency_le_500ms,
    sum(latency_le_1s)::bigint AS latency_le_1s,
    sum(latency_le_2500ms)::bigint AS latency_le_2500ms,
    sum(latency_le_5s)::bigint AS latency_le_5s,
    sum(latency_le_10s)::bigint AS latency_le_10s,
    sum(latency_gt_10s)::bigint AS latency_gt_10s,
    sum(unparsed)::bigint AS unparsed,
    sum(truncated)::bigint AS truncated,
    sum(rejected_late)::bigint AS rejected_late,
    sum(cache_hit)::double precision / nullif((
        sum(cache_hit) +
        sum(cache_miss) +
        sum(cache_expired) +
        sum(cache_stale) +
        sum(cache_updating) +
        sum(cache_revalidated) +
        sum(cache_bypass)
    )::double precision, 0) AS cache_hit_ratio
FROM (
    SELECT
        shard_id,
        bucket,
        site,
        sum(requests) AS requests,
        sum(body_bytes) AS body_bytes,
        sum(request_bytes) AS request_bytes,
        sum(status_1xx) AS status_1xx,
        sum(status_2xx) AS status_2xx,
        sum(status_3xx) AS status_3xx,
        sum(status_4xx) AS status_4xx,
        sum(status_5xx) AS status_5xx,
        sum(status_other) AS status_other,
        sum(status_200) AS status_200,
        sum(status_301) AS status_301,
        sum(status_302) AS status_302,
        sum(status_304) AS status_304,
        sum(status_400) AS status_400,
        sum(status_403) AS status_403,
        sum(status_404) AS status_404,
        sum(status_429) AS status_429,
        sum(status_499) AS status_499,
        sum(status_500) AS status_500,
        sum(status_502) AS status_502,
        sum(status_503) AS status_503,
        sum(status_504) AS status_504,
        sum(cache_hit) AS cache_hit,
        sum(cache_miss) AS cache_miss,
        sum(cache_expired) AS cache_expired,
        sum(cache_stale) AS cache_stale,
        sum(cache_updating) AS cache_updating,
        sum(cache_revalidated) AS cache_revalidated,
        sum(cache_bypass) AS cache_bypass,
        sum(cache_none) AS cache_none,
        sum(request_time_us_sum) AS request_time_us_sum,
        sum(latency_le_1ms) AS latency_le_1ms,
        sum(latency_le_2ms) AS latency_le_2ms,
        sum(latency_le_5ms) AS latency_le_5ms,
        sum(latency_le_10ms) AS latency_le_10ms,
        sum(latency_le_25ms) AS latency_le_25ms,
        sum(latency_le_50ms) AS latency_le_50ms,
        sum(latency_le_100ms) AS latency_le_100ms,
        sum(latency_le_250ms) AS latency_le_250ms,
        sum(latency_le_500ms) AS latency_le_500ms,
        sum(latency_le_1s) AS latency_le_1s,
        sum(latency_le_2500ms) AS latency_le_2500ms,
        sum(latency_le_5s) AS latency_le_5s,
        sum(latency_le_10s) AS latency_le_10s,
        sum(latency_gt_10s) AS latency_gt_10s,
        sum(unparsed) AS unparsed,
        sum(truncated) AS truncated,
        sum(rejected_late) AS rejected_late
    FROM edgelog.site_day
    GROUP BY shard_id, bucket, site
) AS per_shard
GROUP BY bucket, site;

CREATE VIEW public.file_audit_totals AS
SELECT
    edge,
    source_file,
    sum(shipped_lines)::bigint AS shipped_lines,
    sum(lost_lines)::bigint AS lost_lines,
    sum(lost_bytes)::bigint AS lost_bytes,
    sum(counted_lines)::bigint AS counted_lines,
    sum(stats_records)::bigint AS stats_records
FROM (
    SELECT
        shard_id,
        edge,
        source_file,
        sum(shipped_lines) AS shipped_lines,
        sum(lost_lines) AS lost_lines,
        sum(lost_bytes) AS lost_bytes,
        sum(counted_lines) AS counted_lines,
        sum(stats_records) AS stats_records
    FROM edgelog.file_audit
    GROUP BY shard_id, edge, source_file
) AS per_shard
GROUP BY edge, source_file;

CREATE VIEW public.consumer_progress_by_shard AS
SELECT shard_id, topic, partition, next_offset, watermark_us, cluster_id, consumer_id, updated_at
FROM edgelog.consumer_progress;

CREATE VIEW public.rejected_records_totals AS
SELECT
    topic,
    partition,
    cause,
    sum(records)::bigint AS records,
    min(first_offset) AS first_offset,
    max(last_offset) AS last_offset
FROM (
    SELECT
        shard_id,
        topic,
        partition,
        cause,
        sum(records) AS records,
        min(first_offset) AS first_offset,
        max(last_offset) AS last_offset
    FROM edgelog.rejected_records
    GROUP BY shard_id, topic, partition, cause
) AS per_shard
GROUP BY topic, partition, cause;

-- Analysts read, nothing else. Foreign-table partitions get their grant in define_shard.
GRANT USAGE ON SCHEMA edgelog TO edgelog_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA edgelog TO edgelog_analyst;
GRANT SELECT ON
    public.minute_site,
    public.hour_site,
    public.day_site,
    public.file_audit_totals,
    public.consumer_progress_by_shard,
    public.rejected_records_totals
TO edgelog_analyst;

INSERT INTO edgelog.schema_migrations (version, name) VALUES (1, 'initial');
