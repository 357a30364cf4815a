-- edgelog coordinator schema, migration 0004 (attacks): attack counts in the site views and
-- the top talkers, the sampled attack requests.
--
-- Same rules as 0001: applied in one transaction by `edgelog db init`; this file and
-- Sources/EdgelogSchema/CoordinatorMigration0004.swift are byte-identical; never edited once applied.
-- The shard migration 0004 says what the columns and the sample table hold.

ALTER TABLE edgelog.site_minute
    ADD COLUMN attacks_sqli bigint NOT NULL DEFAULT 0,
    ADD COLUMN attacks_xss bigint NOT NULL DEFAULT 0,
    ADD COLUMN attacks_traversal bigint NOT NULL DEFAULT 0,
    ADD COLUMN attacks_scanner bigint NOT NULL DEFAULT 0;
ALTER TABLE edgelog.site_hour
    ADD COLUMN attacks_sqli bigint NOT NULL DEFAULT 0,
    ADD COLUMN attacks_xss bigint NOT NULL DEFAULT 0,
    ADD COLUMN attacks_traversal bigint NOT NULL DEFAULT 0,
    ADD COLUMN attacks_scanner bigint NOT NULL DEFAULT 0;
ALTER TABLE edgelog.site_day
    ADD COLUMN attacks_sqli bigint NOT NULL DEFAULT 0,
    ADD COLUMN attacks_xss bigint NOT NULL DEFAULT 0,
    ADD COLUMN attacks_traversal bigint NOT NULL DEFAULT 0,
    ADD COLUMN attacks_scanner bigint NOT NULL DEFAULT 0;
ALTER TABLE edgelog.top_ip_minute
    ADD COLUMN attacks_sqli bigint NOT NULL DEFAULT 0,
    ADD COLUMN attacks_xss bigint NOT NULL DEFAULT 0,
    ADD COLUMN attacks_traversal bigint NOT NULL DEFAULT 0,
    ADD COLUMN attacks_scanner bigint NOT NULL DEFAULT 0;

CREATE TABLE edgelog.attack_sample_minute (
    shard_id int NOT NULL,
    bucket timestamptz NOT NULL,
    site text NOT NULL,
    class text NOT NULL,
    slot smallint NOT NULL,
    time timestamptz NOT NULL,
    client_ip inet,
    request text NOT NULL,
    user_agent text NOT NULL
) PARTITION BY LIST (shard_id);

-- define_shard grows again: 0002's body stays as define_shard_0002; the new one calls it and
-- adds the sample table's partition.
ALTER FUNCTION edgelog.define_shard(int, text, text, text, text, text) RENAME TO define_shard_0002;

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
    foreign_table text := 'attack_sample_minute_shard_' || p_shard_id;
BEGIN
    PERFORM edgelog.define_shard_0002(p_shard_id, p_host, p_port, p_dbname, p_user, p_password);
    IF to_regclass(format('edgelog.%I', foreign_table)) IS NULL THEN
        EXECUTE format(
            'CREATE FOREIGN TABLE edgelog.%I PARTITION OF edgelog.attack_sample_minute FOR VALUES IN (%L) '
                'SERVER %I OPTIONS (schema_name %L, table_name %L)',
            foreign_table, p_shard_id, 'edgelog_shard_' || p_shard_id, 'edgelog', 'attack_sample_minute'
        );
    END IF;
    EXECUTE format('GRANT SELECT ON edgelog.%I TO edgelog_analyst', foreign_table);
    EXECUTE format('ANALYZE edgelog.%I', foreign_table);
END
$function$;

REVOKE EXECUTE ON FUNCTION edgelog.define_shard(int, text, text, text, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION edgelog.define_shard_0002(int, text, text, text, text, text) FROM PUBLIC;

-- The site views gain attacks_sqli, attacks_xss, attacks_traversal and attacks_scanner at the
-- end (requests the detector put in each class; one request can be in several).
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
    hll_union_agg(unique_ips) AS unique_ips_hll,
    sum(attacks_sqli)::bigint AS attacks_sqli,
    sum(attacks_xss)::bigint AS attacks_xss,
    sum(attacks_traversal)::bigint AS attacks_traversal,
    sum(attacks_scanner)::bigint AS attacks_scanner
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
        sum(attacks_sqli) AS attacks_sqli,
        sum(attacks_xss) AS attacks_xss,
        sum(attacks_traversal) AS attacks_traversal,
        sum(attacks_scanner) AS attacks_scanner,
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
    hll_union_agg(unique_ips) AS unique_ips_hll,
    sum(attacks_sqli)::bigint AS attacks_sqli,
    sum(attacks_xss)::bigint AS attacks_xss,
    sum(attacks_traversal)::bigint AS attacks_traversal,
    sum(attacks_scanner)::bigint AS attacks_scanner
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
        sum(attacks_sqli) AS attacks_sqli,
        sum(attacks_xss) AS attacks_xss,
        sum(attacks_traversal) AS attacks_traversal,
        sum(attacks_scanner) AS attacks_scanner,
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
    hll_union_agg(unique_ips) AS unique_ips_hll,
    sum(attacks_sqli)::bigint AS attacks_sqli,
    sum(attacks_xss)::bigint AS attacks_xss,
    sum(attacks_traversal)::bigint AS attacks_traversal,
    sum(attacks_scanner)::bigint AS attacks_scanner
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
        sum(attacks_sqli) AS attacks_sqli,
        sum(attacks_xss) AS attacks_xss,
        sum(attacks_traversal) AS attacks_traversal,
        sum(attacks_scanner) AS attacks_scanner,
        hll_union_agg(unique_ips) AS unique_ips
    FROM edgelog.site_day
    GROUP BY shard_id, bucket, site
) AS per_shard
GROUP BY bucket, site;

-- Top talkers gain their attack requests per class (a lower bound: counted while monitored).
CREATE OR REPLACE VIEW public.minute_top_ip AS
SELECT
    bucket, site, client_ip, sum(requests)::bigint AS requests, sum(error)::bigint AS error,
    sum(attacks_sqli)::bigint AS attacks_sqli, sum(attacks_xss)::bigint AS attacks_xss,
    sum(attacks_traversal)::bigint AS attacks_traversal, sum(attacks_scanner)::bigint AS attacks_scanner
FROM (
    SELECT
        shard_id, bucket, site, client_ip, sum(requests) AS requests, sum(error) AS error,
        sum(attacks_sqli) AS attacks_sqli, sum(attacks_xss) AS attacks_xss,
        sum(attacks_traversal) AS attacks_traversal, sum(attacks_scanner) AS attacks_scanner
    FROM edgelog.top_ip_minute
    GROUP BY shard_id, bucket, site, client_ip
) AS per_shard
GROUP BY bucket, site, client_ip;

-- The sampled attack requests, every shard's (at most the consumer's sample limit per
-- (minute, site, class) and shard).
CREATE VIEW public.minute_attack_sample AS
SELECT bucket, site, class, time, client_ip, request, user_agent
FROM edgelog.attack_sample_minute;

GRANT SELECT ON edgelog.attack_sample_minute TO edgelog_analyst;
GRANT SELECT ON public.minute_attack_sample TO edgelog_analyst;

INSERT INTO edgelog.schema_migrations (version, name) VALUES (4, 'attacks');
