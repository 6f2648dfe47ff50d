-- 002_generation.sql — a global generation number, advanced by every change
-- of the region registry or of deadlines.  Rollup and compliance ETags are
-- (region_changes.counter, this), so a poll is answered 304 without
-- computing anything when nothing changed.
CREATE SEQUENCE gk_generation;
SELECT nextval('gk_generation');
