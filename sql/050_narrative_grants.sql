-- 050_narrative_grants.sql — what the daemon role (030_daemon_role.sql)
-- needs of 010_narrative.sql's tables: the similar pairs are replaced at
-- each submission (delete + insert), the registry generation is read.
-- (After 030, which creates the role; skipped when it does not exist.)
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gongkai_daemon') THEN
        GRANT SELECT, INSERT, DELETE ON narrative_pairs TO gongkai_daemon;
        GRANT SELECT ON registry_generation TO gongkai_daemon;
    END IF;
END $$;
