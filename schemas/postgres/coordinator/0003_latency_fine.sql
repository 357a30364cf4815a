-- edgelog coordinator schema, migration 0003 (latency_fine): the shards' finer latency
-- histogram, and percentiles read from it.
--
-- Same rules as 0001: applied in one transaction by `edgelog db init`; this file and
-- Sources/EdgelogSchema/CoordinatorMigration0003.swift are byte-identical; never edited once applied.
-- The shard migration 0003 says why the finer buckets and what they are.

-- The parents get the shards' new columns (ALTER on a partitioned parent reaches the foreign
-- partitions too). They are not in the analyst views: latency_percentiles reads them.
ALTER TABLE edgelog.site_minute
    ADD COLUMN latency_fine_le_0ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_1ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_2ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_3ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_4ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_5ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_6ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_7ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_8ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_9ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_10ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_12ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_15ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_18ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_22ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_27ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_33ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_39ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_47ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_56ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_68ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_82ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_100ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_120ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_150ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_180ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_220ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_270ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_330ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_390ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_470ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_560ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_680ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_820ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_1000ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_1200ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_1500ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_1800ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_2200ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_2700ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_3300ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_3900ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_4700ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_5600ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_6800ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_8200ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_10000ms bigint NOT NULL DEFAULT 0;
ALTER TABLE edgelog.site_hour
    ADD COLUMN latency_fine_le_0ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_1ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_2ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_3ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_4ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_5ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_6ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_7ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_8ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_9ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_10ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_12ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_15ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_18ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_22ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_27ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_33ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_39ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_47ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_56ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_68ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_82ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_100ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_120ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_150ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_180ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_220ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_270ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_330ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_390ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_470ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_560ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_680ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_820ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_1000ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_1200ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_1500ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_1800ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_2200ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_2700ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_3300ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_3900ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_4700ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_5600ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_6800ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_8200ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_10000ms bigint NOT NULL DEFAULT 0;
ALTER TABLE edgelog.site_day
    ADD COLUMN latency_fine_le_0ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_1ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_2ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_3ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_4ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_5ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_6ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_7ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_8ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_9ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_10ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_12ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_15ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_18ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_22ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_27ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_33ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_39ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_47ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_56ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_68ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_82ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_100ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_120ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_150ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_180ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_220ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_270ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_330ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_390ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_470ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_560ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_680ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_820ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_1000ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_1200ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_1500ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_1800ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_2200ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_2700ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_3300ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_3900ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_4700ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_5600ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_6800ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_8200ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN latency_fine_le_10000ms bigint NOT NULL DEFAULT 0;

-- The fine buckets (schemas/latency_fine_buckets.txt, TrafficAggregation.LatencyHistogram):
-- bucket idx counts requests with time <= upper_us (and above the previous bound) in column
-- column_name; the last (upper_us NULL) is 0001's latency_gt_10s, shared with the coarse set.
CREATE TABLE edgelog.latency_fine_bucket (
    idx int PRIMARY KEY,
    upper_us bigint,
    column_name text NOT NULL UNIQUE
);

INSERT INTO edgelog.latency_fine_bucket (idx, upper_us, column_name) VALUES
    (0, 0, 'latency_fine_le_0ms'),
    (1, 1000, 'latency_fine_le_1ms'),
    (2, 2000, 'latency_fine_le_2ms'),
    (3, 3000, 'latency_fine_le_3ms'),
    (4, 4000, 'latency_fine_le_4ms'),
    (5, 5000, 'latency_fine_le_5ms'),
    (6, 6000, 'latency_fine_le_6ms'),
    (7, 7000, 'latency_fine_le_7ms'),
    (8, 8000, 'latency_fine_le_8ms'),
    (9, 9000, 'latency_fine_le_9ms'),
    (10, 10000, 'latency_fine_le_10ms'),
    (11, 12000, 'latency_fine_le_12ms'),
    (12, 15000, 'latency_fine_le_15ms'),
    (13, 18000, 'latency_fine_le_18ms'),
    (14, 22000, 'latency_fine_le_22ms'),
    (15, 27000, 'latency_fine_le_27ms'),
    (16, 33000, 'latency_fine_le_33ms'),
    (17, 39000, 'latency_fine_le_39ms'),
    (18, 47000, 'latency_fine_le_47ms'),
    (19, 56000, 'latency_fine_le_56ms'),
    (20, 68000, 'latency_fine_le_68ms'),
    (21, 82000, 'latency_fine_le_82ms'),
    (22, 100000, 'latency_fine_le_100ms'),
    (23, 120000, 'latency_fine_le_120ms'),
    (24, 150000, 'latency_fine_le_150ms'),
    (25, 180000, 'latency_fine_le_180ms'),
    (26, 220000, 'latency_fine_le_220ms'),
    (27, 270000, 'latency_fine_le_270ms'),
    (28, 330000, 'latency_fine_le_330ms'),
    (29, 390000, 'latency_fine_le_390ms'),
    (30, 470000, 'latency_fine_le_470ms'),
    (31, 560000, 'latency_fine_le_560ms'),
    (32, 680000, 'latency_fine_le_680ms'),
    (33, 820000, 'latency_fine_le_820ms'),
    (34, 1000000, 'latency_fine_le_1000ms'),
    (35, 1200000, 'latency_fine_le_1200ms'),
    (36, 1500000, 'latency_fine_le_1500ms'),
    (37, 1800000, 'latency_fine_le_1800ms'),
    (38, 2200000, 'latency_fine_le_2200ms'),
    (39, 2700000, 'latency_fine_le_2700ms'),
    (40, 3300000, 'latency_fine_le_3300ms'),
    (41, 3900000, 'latency_fine_le_3900ms'),
    (42, 4700000, 'latency_fine_le_4700ms'),
    (43, 5600000, 'latency_fine_le_5600ms'),
    (44, 6800000, 'latency_fine_le_6800ms'),
    (45, 8200000, 'latency_fine_le_8200ms'),
    (46, 10000000, 'latency_fine_le_10000ms'),
    (47, NULL, 'latency_gt_10s');

