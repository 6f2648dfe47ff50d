-- 030_daemon_role.sql — least privilege for the running daemon (issue 8,
-- docs/security.md).  gongkai_daemon is a group role (NOLOGIN) holding only
-- what `gongkaid` serving HTTP needs; the login role the daemon connects as
-- is made a member of it:  CREATE ROLE gongkaid LOGIN IN ROLE gongkai_daemon;
-- Administration (`gongkaid migrate`, `regions import`, `token create|revoke`,
-- `deadline set`) stays with the owner of the schema.
--
-- What the daemon may NOT do: change or delete a stored revision (no UPDATE
-- or DELETE on reports; the append-only trigger guards even the owner),
-- create or revoke tokens, change the registry or deadlines, touch the audit
-- trail except appending to it, or run DDL (no CREATE on the schema).
--
-- Creating a role needs CREATEROLE; a migrating user without it gets a
-- notice and the grants are skipped (an administrator then runs this file's
-- statements by hand).  A later migration that adds a table the daemon uses
-- must GRANT on it too: tests/reliability/test_security.c runs the daemon
-- under this role and fails otherwise.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gongkai_daemon') THEN
        IF NOT (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN
            RAISE NOTICE 'gongkai_daemon not created (no CREATEROLE): see docs/security.md';
            RETURN;
        END IF;
        CREATE ROLE gongkai_daemon NOLOGIN;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO gongkai_daemon', current_database());
    GRANT USAGE ON SCHEMA public TO gongkai_daemon;
    -- read-only: the registry, tokens (by hash), deadlines, the generation, migrations
    GRANT SELECT ON regions, tokens, deadlines, schema_migrations TO gongkai_daemon;
    GRANT SELECT ON SEQUENCE gk_generation TO gongkai_daemon;
    -- append-only: revisions, the audit trail, idempotency keys
    GRANT SELECT, INSERT ON reports, idempotency TO gongkai_daemon;
    GRANT INSERT ON audit TO gongkai_daemon;
    GRANT USAGE ON SEQUENCE audit_id_seq TO gongkai_daemon;
    -- maintained state (upserts)
    GRANT SELECT, INSERT, UPDATE ON report_current, rollup, region_changes, narrative_sig TO gongkai_daemon;
    GRANT SELECT, INSERT, DELETE ON narrative_bands TO gongkai_daemon;
END $$;
