-- docker/daemon-role.sql — the login role the gongkaid replicas connect as.
--
-- Run by compose's one-shot `daemon-role` service with psql, as the schema
-- owner, after `init` has migrated (sql/030_daemon_role.sql creates the
-- group role gongkai_daemon and its grants).  gongkaid gets LOGIN, the
-- password from $GK_DAEMON_PASSWORD and membership in gongkai_daemon, and
-- nothing else (docs/security.md lists what that allows).  Idempotent: run
-- at every `docker compose up`; a changed password takes effect then.
--
--   GK_DAEMON_PASSWORD=… psql -X -v ON_ERROR_STOP=1 -f daemon-role.sql
\set ON_ERROR_STOP on
SET client_min_messages = warning;
\getenv daemon_password GK_DAEMON_PASSWORD
SELECT length(:'daemon_password') >= 16 AS password_ok \gset
\if :password_ok
\else
    DO $$ BEGIN RAISE EXCEPTION 'GK_DAEMON_PASSWORD must be at least 16 characters'; END $$;
\endif

-- Fails (and stops compose) if gongkai_daemon does not exist: migrate first.
SELECT 'CREATE ROLE gongkaid LOGIN IN ROLE gongkai_daemon'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gongkaid') \gexec
SELECT format('ALTER ROLE gongkaid WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION'
              ' NOBYPASSRLS INHERIT PASSWORD %L', :'daemon_password') \gexec
-- (INHERIT: gongkai_daemon's grants apply without SET ROLE.)
GRANT gongkai_daemon TO gongkaid;
