-- edgelog coordinator schema, migration 0005 (loss_causes): the shards' lost bytes by cause
-- (shard migration 0005) on the coordinator and in file_audit_totals.
--
-- Same rules as 0001: applied in one transaction by `edgelog db init`; this file and
-- Sources/EdgelogSchema/CoordinatorMigration0005.swift are byte-identical; never edited once applied.

-- The parent gets the shards' new columns (ALTER on a partitioned parent reaches the foreign
-- partitions too; shards defined later inherit them through PARTITION OF).
ALTER TABLE edgelog.file_audit
    ADD COLUMN lost_bytes_replaced bigint NOT NULL DEFAULT 0,
    ADD COLUMN lost_bytes_unfinished bigint NOT NULL DEFAULT 0;

-- 0002's view with the two parts appended (CREATE OR REPLACE VIEW may only add columns at the
-- end) and the third, deleted unread, computed: lost_bytes is the total of every cause.
-- Clamped at 0 per shard and file so that a row whose parts exceed its total cannot read as a
-- negative loss.
CREATE OR REPLACE VIEW public.file_audit_totals AS
SELECT
    edge,
    source_file,
    sum(shipped_lines)::bigint AS shipped_lines,
    sum(lost_lines)::bigint AS lost_lines,
    sum(lost_bytes)::bigint AS lost_bytes,
    sum(counted_lines)::bigint AS counted_lines,
    sum(stats_records)::bigint AS stats_records,
    sum(folded_lines)::bigint AS folded_lines,
    sum(lost_bytes_replaced)::bigint AS lost_bytes_replaced,
    sum(lost_bytes_unfinished)::bigint AS lost_bytes_unfinished,
    sum(greatest(lost_bytes - lost_bytes_replaced - lost_bytes_unfinished, 0))::bigint AS lost_bytes_deleted_unread
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
        sum(folded_lines) AS folded_lines,
        sum(lost_bytes_replaced) AS lost_bytes_replaced,
        sum(lost_bytes_unfinished) AS lost_bytes_unfinished
    FROM edgelog.file_audit
    GROUP BY shard_id, edge, source_file
) AS per_shard
GROUP BY edge, source_file;

INSERT INTO edgelog.schema_migrations (version, name) VALUES (5, 'loss_causes');
