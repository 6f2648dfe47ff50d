-- 100_review.sql — the office's review of a report (issue 17): 待审核 →
-- 退回修改 → 已重新提交 → 已审核, and 重新开启 back to 待审核.  The state
-- belongs to (entity, year) and names the revision it was decided on; every
-- transition is kept in review_history (append-only) and in the audit trail.
-- A transition is one call of gk_review_transition: one statement, hence one
-- transaction, under the same (entity, year) advisory lock a submission takes
-- (060_judgement_locks.sql), so a return and a resubmission never interleave.

CREATE TABLE report_review (
    entity     text NOT NULL REFERENCES regions(code),
    year       integer NOT NULL,
    state      text NOT NULL CHECK (state IN ('pending', 'returned', 'resubmitted', 'accepted')),
    revision   integer NOT NULL,            -- the revision the state was decided on (or resubmitted)
    comment    text NOT NULL DEFAULT '',
    token_id   bigint,
    at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (entity, year)
);

CREATE TABLE review_history (
    id         bigserial PRIMARY KEY,
    entity     text NOT NULL,
    year       integer NOT NULL,
    action     text NOT NULL CHECK (action IN ('return', 'accept', 'reopen', 'resubmit')),
    from_state text NOT NULL,
    to_state   text NOT NULL,
    revision   integer NOT NULL,
    comment    text NOT NULL DEFAULT '',
    token_id   bigint,
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX review_history_report ON review_history (entity, year, id);

-- Applies action to (e, y) for token tok.  Returns one of: 'ok', 'no_report',
-- 'stale_revision' (rev given and not the current one), 'invalid_transition'.
-- The caller has checked role, scope and the comment; this checks the state
-- under the lock.
CREATE FUNCTION gk_review_transition(e text, y integer, act text, rev integer, note text, tok bigint,
                                     peer text, rid text)
    RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    cur integer;
    old text;
    nxt text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext(e), y);
    SELECT c.revision INTO cur FROM report_current c WHERE c.entity = e AND c.year = y;
    IF cur IS NULL THEN
        RETURN 'no_report';
    END IF;
    IF rev IS NOT NULL AND rev <> cur THEN
        RETURN 'stale_revision';
    END IF;
    SELECT coalesce((SELECT v.state FROM report_review v WHERE v.entity = e AND v.year = y), 'pending') INTO old;
    nxt := CASE
        WHEN act = 'return' AND old IN ('pending', 'resubmitted') THEN 'returned'
        WHEN act = 'accept' AND old IN ('pending', 'resubmitted') THEN 'accepted'
        WHEN act = 'reopen' AND old = 'accepted' THEN 'pending'
    END;
    IF nxt IS NULL THEN
        RETURN 'invalid_transition';
    END IF;
    INSERT INTO report_review (entity, year, state, revision, comment, token_id, at)
        VALUES (e, y, nxt, cur, note, tok, now())
        ON CONFLICT (entity, year) DO UPDATE SET state = EXCLUDED.state, revision = EXCLUDED.revision,
            comment = EXCLUDED.comment, token_id = EXCLUDED.token_id, at = EXCLUDED.at;
    INSERT INTO review_history (entity, year, action, from_state, to_state, revision, comment, token_id)
        VALUES (e, y, act, old, nxt, cur, note, tok);
    INSERT INTO audit (token_id, action, entity, year, revision, peer, request_id)
        VALUES (tok, 'review_' || act, e, y, cur, peer, rid);
    -- compliance shows the review state: its ETag (and the answer caches of
    -- every daemon, through 040_notify.sql's trigger) must move as well
    INSERT INTO region_changes (region, year, shard, counter)
        SELECT a, y, pg_backend_pid() & 15, 1 FROM unnest((SELECT g.path FROM regions g WHERE g.code = e)) a
        ON CONFLICT (region, year, shard) DO UPDATE SET counter = region_changes.counter + 1;
    RETURN 'ok';
END $$;

-- Called inside a submission's transaction (which already holds the (e, y)
-- lock) after revision rev was stored: a returned report becomes
-- 'resubmitted'.  The accepted lock is checked by the daemon before.
CREATE FUNCTION gk_review_on_submit(e text, y integer, rev integer, tok bigint) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    UPDATE report_review SET state = 'resubmitted', revision = rev, token_id = tok, at = now()
        WHERE entity = e AND year = y AND state = 'returned';
    IF FOUND THEN
        INSERT INTO review_history (entity, year, action, from_state, to_state, revision, comment, token_id)
            VALUES (e, y, 'resubmit', 'returned', 'resubmitted', rev, '', tok);
    END IF;
END $$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gongkai_daemon') THEN
        GRANT SELECT, INSERT, UPDATE ON report_review TO gongkai_daemon;
        GRANT SELECT, INSERT ON review_history TO gongkai_daemon;
        GRANT USAGE ON SEQUENCE review_history_id_seq TO gongkai_daemon;
    END IF;
END $$;
