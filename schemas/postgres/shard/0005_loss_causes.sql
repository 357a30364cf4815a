-- edgelog shard schema, migration 0005 (loss_causes): the file bytes the shipper never read,
-- split by cause.
--
-- Same rules as 0001: applied in one transaction by `edgelog db init`; this file and
-- Sources/EdgelogSchema/ShardMigration0005.swift are byte-identical; never edited once applied.

-- The parts of lost_bytes the shipper's control records attribute to a cause (record fields
-- lostBytesReplaced, lostBytesUnfinished): content replaced by copytruncate before it was read,
-- and a finished file's last line without a newline. lost_bytes stays the total of every cause,
-- so the third, deleted unread, is lost_bytes - lost_bytes_replaced - lost_bytes_unfinished.
-- Rows from before this migration, and records of shippers that predate the fields, carry 0
-- here: all of their loss reads as deleted unread.
ALTER TABLE edgelog.file_audit
    ADD COLUMN lost_bytes_replaced bigint NOT NULL DEFAULT 0,
    ADD COLUMN lost_bytes_unfinished bigint NOT NULL DEFAULT 0;

INSERT INTO edgelog.schema_migrations (version, name) VALUES (5, 'loss_causes');
