-- edgelog coordinator schema, migration 0002 (sketches): unique client IPs, latency
-- percentiles, top talkers, flood sources, folded sites.
--
-- Same rules as 0001: applied in one transaction by `edgelog db init`; this file and
-- Sources/EdgelogSchema/CoordinatorMigration0002.swift are byte-identical; never edited once applied.
-- Needs the hll extension (Debian: postgresql-15-hll) on the coordinator and on every shard.

CREATE EXTENSION IF NOT EXISTS hll;

-- The parents get the shards' new columns (ALTER on a partitioned parent reaches the foreign
-- partitions too).
ALTER TABLE edgelog.site_minute ADD COLUMN unique_ips hll(11, 5, -1, 1);
ALTER TABLE edgelog.site_hour ADD COLUMN unique_ips hll(11, 5, -1, 1);
ALTER TABLE edgelog.site_day ADD COLUMN unique_ips hll(11, 5, -1, 1);
ALTER TABLE edgelog.file_audit ADD COLUMN folded_lines bigint NOT NULL DEFAULT 0;

CREATE TABLE edgelog.top_ip_minute (
    shard_id int NOT NULL,
    bucket timestamptz NOT NULL,
    site text NOT NULL,
    client_ip inet NOT NULL,
    requests bigint NOT NULL DEFAULT 0,
    error bigint NOT NULL DEFAULT 0
) PARTITION BY LIST (shard_id);

CREATE TABLE edgelog.top_path_minute (
    shard_id int NOT NULL,
    bucket timestamptz NOT NULL,
    site text NOT NULL,
    path text NOT NULL,
    requests bigint NOT NULL DEFAULT 0,
    error bigint NOT NULL DEFAULT 0
) PARTITION BY LIST (shard_id);

CREATE TABLE edgelog.top_floor_minute (
    shard_id int NOT NULL,
    bucket timestamptz NOT NULL,
    site text NOT NULL,
    ip_floor bigint NOT NULL DEFAULT 0,
    path_floor bigint NOT NULL DEFAULT 0
) PARTITION BY LIST (shard_id);

-- define_shard grows: 0001's body stays as define_shard_0001 and the new one calls it, then
-- lists hll among the server's extensions (postgres_fdw ships an aggregate to the shard only
-- when its extension is listed; otherwise hll_union_agg would pull every row to the
-- coordinator) and adds the partitions of the tables this migration brought.
ALTER FUNCTION edgelog.define_shard(int, text, text, text, text, text) RENAME TO define_shard_0001;

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
    parent text;
    foreign_table text;
BEGIN
    PERFORM edgelog.define_shard_0001(p_shard_id, p_host, p_port, p_dbname, p_user, p_password);
    server_name := 'edgelog_shard_' || p_shard_id;
    SELECT srvoptions INTO current_options FROM pg_foreign_server WHERE srvname = server_name;
    EXECUTE format(
        'ALTER SERVER %I OPTIONS (%s)',
        server_name, edgelog.fdw_option_clause(coalesce(current_options, ARRAY[]::text[]), 'extensions', 'hll')
    );
    FOREACH parent IN ARRAY ARRAY['top_ip_minute', 'top_path_minute', 'top_floor_minute'] LOOP
        foreign_table := parent || '_shard_' || p_shard_id;
        IF to_regclass(format('edgelog.%I', foreign_table)) IS NULL THEN
            EXECUTE format(
                'CREATE FOREIGN TABLE edgelog.%I PARTITION OF edgelog.%I FOR VALUES IN (%L) '
                    'SERVER %I OPTIONS (schema_name %L, table_name %L)',
                foreign_table, parent, p_shard_id, server_name, 'edgelog', parent
            );
        END IF;
        EXECUTE format('GRANT SELECT ON edgelog.%I TO edgelog_analyst', foreign_table);
        EXECUTE format('ANALYZE edgelog.%I', foreign_table);
    END LOOP;
END
$function$;

REVOKE EXECUTE ON FUNCTION edgelog.define_shard(int, text, text, text, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION edgelog.define_shard_0001(int, text, text, text, text, text) FROM PUBLIC;

-- The site views gain unique_ips (the estimated number of distinct client IPs, exact up to
-- 160) and unique_ips_hll (the union itself, for hll_union_agg over longer ranges); the audit
-- gains folded_lines. Columns are only appended, so existing queries keep working.
CREATE OR REPLACE VIEW public.minute_site AS
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
    )::double precision, 0) AS cache_hit_ratio,
    round(hll_cardinality(hll_union_agg(unique_ips)))::bigint AS unique_ips,
    hll_union_agg(unique_ips) AS unique_ips_hll
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
        sum(rejected_late) AS rejected_late,
        hll_union_agg(unique_ips) AS unique_ips
    FROM edgelog.site_minute
    GROUP BY shard_id, bucket, site
) AS per_shard
GROUP BY bucket, site;

