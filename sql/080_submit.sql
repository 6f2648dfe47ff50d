-- 080_submit.sql — a submission's reads as one statement, and its writes
-- as one (issue 14): round trips were most of a submission's cost.
--
-- Until now POST /api/v1/reports made 11–13 round trips in one transaction
-- (idempotency lock and check, the registry generation, the judgement
-- locks, the context, the similar candidates, the INSERT, the bookkeeping,
-- the review hook, one rollup delta per format, the narrative store, …).
-- On this 2-core machine a round trip is not cheap: pgbench running one
-- insert between 12 × SELECT 1 halves its rate (docs/performance.md).  Now:
--   BEGIN; SELECT gk_submit_read(…); [judge in the daemon]
--   SELECT gk_submit_write(…); [re-judgement of others, when any]; COMMIT
-- and POST /api/v1/check is one gk_submit_read without locks.
--
-- Same promises as before: the reads run after the locks in the same
-- function; a VOLATILE PL/pgSQL function takes a fresh snapshot per
-- statement under READ COMMITTED, so what is read after the locks sees
-- every transaction committed before them (sql/060_judgement_locks.sql).

-- The current revision of each report: report_current (the pointer and
-- its current judgement) with the revision's row.  One place for the join
-- the daemon wrote out in many statements.
CREATE VIEW gk_current AS
    SELECT c.entity, c.year, c.revision, c.format, c.first_submitted_at,
           coalesce(c.status, r.status) AS status, coalesce(c.findings, r.findings) AS findings,
           r.body, r.body_text, r.content_hash, r.submitted_at, r.token_id
    FROM report_current c
    JOIN reports r ON r.entity = c.entity AND r.year = c.year AND r.revision = c.revision;

-- The deadline of report year y for a region with ancestor path p (root
-- first): the nearest ancestor's entry in deadlines, else 31 January of
-- y + 1.  Written once here for every statement (store.h's GK_SQL_DEADLINE
-- calls it); lib/rules.c has the same default for the offline check.
-- PL/pgSQL so that its plan is cached per session.
CREATE FUNCTION gk_deadline(p text[], y integer) RETURNS date LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN coalesce((SELECT d.date FROM deadlines d WHERE d.year = y AND d.region = ANY (p)
                     ORDER BY array_position(p, d.region) DESC LIMIT 1),
                    make_date(y + 1, 1, 31));
END $$;

-- narrative.similar's candidates: the same-year reports sharing an LSH band
-- with the signature, at or above min_same equal MinHash values, as a JSON
-- array [{"entity","name","similarity","body"}] (most similar first; the
-- other report's text comes along so shared passages can be named).  A
-- signature's empty slots are -1: never equal.  At most 1,000 candidates:
-- a report cannot be similar to more than a few hundred in any useful way.
-- Every step is a LATERAL behind OFFSET 0, driven by the band keys: one
-- index probe per band key, then per candidate its signature, name and
-- text, whatever plan PostgreSQL picks.  Without these fences the generic
-- plan, made while the year had few reports, started from all of the
-- year's reports (auto_explain under the service bench: PostgreSQL's CPU per
-- submission 4 → 13 ms, growing with N; docs/performance.md).
-- PL/pgSQL, not SQL: a SQL function that cannot be inlined is planned again
-- on every call, and planning was a third of this query's cost (060's note).
-- Generic plans, always: PostgreSQL kept planning this and gk_submit_read's
-- context query afresh on every call (pg_stat_statements under the service
-- bench: 1.3 and 0.6 ms of planning per call; read 3.6 → 1.9 ms), and the
-- statements are written so that their generic plans are index probes.
-- Parameters are prefixed where a column has the same name.
CREATE FUNCTION gk_similar_candidates(e text, y integer, p_sig bigint[], p_bands bigint[], min_same integer,
                                      sig_n integer)
    RETURNS text LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    RETURN (SELECT coalesce(json_agg(json_build_object('entity', c.entity, 'name', x.name,
             'similarity', c.same::float8 / sig_n, 'body', x.body_text) ORDER BY c.same DESC, c.entity), '[]')::text
    FROM (SELECT DISTINCT h.entity
          FROM (SELECT m.entity FROM unnest(p_bands) WITH ORDINALITY AS q(key, band),
                LATERAL (SELECT b.entity FROM narrative_bands b WHERE b.year = y AND b.band = q.band - 1
                         AND b.key = q.key AND b.entity <> e OFFSET 0) m
                LIMIT 1000) h) m,
         LATERAL (SELECT n.entity, (SELECT count(*) FROM unnest(n.sig, p_sig) AS u(x, z) WHERE x = z AND x <> -1)
                         AS same
                  FROM narrative_sig n WHERE n.entity = m.entity AND n.year = y OFFSET 0) c,
         LATERAL (SELECT g.name, k.body_text FROM regions g JOIN gk_current k ON k.entity = g.code AND k.year = y
                  WHERE g.code = c.entity OFFSET 0) x
    WHERE c.same >= min_same);
