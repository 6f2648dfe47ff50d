-- 010_narrative.sql — what the rules that need the whole database keep
-- (issue 6): the pairs of reports found similar (the signatures and band keys
-- are 004's), and the current
-- judgement of each report, which changes when what it depends on changes
-- (last year's report, a similar report of the same year, a deadline) while
-- the revisions themselves stay append-only.  docs/rules.md explains.

-- narrative_sig and narrative_bands come from 004_narrative.sql.  Bands are
-- replaced (delete + insert) in one statement here, so their primary key
-- becomes a plain index: one row per (year, band, key, entity) still holds
-- because a report's 42 keys are replaced together under the judgement lock.
ALTER TABLE narrative_bands DROP CONSTRAINT narrative_bands_pkey;
CREATE INDEX narrative_bands_key ON narrative_bands (year, band, key);

-- Pairs of current reports of one year judged similar, stored in both
-- directions so each side's findings are one index lookup away; a revision
-- replaces its entity's pairs, and both sides are re-judged.
CREATE TABLE narrative_pairs (
    year       integer NOT NULL,
    a          text NOT NULL,
    b          text NOT NULL,
    similarity real NOT NULL
);
CREATE INDEX narrative_pairs_a ON narrative_pairs (year, a);

-- The current judgement of the current revision (reports.findings keeps the
-- judgement made at submission).  NULL: not re-judged since; read
-- coalesce(report_current.x, reports.x).
ALTER TABLE report_current
    ADD COLUMN status   text CHECK (status IN ('ok', 'info', 'warnings', 'errors')),
    ADD COLUMN findings jsonb,
    ADD COLUMN errors   integer,
    ADD COLUMN warnings integer,
    ADD COLUMN infos    integer;
UPDATE report_current c SET status = r.status, findings = r.findings, errors = r.errors,
    warnings = r.warnings, infos = r.infos
FROM reports r WHERE r.entity = c.entity AND r.year = c.year AND r.revision = c.revision;

-- Every write that can change a judgement of year Y (a submission of year Y
-- or Y - 1, a deadline for Y) holds this lock for Y, so a judgement is never
-- computed from inputs another transaction is changing.  Locks are taken in
-- increasing year order after the (entity, year) lock: no deadlock.
CREATE FUNCTION gk_lock_judgement(y integer) RETURNS void LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(hashtext('gk_judgement'), y)
$$;

-- A transactional generation of the region registry: the daemon reloads its
-- township names (narrative.foreign_entity) when this moved.  A statement
-- trigger, so every way of changing regions counts (gk_generation, a
-- sequence, moves before the import commits and cannot be used for this).
CREATE TABLE registry_generation (n bigint NOT NULL);
INSERT INTO registry_generation VALUES (1);
CREATE FUNCTION gk_registry_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE registry_generation SET n = n + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER regions_changed AFTER INSERT OR UPDATE OR DELETE ON regions
    FOR EACH STATEMENT EXECUTE FUNCTION gk_registry_changed();

-- A submission of (entity, year) takes, after its (entity, year) lock, the
-- judgement locks of year and year + 1 (its revision changes the history
-- findings of next year's report), in that order.
CREATE FUNCTION gk_lock_judgements(y integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM gk_lock_judgement(y);
    PERFORM gk_lock_judgement(y + 1);
END $$;