CREATE OR REPLACE VIEW public.hour_site AS
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
    )::double precision, 0) AS cache_hit_ratio,
    round(hll_cardinality(hll_union_agg(unique_ips)))::bigint AS unique_ips,
    hll_union_agg(unique_ips) AS unique_ips_hll
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
        sum(rejected_late) AS rejected_late,
        hll_union_agg(unique_ips) AS unique_ips
    FROM edgelog.site_hour
    GROUP BY shard_id, bucket, site
) AS per_shard
GROUP BY bucket, site;

CREATE OR REPLACE VIEW public.day_site AS
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
    )::double precision, 0) AS cache_hit_ratio,
    round(hll_cardinality(hll_union_agg(unique_ips)))::bigint AS unique_ips,
    hll_union_agg(unique_ips) AS unique_ips_hll
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
        sum(rejected_late) AS rejected_late,
        hll_union_agg(unique_ips) AS unique_ips
    FROM edgelog.site_day
    GROUP BY shard_id, bucket, site
) AS per_shard
GROUP BY bucket, site;

CREATE OR REPLACE VIEW public.file_audit_totals AS
SELECT
    edge,
    source_file,
    sum(shipped_lines)::bigint AS shipped_lines,
    sum(lost_lines)::bigint AS lost_lines,
    sum(lost_bytes)::bigint AS lost_bytes,
    sum(counted_lines)::bigint AS counted_lines,
    sum(stats_records)::bigint AS stats_records,
    sum(folded_lines)::bigint AS folded_lines
FROM (
    SELECT
        shard_id,
        edge,
        source_file,
        sum(shipped_lines) AS shipped_lines,
        sum(lost_lines) AS lost_lines,
        sum(lost_bytes) AS lost_bytes,
        sum(counted_lines) AS counted_lines,
        sum(stats_records) AS stats_records,
        sum(folded_lines) AS folded_lines
    FROM edgelog.file_audit
    GROUP BY shard_id, edge, source_file
) AS per_shard
GROUP BY edge, source_file;