-- The q-quantile (0..1), in microseconds, of a fine histogram (48 counts in
-- edgelog.latency_fine_bucket order): the value of the request at rank ceil(q * n), as an
-- exact percentile over the raw times would pick it.
-- - Up to 10 ms each bucket is one whole millisecond, and nginx logs $request_time in whole
--   milliseconds: the bucket's bound is the value itself, exact.
-- - Above, the bucket is at most 1.25 times as wide as its lower bound; a monotone cubic
--   (Fritsch-Carlson, "PCHIP") through the cumulative counts at the bounds, on a log time axis,
--   is inverted inside it. The answer cannot leave the bucket, so it is within 25 % in the
--   worst case (every request of the bucket at one edge) and within a few per cent for smooth
--   distributions such as log-normal request times.
-- - In the overflow bucket (slower than 10 s) the answer is 10 s, a floor.
-- NULL for an empty histogram.
CREATE FUNCTION edgelog.latency_quantile(counts bigint[], q double precision) RETURNS double precision
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog
AS $function$
DECLARE
    bounds double precision[];
    total double precision := 0;
    cumulative double precision := 0;
    crossing int;
    xs double precision[];
    ys double precision[];
    knots int;
    j int;
    left_tangent double precision;
    right_tangent double precision;
    width double precision;
    low double precision := 0;
    high double precision := 1;
    s double precision;
    y double precision;
BEGIN
    IF q IS NULL OR q < 0 OR q > 1 THEN
        RAISE EXCEPTION 'edgelog.latency_quantile: q must be within 0 and 1, got %', q
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT array_agg(b.upper_us::double precision ORDER BY b.idx) INTO bounds
    FROM edgelog.latency_fine_bucket AS b WHERE b.upper_us IS NOT NULL;
    IF cardinality(counts) IS DISTINCT FROM cardinality(bounds) + 1 THEN
        RAISE EXCEPTION 'edgelog.latency_quantile: % counts, expected %', cardinality(counts), cardinality(bounds) + 1
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT coalesce(sum(c), 0) INTO total FROM unnest(counts) AS c;
    IF total = 0 THEN
        RETURN NULL;
    END IF;
    FOR i IN 1..cardinality(counts) LOOP
        cumulative := cumulative + coalesce(counts[i], 0);
        IF cumulative > 0 AND cumulative >= q * total THEN
            crossing := i;
            EXIT;
        END IF;
    END LOOP;
    IF crossing > cardinality(bounds) THEN
        RETURN bounds[cardinality(bounds)];
    END IF;
    IF bounds[crossing] <= 10000 THEN
        RETURN bounds[crossing];
    END IF;
    -- Knots at the bounds from 10 ms on: knot j is bucket (first + j - 1)'s upper bound.
    cumulative := 0;
    FOR i IN 1..cardinality(bounds) LOOP
        cumulative := cumulative + coalesce(counts[i], 0);
        IF bounds[i] >= 10000 THEN
            xs := xs || ln(bounds[i]);
            ys := ys || (cumulative / total);
        END IF;
    END LOOP;
    knots := cardinality(xs);
    -- The crossing bucket spans knots j .. j + 1.
    j := crossing - (cardinality(bounds) - knots) - 1;
    width := xs[j + 1] - xs[j];
    left_tangent := edgelog.pchip_tangent(xs, ys, j);
    right_tangent := edgelog.pchip_tangent(xs, ys, j + 1);
    FOR step IN 1..50 LOOP
        s := (low + high) / 2;
        y := (2 * s ^ 3 - 3 * s ^ 2 + 1) * ys[j] + (s ^ 3 - 2 * s ^ 2 + s) * width * left_tangent
            + (-2 * s ^ 3 + 3 * s ^ 2) * ys[j + 1] + (s ^ 3 - s ^ 2) * width * right_tangent;
        IF y < q THEN
            low := s;
        ELSE
            high := s;
        END IF;
    END LOOP;
    RETURN exp(xs[j] + high * width);
