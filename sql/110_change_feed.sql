-- 110_change_feed.sql — the change feed (issue 18 item 2, docs/api.md
-- "GET /api/v1/changes"): one row per new revision, judgement change,
-- review change, deadline change and registry change, written by triggers
-- inside the writer's own transaction, so every writer counts (a daemon,
-- the CLI, an operator in psql) and a rolled-back change leaves no row.
--
-- Why the transaction id and not just a serial: seq is assigned at insert,
-- not at commit, so a reader that has seen seq 7 may later find seq 5
-- committed behind it.  Each row keeps its writer's xid8; a reader takes
-- only rows whose xid is below its snapshot's xmin (every transaction
-- below xmin has committed or aborted: nothing can appear there later)
-- and orders them by (xid, seq).  The cursor is that pair: resuming after
-- it never skips nor repeats a row, whichever daemon answers and across
-- restarts, because the cursor lives with the client and the rows here.

CREATE TABLE change_log (
    xid      xid8 NOT NULL DEFAULT pg_current_xact_id(),
    seq      bigserial,
    kind     text NOT NULL CHECK (kind IN ('revision', 'judgement', 'review', 'deadline', 'region')),
    entity   text NOT NULL,           -- the report's entity, the deadline's or the registry's region
    year     integer,                 -- NULL for registry changes
    revision integer,                 -- the revision concerned; NULL for deadlines and regions
    at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (xid, seq)
);

-- A new revision (reports is append-only: inserts only).
CREATE FUNCTION gk_change_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO change_log (kind, entity, year, revision, at)
        VALUES ('revision', NEW.entity, NEW.year, NEW.revision, NEW.submitted_at);
    RETURN NULL;
END $$;
CREATE TRIGGER reports_change_log AFTER INSERT ON reports
    FOR EACH ROW EXECUTE FUNCTION gk_change_revision();

-- The current judgement of a revision changed (a re-judgement: last
-- year's report, a similar report, a deadline).  A new revision moves
-- report_current too; that is the 'revision' row above, not this one.
CREATE FUNCTION gk_change_judgement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO change_log (kind, entity, year, revision) VALUES ('judgement', NEW.entity, NEW.year, NEW.revision);
    RETURN NULL;
END $$;
CREATE TRIGGER report_current_change_log AFTER UPDATE ON report_current
    FOR EACH ROW WHEN (OLD.revision = NEW.revision AND (OLD.status IS DISTINCT FROM NEW.status
                       OR OLD.findings IS DISTINCT FROM NEW.findings))
    EXECUTE FUNCTION gk_change_judgement();

-- The office's review state of a report (100_review.sql).
CREATE FUNCTION gk_change_review() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO change_log (kind, entity, year, revision) VALUES ('review', NEW.entity, NEW.year, NEW.revision);
    RETURN NULL;
END $$;
CREATE TRIGGER report_review_change_log AFTER INSERT OR UPDATE ON report_review
    FOR EACH ROW EXECUTE FUNCTION gk_change_review();

-- A deadline set, moved or unset.
CREATE FUNCTION gk_change_deadline() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO change_log (kind, entity, year) VALUES ('deadline', OLD.region, OLD.year);
    ELSIF TG_OP = 'INSERT' OR OLD.date IS DISTINCT FROM NEW.date THEN
        INSERT INTO change_log (kind, entity, year) VALUES ('deadline', NEW.region, NEW.year);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER deadlines_change_log AFTER INSERT OR UPDATE OR DELETE ON deadlines
    FOR EACH ROW EXECUTE FUNCTION gk_change_deadline();

-- Registry: statement triggers with transition tables, so an import of
-- 41,352 rows is three set-based inserts, not 41,352 trigger calls.  An
-- import rewrites every row (an upsert, then the paths and counts): only a
-- region whose name, parent, level or path really changed is a change, and
-- one region is logged once per transaction.
CREATE FUNCTION gk_change_regions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO change_log (kind, entity)
            SELECT 'region', n.code FROM new_rows n
            WHERE NOT EXISTS (SELECT 1 FROM change_log l WHERE l.xid = pg_current_xact_id()
                              AND l.kind = 'region' AND l.entity = n.code)
            ORDER BY n.code;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO change_log (kind, entity)
            SELECT 'region', n.code FROM new_rows n JOIN old_rows o ON o.code = n.code
            WHERE (o.name, o.parent, o.level, o.path) IS DISTINCT FROM (n.name, n.parent, n.level, n.path)
              AND NOT EXISTS (SELECT 1 FROM change_log l WHERE l.xid = pg_current_xact_id()
                              AND l.kind = 'region' AND l.entity = n.code)
            ORDER BY n.code;
    ELSE
        INSERT INTO change_log (kind, entity)
            SELECT 'region', o.code FROM old_rows o ORDER BY o.code;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER regions_change_log_ins AFTER INSERT ON regions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION gk_change_regions();
CREATE TRIGGER regions_change_log_upd AFTER UPDATE ON regions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION gk_change_regions();
CREATE TRIGGER regions_change_log_del AFTER DELETE ON regions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION gk_change_regions();

-- The daemon (030_daemon_role.sql) writes rows through the triggers of its
-- submissions and reviews, and reads the feed.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gongkai_daemon') THEN
        GRANT SELECT, INSERT ON change_log TO gongkai_daemon;
        GRANT USAGE ON SEQUENCE change_log_seq_seq TO gongkai_daemon;
    END IF;
END $$;

-- The revisions stored before this migration, oldest first, so a reader
-- starting from the beginning sees every revision there is.  They share
-- this migration's transaction id; registry, deadline and judgement
-- changes are recorded from here on only.
INSERT INTO change_log (kind, entity, year, revision, at)
    SELECT 'revision', r.entity, r.year, r.revision, r.submitted_at FROM reports r
    ORDER BY r.submitted_at, r.entity, r.year, r.revision;
