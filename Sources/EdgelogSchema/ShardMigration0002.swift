// Generated from schemas/postgres/shard/0002_sketches.sql; the two must stay byte-identical (MigrationFilesTests).
// Edit both or neither, and never edit a migration that has been applied anywhere: add one.

extension Migration {
    /// Shard migration 2: the hll column, folded lines, top-talker and admission tables.
    static let shard0002 = Migration(
        version: 2,
        name: "sketches",
        sql: #"""
-- edgelog shard schema, migration 0002 (sketches): unique client IPs, top talkers, the site cap.
--
-- Same rules as 0001: applied in one transaction by `edgelog db init`; this file and
-- Sources/EdgelogSchema/ShardMigration0002.swift are byte-identical; never edited once applied.
--
-- Needs the hll extension (Debian: postgresql-15-hll) installed on the server, and a role that
-- may CREATE EXTENSION (a superuser, or the database owner once hll is trusted).

CREATE EXTENSION IF NOT EXISTS hll;

-- Unique client IPs of the row: the extension's default parameters, fixed in the type, so every
-- value unions with every other. Each IP is hashed as hll_hash_bytea(<4 or 16 address bytes,
-- network order>): the consumer's values are byte-identical to hll_add_agg over the same IPs.
-- NULL = no request with a known client IP in the row (as hll_add_agg over no rows).
ALTER TABLE edgelog.site_minute ADD COLUMN unique_ips hll(11, 5, -1, 1);
ALTER TABLE edgelog.site_hour ADD COLUMN unique_ips hll(11, 5, -1, 1);
ALTER TABLE edgelog.site_day ADD COLUMN unique_ips hll(11, 5, -1, 1);

-- Request lines counted under the site `(other)` because their own site was beyond the
-- consumer's per-minute site cap (DESIGN section 5, cardinality).
ALTER TABLE edgelog.file_audit ADD COLUMN folded_lines bigint NOT NULL DEFAULT 0;

-- Top talkers per (minute, site) from the consumer's Space-Saving sketches: for each flush, the
-- sketch's top keys with their count (an upper bound of the key's requests in that flush) and
-- error (count - error is a lower bound). Rows add on conflict, so a key's row over a minute is
-- the sum over flushes. Paths are without query strings (they carry tokens).
CREATE TABLE edgelog.top_ip_minute (
    shard_id int NOT NULL,
    bucket timestamptz NOT NULL,
    site text NOT NULL,
    client_ip inet NOT NULL,
    requests bigint NOT NULL DEFAULT 0,
    error bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, site, client_ip, shard_id)
);

CREATE TABLE edgelog.top_path_minute (
    shard_id int NOT NULL,
    bucket timestamptz NOT NULL,
    site text NOT NULL,
    path text NOT NULL,
    requests bigint NOT NULL DEFAULT 0,
    error bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, site, path, shard_id)
);

-- Per (minute, site): summed over flushes, the most requests any key NOT written to the
-- top-talker rows of that flush could have had (the sketch's floor). So for a listed key,
-- requests - error <= its true count <= requests + ip_floor (path_floor for paths).
CREATE TABLE edgelog.top_floor_minute (
    shard_id int NOT NULL,
    bucket timestamptz NOT NULL,
    site text NOT NULL,
    ip_floor bigint NOT NULL DEFAULT 0,
    path_floor bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, site, shard_id)
);

-- The sites that have rows of their own in a minute under the cap. Written in every flush
-- transaction of every shard before any row that depends on the decision, and read back from
-- all shards at start, so a replay after a crash folds exactly the sites the first run folded.
CREATE TABLE edgelog.site_admission (
    bucket timestamptz NOT NULL,
    site text NOT NULL,
    PRIMARY KEY (bucket, site)
);

-- The retention job's second half: deletes top-talker and admission rows before `cutoff`
-- 00:00 UTC (site_minute's partitions are dropped by drop_minute_partitions_before) and
-- returns how many rows went.
CREATE FUNCTION edgelog.delete_sketch_rows_before(cutoff date) RETURNS bigint
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
    RETURN ip_rows + path_rows + floor_rows + admission_rows;
END
$function$;

REVOKE EXECUTE ON FUNCTION edgelog.delete_sketch_rows_before(date) FROM PUBLIC;

INSERT INTO edgelog.schema_migrations (version, name) VALUES (2, 'sketches');

"""#
    )
}