END
$function$;

-- The Fritsch-Carlson tangent at knot j of a monotone piecewise-cubic through (xs, ys): the
-- one-sided slope at the ends, 0 at a local flat, else the weighted harmonic mean of the two
-- neighbouring slopes (which keeps each segment monotone).
CREATE FUNCTION edgelog.pchip_tangent(xs double precision[], ys double precision[], j int) RETURNS double precision
LANGUAGE plpgsql
IMMUTABLE
SET search_path = pg_catalog
AS $function$
DECLARE
    n int := cardinality(xs);
    h0 double precision;
    h1 double precision;
    s0 double precision;
    s1 double precision;
    w1 double precision;
    w2 double precision;
BEGIN
    IF j = 1 THEN
        RETURN (ys[2] - ys[1]) / (xs[2] - xs[1]);
    ELSIF j = n THEN
        RETURN (ys[n] - ys[n - 1]) / (xs[n] - xs[n - 1]);
    END IF;
    h0 := xs[j] - xs[j - 1];
    h1 := xs[j + 1] - xs[j];
    s0 := (ys[j] - ys[j - 1]) / h0;
    s1 := (ys[j + 1] - ys[j]) / h1;
    IF s0 * s1 <= 0 THEN
        RETURN 0;
    END IF;
    w1 := 2 * h1 + h0;
    w2 := h1 + 2 * h0;
    RETURN (w1 + w2) / (w1 / s0 + w2 / s1);
END
$function$;

