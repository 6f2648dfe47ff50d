-- 001_schema.sql — gongkai's tables.  Applied once by gongkaid (start-up or
-- `gongkaid migrate`) inside a transaction and recorded in schema_migrations.

-- Official division codes.  path holds the ancestors from the root "0"
-- (全国) down to the region itself, so "is X at or below Y" is Y = ANY(path).
CREATE TABLE regions (
    code           text PRIMARY KEY,
    name           text NOT NULL,
    parent         text REFERENCES regions(code) DEFERRABLE INITIALLY DEFERRED,
    level          smallint NOT NULL,
    path           text[] NOT NULL,
    township_count integer NOT NULL DEFAULT 0
);
CREATE INDEX regions_parent ON regions (parent);
CREATE INDEX regions_path ON regions USING gin (path);
INSERT INTO regions (code, name, parent, level, path) VALUES ('0', '全国', NULL, 0, '{0}');

CREATE TABLE tokens (
    id         bigserial PRIMARY KEY,
    hash       bytea NOT NULL UNIQUE,            -- SHA-256 of the token; never the token
    region     text NOT NULL REFERENCES regions(code),
    role       text NOT NULL CHECK (role IN ('submitter', 'viewer', 'admin')),
    note       text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

-- Append-only revisions: the body exactly as submitted (body_text) and as
-- jsonb for queries.
CREATE TABLE reports (
    entity       text NOT NULL REFERENCES regions(code),
    year         integer NOT NULL,
    revision     integer NOT NULL CHECK (revision >= 1),
    format       text NOT NULL,
    body         jsonb NOT NULL,
    body_text    text NOT NULL,
    content_hash text NOT NULL,
    submitted_at timestamptz NOT NULL DEFAULT now(),
    token_id     bigint REFERENCES tokens(id),
    status       text NOT NULL CHECK (status IN ('ok', 'info', 'warnings', 'errors')),
    findings     jsonb NOT NULL,
    errors       integer NOT NULL,
    warnings     integer NOT NULL,
    infos        integer NOT NULL,
    PRIMARY KEY (entity, year, revision)
);

CREATE FUNCTION gk_reports_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'reports are append-only';
END $$;
CREATE TRIGGER reports_append_only BEFORE UPDATE OR DELETE ON reports
    FOR EACH ROW EXECUTE FUNCTION gk_reports_append_only();

-- The current (latest) revision of each (entity, year).
CREATE TABLE report_current (
    entity             text NOT NULL,
    year               integer NOT NULL,
    revision           integer NOT NULL,
    format             text NOT NULL,
    first_submitted_at timestamptz NOT NULL,
    PRIMARY KEY (entity, year),
    FOREIGN KEY (entity, year, revision) REFERENCES reports (entity, year, revision)
);
CREATE INDEX report_current_year ON report_current (year, entity);

CREATE TABLE audit (
    id         bigserial PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    token_id   bigint,
    action     text NOT NULL,
    entity     text,
    year       integer,
    revision   integer,
    peer       text,
    request_id text
);

CREATE TABLE idempotency (
    token_id     bigint NOT NULL REFERENCES tokens(id),
    key          text NOT NULL,
    entity       text NOT NULL,
    year         integer NOT NULL,
    revision     integer NOT NULL,
    content_hash text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (token_id, key)
);

-- A region's own deadline for a report year; inherited by its descendants.
CREATE TABLE deadlines (
    region text NOT NULL REFERENCES regions(code),
    year   integer NOT NULL,
    date   date NOT NULL,
    PRIMARY KEY (region, year)
);

-- Incrementally maintained sums: one row per (ancestor region, year, format)
-- over the current revisions below it, updated in the submission's own
-- transaction.  Cell i of each array is the format's flat cell i.
CREATE TABLE rollup (
    region   text NOT NULL,
    year     integer NOT NULL,
    format   text NOT NULL,
    reports  integer NOT NULL DEFAULT 0,
    sums     bigint[] NOT NULL,
    n_number bigint[] NOT NULL,
    n_null   bigint[] NOT NULL,
    PRIMARY KEY (region, year, format)
);

-- Bumped for the region and all its ancestors on every change of a year's
-- reports: rollup and compliance ETags derive from it.
CREATE TABLE region_changes (
    region  text NOT NULL,
    year    integer NOT NULL,
    counter bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (region, year)
);

-- Element-wise a + b of two equally long arrays.
CREATE FUNCTION gk_array_add(a bigint[], b bigint[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(array_agg(coalesce(x, 0) + coalesce(y, 0) ORDER BY i), '{}')
    FROM unnest(a, b) WITH ORDINALITY AS t(x, y, i)
$$;