END
$$;

-- Everything a submission (lock = true, inside its transaction) or a check
-- (lock = false) reads before judging, in one row.  outcome:
--   'replay'  the Idempotency-Key was used before: idem_* and the revision
--             it names (idem_revision NULL: that revision is missing);
--   'names'   the registry changed since generation gen: reload the names,
--             recompute the signature and call again (no judgement lock
--             taken yet, so the second call takes them all in order);
--   'context' the context of the judgement and the similar candidates.
CREATE FUNCTION gk_submit_read(e text, y integer, gen bigint, bands bigint[], sig bigint[], min_same integer,
                               sig_n integer, tok bigint, ikey text, lock boolean)
    RETURNS TABLE (outcome text,
                   idem_entity text, idem_year integer, idem_hash text, idem_format text, idem_revision integer,
                   idem_status text, idem_at text, idem_findings text,
                   path text, revision integer, content_hash text, submitted_at text, status text,
                   findings text, body_text text, first_day text, prev_body text, deadline text, today text,
                   format text, has_next boolean, review text, partners text)
    LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
    i record;
BEGIN
    IF ikey IS NOT NULL THEN
        -- two concurrent uses of one key cannot both pass the check
        PERFORM pg_advisory_xact_lock(hashtext(tok::text), hashtext(ikey));
        SELECT d.entity, d.year, d.revision, d.content_hash INTO i
            FROM idempotency d WHERE d.token_id = tok AND d.key = ikey;
        IF FOUND THEN
            RETURN QUERY SELECT 'replay'::text, i.entity, i.year, i.content_hash, r.format, r.revision, r.status,
                to_char(r.submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), r.findings::text,
                NULL::text, NULL::integer, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
                NULL::text, NULL::text, NULL::text, NULL::text, NULL::boolean, NULL::text, NULL::text
                FROM (SELECT 1) one
                LEFT JOIN reports r ON r.entity = i.entity AND r.year = i.year AND r.revision = i.revision;
            RETURN;
        END IF;
    END IF;
    IF (SELECT n FROM registry_generation) <> gen THEN
        RETURN QUERY SELECT 'names'::text, NULL::text, NULL::integer, NULL::text, NULL::text, NULL::integer,
            NULL::text, NULL::text, NULL::text, NULL::text, NULL::integer, NULL::text, NULL::text, NULL::text,
            NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::boolean,
            NULL::text, NULL::text;
        RETURN;
    END IF;
    IF lock THEN
        PERFORM gk_lock_submission(e, y, bands);
    END IF;
    -- a fresh snapshot: sees every commit before the locks
    RETURN QUERY
    SELECT 'context'::text, NULL::text, NULL::integer, NULL::text, NULL::text, NULL::integer, NULL::text,
        NULL::text, NULL::text,
        g.path::text, c.revision, c.content_hash,
        to_char(c.submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), c.status, c.findings::text,
        c.body_text, to_char(c.first_submitted_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'),
        (SELECT p.body_text FROM gk_current p WHERE p.entity = e AND p.year = y - 1),
        to_char(gk_deadline(g.path, y), 'YYYY-MM-DD'),
        to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'),
        c.format,
        EXISTS (SELECT 1 FROM report_current n WHERE n.entity = e AND n.year = y + 1),
        (SELECT v.state FROM report_review v WHERE v.entity = e AND v.year = y),
        CASE WHEN sig IS NULL THEN '[]' ELSE gk_similar_candidates(e, y, sig, bands, min_same, sig_n) END
    FROM (SELECT e AS code) k
    LEFT JOIN regions g ON g.code = k.code
    LEFT JOIN gk_current c ON c.entity = k.code AND c.year = y;
END $$;

-- A new revision's writes, after the daemon judged it: the revision, the
-- current pointer with its judgement, audit, change counters, the
-- idempotency key, the review hook, the rollup deltas (one per format
-- involved: d2_* NULL unless the format changed), the signature, bands and
-- pairs.  Returns the revision's submitted_at and the entities this one
-- was similar to before as a JSON array (they are re-judged).  Rollup and change rows go
-- to this connection's shard (sql/020_rollup_shards.sql).
CREATE FUNCTION gk_submit_write(e text, y integer, rev integer, fmt text, p_body text, hash text, tok bigint,
                                st text, fnd jsonb, ne integer, nw integer, ni integer,
                                peer text, rid text, anc text[], ikey text,
                                d1_fmt text, d1_n integer, d1_sums bigint[], d1_num bigint[], d1_null bigint[],
                                d2_fmt text, d2_n integer, d2_sums bigint[], d2_num bigint[], d2_null bigint[],
                                p_sig bigint[], p_bands bigint[], p_pairs jsonb,
                                OUT submitted_at text, OUT old_partners text)
    LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    my_shard integer := pg_backend_pid() & 15;
    t_at timestamptz;
BEGIN
    INSERT INTO reports (entity, year, revision, format, body, body_text, content_hash, token_id, status,
                         findings, errors, warnings, infos)
        VALUES (e, y, rev, fmt, p_body::jsonb, p_body, hash, tok, st, fnd, ne, nw, ni)
        RETURNING reports.submitted_at INTO t_at;
    -- this revision's judgement is also the current one
    INSERT INTO report_current (entity, year, revision, format, first_submitted_at, status, findings, errors,
                                warnings, infos)
        VALUES (e, y, rev, fmt, now(), st, fnd, ne, nw, ni)
        ON CONFLICT (entity, year) DO UPDATE SET revision = EXCLUDED.revision, format = EXCLUDED.format,
            status = EXCLUDED.status, findings = EXCLUDED.findings, errors = EXCLUDED.errors,
            warnings = EXCLUDED.warnings, infos = EXCLUDED.infos;
    INSERT INTO audit (token_id, action, entity, year, revision, peer, request_id)
        VALUES (tok, 'submit', e, y, rev, peer, rid);
    INSERT INTO region_changes (region, year, shard, counter)
        SELECT a, y, my_shard, 1 FROM unnest(anc) a
        ON CONFLICT (region, year, shard) DO UPDATE SET counter = region_changes.counter + 1;
    IF ikey IS NOT NULL THEN
        INSERT INTO idempotency (token_id, key, entity, year, revision, content_hash)
            VALUES (tok, ikey, e, y, rev, hash);
    END IF;
    -- a returned report's new revision is resubmitted for review
    PERFORM gk_review_on_submit(e, y, rev, tok);
    INSERT INTO rollup (region, year, format, shard, reports, sums, n_number, n_null)
        SELECT a, y, d.f, my_shard, d.n, d.s, d.nn, d.nl
        FROM unnest(anc) a,
             (VALUES (d1_fmt, d1_n, d1_sums, d1_num, d1_null), (d2_fmt, d2_n, d2_sums, d2_num, d2_null))
                 AS d(f, n, s, nn, nl)
        WHERE d.f IS NOT NULL
        ON CONFLICT (region, year, format, shard) DO UPDATE SET reports = rollup.reports + EXCLUDED.reports,
            sums = gk_array_add(rollup.sums, EXCLUDED.sums),
            n_number = gk_array_add(rollup.n_number, EXCLUDED.n_number),
            n_null = gk_array_add(rollup.n_null, EXCLUDED.n_null);
    -- the signature (empty when the prose is too short to judge), bands, pairs
    DELETE FROM narrative_bands b WHERE b.entity = e AND b.year = y;
    INSERT INTO narrative_sig (entity, year, revision, sig) VALUES (e, y, rev, coalesce(p_sig, '{}'))
        ON CONFLICT (entity, year) DO UPDATE SET revision = EXCLUDED.revision, sig = EXCLUDED.sig;
    INSERT INTO narrative_bands (year, band, key, entity)
        SELECT y, (t.band - 1)::smallint, t.key, e FROM unnest(p_bands) WITH ORDINALITY AS t(key, band);
    WITH dp AS (DELETE FROM narrative_pairs p WHERE p.year = y AND (p.a = e OR p.b = e)
                RETURNING CASE WHEN p.a = e THEN p.b ELSE p.a END AS other)
    SELECT coalesce(json_agg(DISTINCT other), '[]')::text INTO old_partners FROM dp;
    INSERT INTO narrative_pairs (year, a, b, similarity)
        SELECT y, x.a, x.b, p.similarity FROM jsonb_to_recordset(p_pairs) AS p(entity text, similarity real),
        LATERAL (VALUES (e, p.entity), (p.entity, e)) AS x(a, b);
    submitted_at := to_char(t_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
END $$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gongkai_daemon') THEN
        GRANT SELECT ON gk_current TO gongkai_daemon;
    END IF;
END $$;