-- p50/p95/p99 request time (milliseconds) per site over [p_from, p_until), from the minute
-- rows' fine histogram (edgelog.latency_quantile says how far to trust it). Where some of the
-- range's rows predate migration 0003 (fine counts short of the coarse ones) it falls back to
-- the coarse histogram (edgelog.histogram_quantile). p_site NULL = every site; `requests`
-- counts what the histogram holds (parsed requests within the lateness bound). Sums per shard
-- first, so each shard's sums run on that shard (partitionwise aggregation).
CREATE OR REPLACE FUNCTION public.latency_percentiles(p_from timestamptz, p_until timestamptz, p_site text DEFAULT NULL)
RETURNS TABLE (site text, requests bigint, p50_ms double precision, p95_ms double precision, p99_ms double precision)
LANGUAGE sql
STABLE
AS $function$
    SELECT
        h.site,
        h.requests,
        CASE WHEN h.fine_requests = h.requests THEN edgelog.latency_quantile(h.fine, 0.50)
            ELSE edgelog.histogram_quantile(h.coarse, 0.50) END / 1000.0,
        CASE WHEN h.fine_requests = h.requests THEN edgelog.latency_quantile(h.fine, 0.95)
            ELSE edgelog.histogram_quantile(h.coarse, 0.95) END / 1000.0,
        CASE WHEN h.fine_requests = h.requests THEN edgelog.latency_quantile(h.fine, 0.99)
            ELSE edgelog.histogram_quantile(h.coarse, 0.99) END / 1000.0
    FROM (
        SELECT
            c.site,
            c.coarse,
            c.fine,
            (SELECT sum(n)::bigint FROM unnest(c.coarse) AS n) AS requests,
            (SELECT sum(n)::bigint FROM unnest(c.fine) AS n) AS fine_requests
        FROM (
            SELECT
                p.site,
                ARRAY[
                    sum(p.latency_le_1ms), sum(p.latency_le_2ms), sum(p.latency_le_5ms), sum(p.latency_le_10ms),
                    sum(p.latency_le_25ms), sum(p.latency_le_50ms), sum(p.latency_le_100ms), sum(p.latency_le_250ms),
                    sum(p.latency_le_500ms), sum(p.latency_le_1s), sum(p.latency_le_2500ms), sum(p.latency_le_5s),
                    sum(p.latency_le_10s), sum(p.latency_gt_10s)
                ]::bigint[] AS coarse,
                ARRAY[
                    sum(p.latency_fine_le_0ms), sum(p.latency_fine_le_1ms), sum(p.latency_fine_le_2ms), sum(p.latency_fine_le_3ms),
                    sum(p.latency_fine_le_4ms), sum(p.latency_fine_le_5ms), sum(p.latency_fine_le_6ms), sum(p.latency_fine_le_7ms),
                    sum(p.latency_fine_le_8ms), sum(p.latency_fine_le_9ms), sum(p.latency_fine_le_10ms), sum(p.latency_fine_le_12ms),
                    sum(p.latency_fine_le_15ms), sum(p.latency_fine_le_18ms), sum(p.latency_fine_le_22ms), sum(p.latency_fine_le_27ms),
                    sum(p.latency_fine_le_33ms), sum(p.latency_fine_le_39ms), sum(p.latency_fine_le_47ms), sum(p.latency_fine_le_56ms),
                    sum(p.latency_fine_le_68ms), sum(p.latency_fine_le_82ms), sum(p.latency_fine_le_100ms), sum(p.latency_fine_le_120ms),
                    sum(p.latency_fine_le_150ms), sum(p.latency_fine_le_180ms), sum(p.latency_fine_le_220ms), sum(p.latency_fine_le_270ms),
                    sum(p.latency_fine_le_330ms), sum(p.latency_fine_le_390ms), sum(p.latency_fine_le_470ms), sum(p.latency_fine_le_560ms),
                    sum(p.latency_fine_le_680ms), sum(p.latency_fine_le_820ms), sum(p.latency_fine_le_1000ms), sum(p.latency_fine_le_1200ms),
                    sum(p.latency_fine_le_1500ms), sum(p.latency_fine_le_1800ms), sum(p.latency_fine_le_2200ms), sum(p.latency_fine_le_2700ms),
                    sum(p.latency_fine_le_3300ms), sum(p.latency_fine_le_3900ms), sum(p.latency_fine_le_4700ms), sum(p.latency_fine_le_5600ms),
                    sum(p.latency_fine_le_6800ms), sum(p.latency_fine_le_8200ms), sum(p.latency_fine_le_10000ms), sum(p.latency_gt_10s)
                ]::bigint[] AS fine
            FROM (
                SELECT
                    m.site,
                    sum(m.latency_le_1ms) AS latency_le_1ms, sum(m.latency_le_2ms) AS latency_le_2ms,
                    sum(m.latency_le_5ms) AS latency_le_5ms, sum(m.latency_le_10ms) AS latency_le_10ms,
                    sum(m.latency_le_25ms) AS latency_le_25ms, sum(m.latency_le_50ms) AS latency_le_50ms,
                    sum(m.latency_le_100ms) AS latency_le_100ms, sum(m.latency_le_250ms) AS latency_le_250ms,
                    sum(m.latency_le_500ms) AS latency_le_500ms, sum(m.latency_le_1s) AS latency_le_1s,
                    sum(m.latency_le_2500ms) AS latency_le_2500ms, sum(m.latency_le_5s) AS latency_le_5s,
                    sum(m.latency_le_10s) AS latency_le_10s, sum(m.latency_gt_10s) AS latency_gt_10s,
                    sum(m.latency_fine_le_0ms) AS latency_fine_le_0ms, sum(m.latency_fine_le_1ms) AS latency_fine_le_1ms,
                    sum(m.latency_fine_le_2ms) AS latency_fine_le_2ms, sum(m.latency_fine_le_3ms) AS latency_fine_le_3ms,
                    sum(m.latency_fine_le_4ms) AS latency_fine_le_4ms, sum(m.latency_fine_le_5ms) AS latency_fine_le_5ms,
                    sum(m.latency_fine_le_6ms) AS latency_fine_le_6ms, sum(m.latency_fine_le_7ms) AS latency_fine_le_7ms,
                    sum(m.latency_fine_le_8ms) AS latency_fine_le_8ms, sum(m.latency_fine_le_9ms) AS latency_fine_le_9ms,
                    sum(m.latency_fine_le_10ms) AS latency_fine_le_10ms, sum(m.latency_fine_le_12ms) AS latency_fine_le_12ms,
                    sum(m.latency_fine_le_15ms) AS latency_fine_le_15ms, sum(m.latency_fine_le_18ms) AS latency_fine_le_18ms,
                    sum(m.latency_fine_le_22ms) AS latency_fine_le_22ms, sum(m.latency_fine_le_27ms) AS latency_fine_le_27ms,
                    sum(m.latency_fine_le_33ms) AS latency_fine_le_33ms, sum(m.latency_fine_le_39ms) AS latency_fine_le_39ms,
                    sum(m.latency_fine_le_47ms) AS latency_fine_le_47ms, sum(m.latency_fine_le_56ms) AS latency_fine_le_56ms,
                    sum(m.latency_fine_le_68ms) AS latency_fine_le_68ms, sum(m.latency_fine_le_82ms) AS latency_fine_le_82ms,
                    sum(m.latency_fine_le_100ms) AS latency_fine_le_100ms, sum(m.latency_fine_le_120ms) AS latency_fine_le_120ms,
                    sum(m.latency_fine_le_150ms) AS latency_fine_le_150ms, sum(m.latency_fine_le_180ms) AS latency_fine_le_180ms,
                    sum(m.latency_fine_le_220ms) AS latency_fine_le_220ms, sum(m.latency_fine_le_270ms) AS latency_fine_le_270ms,
                    sum(m.latency_fine_le_330ms) AS latency_fine_le_330ms, sum(m.latency_fine_le_390ms) AS latency_fine_le_390ms,
                    sum(m.latency_fine_le_470ms) AS latency_fine_le_470ms, sum(m.latency_fine_le_560ms) AS latency_fine_le_560ms,
                    sum(m.latency_fine_le_680ms) AS latency_fine_le_680ms, sum(m.latency_fine_le_820ms) AS latency_fine_le_820ms,
                    sum(m.latency_fine_le_1000ms) AS latency_fine_le_1000ms, sum(m.latency_fine_le_1200ms) AS latency_fine_le_1200ms,
                    sum(m.latency_fine_le_1500ms) AS latency_fine_le_1500ms, sum(m.latency_fine_le_1800ms) AS latency_fine_le_1800ms,
                    sum(m.latency_fine_le_2200ms) AS latency_fine_le_2200ms, sum(m.latency_fine_le_2700ms) AS latency_fine_le_2700ms,
                    sum(m.latency_fine_le_3300ms) AS latency_fine_le_3300ms, sum(m.latency_fine_le_3900ms) AS latency_fine_le_3900ms,
                    sum(m.latency_fine_le_4700ms) AS latency_fine_le_4700ms, sum(m.latency_fine_le_5600ms) AS latency_fine_le_5600ms,
                    sum(m.latency_fine_le_6800ms) AS latency_fine_le_6800ms, sum(m.latency_fine_le_8200ms) AS latency_fine_le_8200ms,
                    sum(m.latency_fine_le_10000ms) AS latency_fine_le_10000ms
                FROM edgelog.site_minute AS m
                WHERE m.bucket >= p_from AND m.bucket < p_until AND (p_site IS NULL OR m.site = p_site)
                GROUP BY m.shard_id, m.site
            ) AS p
            GROUP BY p.site
        ) AS c
    ) AS h
    ORDER BY h.site
$function$;

GRANT SELECT ON edgelog.latency_fine_bucket TO edgelog_analyst;

INSERT INTO edgelog.schema_migrations (version, name) VALUES (3, 'latency_fine');
