-- 060_judgement_locks.sql — a submission locks what its judgement depends
-- on, not the whole year (issue 7, target 2).
--
-- Until now every submission of year Y held gk_lock_judgements(Y): the
-- exclusive advisory locks of Y and Y + 1, so the submissions of a year ran
-- one at a time (bench: 62–68/s with 8 clients, 6–7 backends waiting in
-- Lock:advisory).  What a judgement of (entity E, year Y) actually reads,
-- and what a submission of it writes, is narrower:
--   * last year's report of E, and next year's judgement of E
--       → the (E, Y) and (E, Y + 1) locks, taken in increasing year;
--   * the deadline of Y (and Y + 1, whose lateness findings it re-judges)
--       → the year locks in SHARE mode: the deadline CLI still takes Y
--         exclusively (gk_lock_judgement), so it waits for submissions and
--         they for it, but submissions no longer wait for each other;
--   * the reports of Y whose prose is similar: a candidate shares an LSH
--     band key (004) with E's new signature, and every pair stored with E
--     shared a key with E's stored signature when it was found
--       → one exclusive lock per band key, E's new keys and its stored
--         ones, in ascending order.
-- Two near-identical reports submitted at the same moment share a band key,
-- so the second to take it waits for the first to commit and finds it in
-- its next statement (READ COMMITTED: a fresh snapshot per statement, and
-- advisory locks are released only after the commit is visible).  Whoever
-- re-judges a report (its resubmission, a new similar report, a report
-- leaving a pair) shares a key with it or holds its (entity, year) lock,
-- so no judgement is computed from a report another transaction is
-- changing.  Order: (entity, year) locks, then the year locks, then band
-- keys ascending — every writer takes them in that order: no deadlock.
--
-- gk_lock_judgements (010) stays for daemons of the previous version during
-- a rolling upgrade: its exclusive year locks also exclude this function's
-- shared ones, so old and new daemons remain correct side by side.

-- One advisory lock key per (year, band, key): a bigint key, which lives in
-- another lock space than the (int, int) keys of entities and years.
-- Collisions only make two submissions wait for each other.
CREATE FUNCTION gk_band_lock_key(y integer, band integer, k bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE AS $$
    SELECT k # (band::bigint << 48) # (y::bigint << 20)
$$;

-- new_bands: the new signature's 42 band keys in band order (NULL or empty
-- when the report has too little prose for a signature).
CREATE FUNCTION gk_lock_submission(e text, y integer, new_bands bigint[]) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    k bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext(e), y);
    PERFORM pg_advisory_xact_lock(hashtext(e), y + 1);
    PERFORM pg_advisory_xact_lock_shared(hashtext('gk_judgement'), y);
    PERFORM pg_advisory_xact_lock_shared(hashtext('gk_judgement'), y + 1);
    -- E's stored keys are read after E's lock: only a submission of (E, Y)
    -- changes them, so they cannot move any more in this transaction.
    FOR k IN
        SELECT DISTINCT gk_band_lock_key(y, b.band, b.key) AS key
        FROM (SELECT (t.band - 1)::integer AS band, t.key
              FROM unnest(coalesce(new_bands, '{}'::bigint[])) WITH ORDINALITY AS t(key, band)
              UNION ALL
              SELECT s.band::integer, s.key FROM narrative_bands s WHERE s.entity = e AND s.year = y) b
        ORDER BY 1
    LOOP
        PERFORM pg_advisory_xact_lock(k);
    END LOOP;
END $$;

-- A submission deletes its entity's pairs in both directions (a = E or
-- b = E); without this index the b side scanned every pair of the year.
CREATE INDEX narrative_pairs_b ON narrative_pairs (year, b);