-- The q-quantile (0..1) of a latency histogram whose counts are in edgelog.latency_bucket order,
-- in microseconds. The bucket edges are 2 to 2.5 times apart, so a straight line inside the
-- bucket (Prometheus' histogram_quantile) is off by up to 20 % on a realistic distribution; this
-- instead lays a monotone cubic (Fritsch-Carlson, "PCHIP") through the cumulative counts at
-- the edges on a log time axis and inverts it, which follows a smooth distribution across
-- buckets (within a few per cent on log-normal request times). It stays a guess inside one
-- bucket: a distribution with a cliff there (all requests just above 250 ms, say) can be off
-- by the bucket's width. A quantile in the overflow bucket reads as its lower bound (10 s), a
-- floor; the first bucket starts at 250 us on the log axis. NULL for an empty histogram.
CREATE FUNCTION edgelog.histogram_quantile(counts bigint[], q double precision) RETURNS double precision
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog
AS $function$
DECLARE
    total double precision;
    xs double precision[] := ARRAY[ln(250.0)];
    ys double precision[] := ARRAY[0.0];
    slopes double precision[];
    tangents double precision[];
    widths double precision[];
    knots int;
    cumulative double precision := 0;
    bucket record;
    i int;
    w1 double precision;
    w2 double precision;
    low double precision;
    high double precision;
    s double precision;
    y double precision;
BEGIN
    IF q IS NULL OR q < 0 OR q > 1 THEN
        RAISE EXCEPTION 'edgelog.histogram_quantile: q must be within 0 and 1, got %', q
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT coalesce(sum(c), 0) INTO total FROM unnest(counts) AS c;
    IF total = 0 THEN
        RETURN NULL;
    END IF;
    FOR bucket IN SELECT idx, upper_us FROM edgelog.latency_bucket WHERE upper_us IS NOT NULL ORDER BY idx LOOP
        cumulative := cumulative + coalesce(counts[bucket.idx + 1], 0);
        xs := xs || ln(bucket.upper_us::double precision);
        ys := ys || (cumulative / total);
    END LOOP;
    knots := cardinality(xs);
    IF q > ys[knots] THEN
        RETURN exp(xs[knots]);
    END IF;
    FOR i IN 1..knots - 1 LOOP
        widths[i] := xs[i + 1] - xs[i];
        slopes[i] := (ys[i + 1] - ys[i]) / widths[i];
    END LOOP;
    tangents[1] := slopes[1];
    tangents[knots] := slopes[knots - 1];
    FOR i IN 2..knots - 1 LOOP
        IF slopes[i - 1] * slopes[i] <= 0 THEN
            tangents[i] := 0;
        ELSE
            w1 := 2 * widths[i] + widths[i - 1];
            w2 := widths[i] + 2 * widths[i - 1];
            tangents[i] := (w1 + w2) / (w1 / slopes[i - 1] + w2 / slopes[i]);
        END IF;
    END LOOP;
    FOR i IN 1..knots - 1 LOOP
        IF ys[i + 1] >= q AND ys[i + 1] > ys[i] THEN
            -- The cubic is monotone on the segment: bisect for the point where it reaches q.
            low := 0;
            high := 1;
            FOR step IN 1..50 LOOP
                s := (low + high) / 2;
                y := (2 * s ^ 3 - 3 * s ^ 2 + 1) * ys[i] + (s ^ 3 - 2 * s ^ 2 + s) * widths[i] * tangents[i]
                    + (-2 * s ^ 3 + 3 * s ^ 2) * ys[i + 1] + (s ^ 3 - s ^ 2) * widths[i] * tangents[i + 1];
                IF y < q THEN
                    low := s;
                ELSE
                    high := s;
                END IF;
            END LOOP;
            RETURN exp(xs[i] + low * widths[i]);
        END IF;
    END LOOP;
    RETURN exp(xs[1]);
END
$function$;

-- p50/p95/p99 request time (milliseconds) per site over [p_from, p_until) from the additive
-- histogram of the minute rows (edgelog.histogram_quantile says how, and how far to trust it); p_site NULL = every site. `requests` counts what the histogram
-- holds (parsed requests within the lateness bound).
CREATE FUNCTION public.latency_percentiles(p_from timestamptz, p_until timestamptz, p_site text DEFAULT NULL)
RETURNS TABLE (site text, requests bigint, p50_ms double precision, p95_ms double precision, p99_ms double precision)
LANGUAGE sql
STABLE
AS $function$
    SELECT
        h.site,
        (SELECT sum(c)::bigint FROM unnest(h.counts) AS c),
        edgelog.histogram_quantile(h.counts, 0.50) / 1000.0,
        edgelog.histogram_quantile(h.counts, 0.95) / 1000.0,
        edgelog.histogram_quantile(h.counts, 0.99) / 1000.0
    FROM (
        SELECT
            m.site,
            ARRAY[
                sum(m.latency_le_1ms), sum(m.latency_le_2ms), sum(m.latency_le_5ms), sum(m.latency_le_10ms),
                sum(m.latency_le_25ms), sum(m.latency_le_50ms), sum(m.latency_le_100ms), sum(m.latency_le_250ms),
                sum(m.latency_le_500ms), sum(m.latency_le_1s), sum(m.latency_le_2500ms), sum(m.latency_le_5s),
                sum(m.latency_le_10s), sum(m.latency_gt_10s)
            ]::bigint[] AS counts
        FROM public.minute_site AS m
        WHERE m.bucket >= p_from AND m.bucket < p_until AND (p_site IS NULL OR m.site = p_site)
        GROUP BY m.site
    ) AS h
    ORDER BY h.site
$function$;

-- Top talkers per (minute, site), summed over shards, from the consumer's Space-Saving sketches
-- (one per flush; their rows add). For a listed key, requests - error <= its true count <=
-- requests + the (minute, site)'s floor in minute_top_floor (what a key not listed in a
-- flush could have had there).
CREATE VIEW public.minute_top_ip AS
SELECT bucket, site, client_ip, sum(requests)::bigint AS requests, sum(error)::bigint AS error
FROM (
    SELECT shard_id, bucket, site, client_ip, sum(requests) AS requests, sum(error) AS error
    FROM edgelog.top_ip_minute
    GROUP BY shard_id, bucket, site, client_ip
) AS per_shard
GROUP BY bucket, site, client_ip;

