-- 041_notify_registry_only.sql — two corrections to 040 (issue 9).
--
-- 1. No notification per submission.  NOTIFY takes a database-wide lock at
--    commit and holds it until the commit record is flushed, so every
--    notifying transaction commits one after another: with the trigger on
--    region_changes, 8 concurrent submitters were serialised on that lock
--    (bench/run.d/service.sh: see docs/scaling.md for the figures), undoing
--    020's sharding.  No cache needs it: the answer cache is keyed by tags
--    read in the request's own query, the judgement's names are checked per
--    request (townships.h).  Registry and token changes, rare, still notify.
--
-- 2. Rollup/compliance ETags take the registry's generation from
--    registry_generation (010), which moves in the writer's transaction,
--    instead of the sequence gk_generation, which moves at nextval — before
--    the import commits: a read in between got the new tag with the old
--    content, cached and served under that tag ever after.  Deadlines move
--    registry_generation too (they change the late lists).
DROP TRIGGER region_changes_notify ON region_changes;
DROP FUNCTION gk_notify_region_change();

CREATE OR REPLACE FUNCTION gk_notify_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('gk_changes', TG_ARGV[0]);
    RETURN NULL;
END $$;

CREATE TRIGGER deadlines_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON deadlines
    FOR EACH STATEMENT EXECUTE FUNCTION gk_registry_changed();

-- The daemon's role (030) reads the generation for every rollup and
-- compliance tag and every judgement.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gongkai_daemon') THEN
        GRANT SELECT ON registry_generation TO gongkai_daemon;
    END IF;
END $$;
