-- 101_finding_marks.sql — the office's review of single findings (issue 17,
-- item 1): a viewer or admin above the entity marks a finding 确认
-- ('confirmed': must be corrected) or 不予采纳 ('dismissed', with a reason).
--
-- A finding is known by (entity, year, code, path), not by revision: the
-- judgement is recomputed (new revisions, last year's report, deadlines), and
-- a mark must survive that as long as the same finding is still there.  So
-- the marks are append-only rows, and which of them are in force is decided
-- when read (gk_findings_with_marks): the latest mark of a key whose finding
-- is in the current judgement and has been in every revision since the mark
-- (gk_mark_continuous).  Every other mark — superseded, or its finding
-- gone — is history.  Nothing has to be moved when a judgement changes,
-- whoever changes it (routes_submit.c, deadlines, re-judgement of next year).

CREATE TABLE finding_marks (
    id         bigserial PRIMARY KEY,
    entity     text NOT NULL REFERENCES regions(code),
    year       integer NOT NULL,
    code       text NOT NULL,
    path       text NOT NULL,
    mark       text NOT NULL CHECK (mark IN ('confirmed', 'dismissed')),
    reason     text NOT NULL DEFAULT '',
    revision   integer NOT NULL,              -- the current revision when marked
    message    text NOT NULL DEFAULT '',      -- the finding's message then (for history)
    severity   text NOT NULL DEFAULT '',
    token_id   bigint,
    at         timestamptz NOT NULL DEFAULT now(),
    CHECK (mark <> 'dismissed' OR btrim(reason) <> '')
);
CREATE INDEX finding_marks_report ON finding_marks (entity, year, code, path, id);
-- the marks of a year (gk_marks_in_force: compliance, the supervision list)
CREATE INDEX finding_marks_year ON finding_marks (year, entity, code, path, id);

CREATE FUNCTION gk_finding_marks_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'finding marks are append-only';
END $$;
CREATE TRIGGER finding_marks_append_only BEFORE UPDATE OR DELETE ON finding_marks
    FOR EACH ROW EXECUTE FUNCTION gk_finding_marks_append_only();

-- Whether the finding (code, path) marked on revision rev has been there
-- ever since: every later revision's judgement at submission has it too.
-- A finding that disappeared takes its mark to history for good — if the
-- same finding comes back later, it is a new problem the office has not
-- seen, not the one it dismissed.
CREATE FUNCTION gk_mark_continuous(e text, y integer, fcode text, fpath text, rev integer) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT NOT EXISTS (SELECT 1 FROM reports r WHERE r.entity = e AND r.year = y AND r.revision > rev
                       AND NOT r.findings @> jsonb_build_array(jsonb_build_object('code', fcode, 'path', fpath)))
$$;

-- The findings f of (e, y), each with its mark in force (if any) merged in
-- as "mark": {mark, label, reason, by, at, revision}.  f is the current
-- judgement (coalesce(report_current.findings, reports.findings)); order kept.
CREATE FUNCTION gk_findings_with_marks(e text, y integer, f jsonb) RETURNS jsonb
    LANGUAGE plpgsql STABLE AS $$
BEGIN
    -- plpgsql, not sql: its plans are cached per session, where a non-inlined
    -- SQL function is planned again on every call (~50 µs; 2 s over the
    -- nation's 41,352 units).  Readers over many units use
    -- gk_marks_in_force instead.
    IF f IS NULL OR NOT EXISTS (SELECT 1 FROM finding_marks m WHERE m.entity = e AND m.year = y) THEN
        RETURN f;
    END IF;
    RETURN (SELECT coalesce(jsonb_agg(CASE WHEN m.mark IS NULL OR NOT gk_mark_continuous(e, y, m.code, m.path, m.revision)
                  THEN x.v ELSE x.v || jsonb_build_object('mark',
                  jsonb_build_object('mark', m.mark, 'label', CASE m.mark WHEN 'confirmed' THEN '确认' ELSE '不予采纳' END,
                      'reason', m.reason, 'by', m.token_id, 'revision', m.revision,
                      'at', to_char(m.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))) END
                  ORDER BY x.i), '[]'::jsonb)
            FROM jsonb_array_elements(f) WITH ORDINALITY x(v, i)
            LEFT JOIN LATERAL (SELECT m.code, m.path, m.mark, m.reason, m.token_id, m.revision, m.at FROM finding_marks m
                WHERE m.entity = e AND m.year = y AND m.code = x.v->>'code' AND m.path = coalesce(x.v->>'path', '')
                ORDER BY m.id DESC LIMIT 1) m ON true);
END $$;

-- The marks in force of every unit of year y, set-based: what compliance and
-- the supervision list join (one row per marked finding, keyed by
-- code || ' ' || path — neither contains a space), so the nation's answer
-- costs one pass over the marks instead of one function call per unit.
-- The same rule as gk_findings_with_marks.
-- p: a region's path (regions.path); only the units at or below it.
CREATE FUNCTION gk_marks_in_force(y integer, p text[]) RETURNS TABLE (entity text, key text, mark jsonb)
    LANGUAGE sql STABLE AS $$
    SELECT l.entity, l.code || ' ' || l.path,
           jsonb_build_object('mark', l.mark, 'label', CASE l.mark WHEN 'confirmed' THEN '确认' ELSE '不予采纳' END,
               'reason', l.reason, 'by', l.token_id, 'revision', l.revision,
               'at', to_char(l.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
    FROM (SELECT DISTINCT ON (m.entity, m.code, m.path) m.* FROM finding_marks m WHERE m.year = y
          ORDER BY m.entity, m.code, m.path, m.id DESC) l
    JOIN regions g ON g.code = l.entity AND g.path >= p AND g.path < (p || '~'::text)
    JOIN report_current c ON c.entity = l.entity AND c.year = y
    JOIN reports r ON r.entity = c.entity AND r.year = c.year AND r.revision = c.revision
    WHERE coalesce(c.findings, r.findings) @> jsonb_build_array(jsonb_build_object('code', l.code, 'path', l.path))
      AND gk_mark_continuous(l.entity, y, l.code, l.path, l.revision)
$$;

-- Marks finding (code, path) of (e, y).  Returns 'ok', 'no_report' or
-- 'no_finding' (not in the current judgement: nothing to mark).  The caller
-- has checked role, scope and the reason.  Under the (entity, year) lock a
-- submission takes, so the finding checked is the one the mark is kept for.
CREATE FUNCTION gk_finding_mark(e text, y integer, fcode text, fpath text, mk text, why text, tok bigint,
                                peer text, rid text)
    RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    cur integer;
    fnd jsonb;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext(e), y);
    SELECT c.revision, x.v INTO cur, fnd
        FROM report_current c JOIN reports r ON r.entity = c.entity AND r.year = c.year AND r.revision = c.revision
        LEFT JOIN LATERAL (SELECT v FROM jsonb_array_elements(coalesce(c.findings, r.findings)) v
                           WHERE v->>'code' = fcode AND coalesce(v->>'path', '') = fpath LIMIT 1) x ON true
        WHERE c.entity = e AND c.year = y;
    IF cur IS NULL THEN
        RETURN 'no_report';
    END IF;
    IF fnd IS NULL THEN
        RETURN 'no_finding';
    END IF;
    INSERT INTO finding_marks (entity, year, code, path, mark, reason, revision, message, severity, token_id)
        VALUES (e, y, fcode, fpath, mk, why, cur, coalesce(fnd->>'message', ''), coalesce(fnd->>'severity', ''), tok);
    INSERT INTO audit (token_id, action, entity, year, revision, peer, request_id)
        VALUES (tok, 'finding_' || mk, e, y, cur, peer, rid);
    -- compliance and the supervision list show marks: their ETag (and every
    -- daemon's answer cache, 040_notify.sql) must move
    INSERT INTO region_changes (region, year, shard, counter)
        SELECT a, y, pg_backend_pid() & 15, 1 FROM unnest((SELECT g.path FROM regions g WHERE g.code = e)) a
        ON CONFLICT (region, year, shard) DO UPDATE SET counter = region_changes.counter + 1;
    RETURN 'ok';
END $$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gongkai_daemon') THEN
        GRANT SELECT, INSERT ON finding_marks TO gongkai_daemon;
        GRANT USAGE ON SEQUENCE finding_marks_id_seq TO gongkai_daemon;
    END IF;
END $$;
