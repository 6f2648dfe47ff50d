-- 020_rollup_shards.sql — spread the hot aggregate rows over 16 shards.
--
-- Why: every submission adds its delta to the rollup and change-counter
-- rows of all its ancestors, so the rows of 全国 and of each province were
-- written by every transaction and held locked until its commit had been
-- flushed: submissions ran one at a time (bench/run: ~130/s with 8 clients
-- against pgbench's ~1,800 jsonb inserts/s on the same cluster).  With a
-- shard column, a transaction writes only its connection's shard
-- (pg_backend_pid() & 15), so the pool's connections do not wait on each
-- other; readers add the shards up (at most 16 small rows).  Sums stay
-- exact: a shard row may hold a negative delta, only the total matters.
ALTER TABLE rollup ADD COLUMN shard smallint NOT NULL DEFAULT 0;
ALTER TABLE rollup DROP CONSTRAINT rollup_pkey;
ALTER TABLE rollup ADD PRIMARY KEY (region, year, format, shard);

ALTER TABLE region_changes ADD COLUMN shard smallint NOT NULL DEFAULT 0;
ALTER TABLE region_changes DROP CONSTRAINT region_changes_pkey;
ALTER TABLE region_changes ADD PRIMARY KEY (region, year, shard);
