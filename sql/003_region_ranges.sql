-- 003_region_ranges.sql — "every township below region R" as an index range.
-- A region's descendants are exactly the rows whose path starts with R's
-- path; with byte-order (C) collation, that is path >= P AND path < P || '~'
-- (codes are digits, '~' sorts after them), a range scan on (level, path)
-- instead of a scan of the whole registry.
ALTER TABLE regions ALTER COLUMN path TYPE text[] COLLATE "C";
CREATE INDEX IF NOT EXISTS regions_level_path ON regions (level, path);
