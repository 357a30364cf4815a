// Generated from schemas/postgres/shard/0004_attacks.sql; the two must stay byte-identical (MigrationFilesTests).
// Edit both or neither, and never edit a migration that has been applied anywhere: add one.

extension Migration {
    /// Shard migration 4: attack counts, top talkers' attack counts, attack samples.
    static let shard0004 = Migration(
        version: 4,
        name: "attacks",
        sql: #"""
-- edgelog shard schema, migration 0004 (attacks): requests the consumer's attack detector
-- classified (SQL injection, XSS, path traversal, scanner), counted and sampled.
--
-- Same rules as 0001: applied in one transaction by `edgelog db init`; this file and
-- Sources/EdgelogSchema/ShardMigration0004.swift are byte-identical; never edited once applied.

-- Requests per class: a request in several classes counts once in each. Additive like every
-- counter, exactly once through the consumer's progress compare-and-set.
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

-- Attack requests per class of a top talker (client IP), counted while the sketch monitored
-- the IP in the flush: a lower bound of what the IP sent (its requests outside the sketch's
-- watch are not known).
ALTER TABLE edgelog.top_ip_minute
    ADD COLUMN attacks_sqli bigint NOT NULL DEFAULT 0,
    ADD COLUMN attacks_xss bigint NOT NULL DEFAULT 0,
    ADD COLUMN attacks_traversal bigint NOT NULL DEFAULT 0,
    ADD COLUMN attacks_scanner bigint NOT NULL DEFAULT 0;

-- A bounded sample of the classified requests per (minute, site, class): the consumer keeps
-- the first few of each flush and writes them to slots 0..n-1; a later flush of the same
-- minute meets the taken slots and adds nothing (ON CONFLICT DO NOTHING), so at most n rows
-- per (minute, site, class, shard) whatever the number of flushes or replays. `request` is the
-- request line as logged (method, path, query), cut at the consumer's sample limit; data from
-- the logs, stored only as values.
CREATE TABLE edgelog.attack_sample_minute (
    shard_id int NOT NULL,
    bucket timestamptz NOT NULL,
    site text NOT NULL,
    class text NOT NULL,
    slot smallint NOT NULL,
    time timestamptz NOT NULL,
    client_ip inet,
    request text NOT NULL,
    user_agent text NOT NULL,
    PRIMARY KEY (bucket, site, class, slot, shard_id),
    CONSTRAINT attack_sample_class CHECK (class IN ('sqli', 'xss', 'traversal', 'scanner'))
);

-- The retention job's second half, now also over the samples: deletes top-talker, admission
-- and sample rows before `cutoff` 00:00 UTC and returns how many rows went.
CREATE OR REPLACE FUNCTION edgelog.delete_sketch_rows_before(cutoff date) RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog
SET TimeZone = 'UTC'
AS $function$
DECLARE
    cutoff_time timestamptz;
    ip_rows bigint;
    path_rows bigint;
    floor_rows bigint;
    admission_rows bigint;
    sample_rows bigint;
BEGIN
    IF cutoff IS NULL OR NOT isfinite(cutoff) THEN
        RAISE EXCEPTION 'edgelog.delete_sketch_rows_before: cutoff must be a finite date, got %', cutoff
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    cutoff_time := cutoff::timestamp AT TIME ZONE 'UTC';
    DELETE FROM edgelog.top_ip_minute WHERE bucket < cutoff_time;
    GET DIAGNOSTICS ip_rows = ROW_COUNT;
    DELETE FROM edgelog.top_path_minute WHERE bucket < cutoff_time;
    GET DIAGNOSTICS path_rows = ROW_COUNT;
    DELETE FROM edgelog.top_floor_minute WHERE bucket < cutoff_time;
    GET DIAGNOSTICS floor_rows = ROW_COUNT;
    DELETE FROM edgelog.site_admission WHERE bucket < cutoff_time;
    GET DIAGNOSTICS admission_rows = ROW_COUNT;
    DELETE FROM edgelog.attack_sample_minute WHERE bucket < cutoff_time;
    GET DIAGNOSTICS sample_rows = ROW_COUNT;
    RETURN ip_rows + path_rows + floor_rows + admission_rows + sample_rows;
END
$function$;

REVOKE EXECUTE ON FUNCTION edgelog.delete_sketch_rows_before(date) FROM PUBLIC;

INSERT INTO edgelog.schema_migrations (version, name) VALUES (4, 'attacks');

"""#
    )
}