CREATE VIEW public.minute_top_floor AS
SELECT bucket, site, sum(ip_floor)::bigint AS ip_floor, sum(path_floor)::bigint AS path_floor
FROM (
    SELECT shard_id, bucket, site, sum(ip_floor) AS ip_floor, sum(path_floor) AS path_floor
    FROM edgelog.top_floor_minute
    GROUP BY shard_id, bucket, site
) AS per_shard
GROUP BY bucket, site;

CREATE VIEW public.minute_top_path AS
SELECT bucket, site, path, sum(requests)::bigint AS requests, sum(error)::bigint AS error
FROM (
    SELECT shard_id, bucket, site, path, sum(requests) AS requests, sum(error) AS error
    FROM edgelog.top_path_minute
    GROUP BY shard_id, bucket, site, path
) AS per_shard
GROUP BY bucket, site, path;

-- The p_k top client IPs (paths) of each site over [p_from, p_until), merged from the minute
-- rows by adding counts; p_site NULL = every site. Ties are broken by key, so output is stable.
CREATE FUNCTION public.top_ips(p_from timestamptz, p_until timestamptz, p_site text DEFAULT NULL, p_k int DEFAULT 10)
RETURNS TABLE (site text, client_ip inet, requests bigint, error bigint, rank bigint)
LANGUAGE sql
STABLE
AS $function$
    SELECT r.site, r.client_ip, r.requests, r.error, r.rank
    FROM (
        SELECT
            t.site, t.client_ip, sum(t.requests)::bigint AS requests, sum(t.error)::bigint AS error,
            row_number() OVER (PARTITION BY t.site ORDER BY sum(t.requests) DESC, t.client_ip) AS rank
        FROM public.minute_top_ip AS t
        WHERE t.bucket >= p_from AND t.bucket < p_until AND (p_site IS NULL OR t.site = p_site)
        GROUP BY t.site, t.client_ip
    ) AS r
    WHERE r.rank <= p_k
    ORDER BY r.site, r.rank
$function$;

CREATE FUNCTION public.top_paths(p_from timestamptz, p_until timestamptz, p_site text DEFAULT NULL, p_k int DEFAULT 10)
RETURNS TABLE (site text, path text, requests bigint, error bigint, rank bigint)
LANGUAGE sql
STABLE
AS $function$
    SELECT r.site, r.path, r.requests, r.error, r.rank
    FROM (
        SELECT
            t.site, t.path, sum(t.requests)::bigint AS requests, sum(t.error)::bigint AS error,
            row_number() OVER (PARTITION BY t.site ORDER BY sum(t.requests) DESC, t.path) AS rank
        FROM public.minute_top_path AS t
        WHERE t.bucket >= p_from AND t.bucket < p_until AND (p_site IS NULL OR t.site = p_site)
        GROUP BY t.site, t.path
    ) AS r
    WHERE r.rank <= p_k
    ORDER BY r.site, r.rank
$function$;

-- Flood sources: client IPs that in one minute sent a site at least 600 requests and at least
-- 10 % of all its requests, counting only what the sketch guarantees (requests - error).
-- Why these numbers: a browser fetches a page's tens of objects in a burst and then idles, so
-- even a heavy human stays far below 10 requests per second sustained over a whole minute; and a
-- busy site's requests come from thousands of clients, where the busiest legitimate one (a
-- crawler, a monitoring probe, a corporate proxy) holds a few per cent. Both limits together
-- keep small sites (where one visitor is a big share) and busy API clients (many requests, small
-- share) out, and still catch a single source hammering one site.
CREATE VIEW public.flood_sources AS
SELECT
    t.bucket,
    t.site,
    t.client_ip,
    t.requests - t.error AS requests,
    t.requests AS requests_upper_bound,
    m.requests AS site_requests,
    (t.requests - t.error)::double precision / m.requests AS share
FROM public.minute_top_ip AS t
JOIN public.minute_site AS m ON m.bucket = t.bucket AND m.site = t.site
WHERE t.requests - t.error >= 600 AND (t.requests - t.error) * 10 >= m.requests;

GRANT SELECT ON edgelog.top_ip_minute, edgelog.top_path_minute, edgelog.top_floor_minute TO edgelog_analyst;
GRANT SELECT ON public.minute_top_ip, public.minute_top_path, public.minute_top_floor, public.flood_sources TO edgelog_analyst;

INSERT INTO edgelog.schema_migrations (version, name) VALUES (2, 'sketches');
