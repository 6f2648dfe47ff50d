-- 004_narrative.sql — narrative.similar (内容雷同) at national scale: the
-- MinHash signature of each current report's prose and its LSH band keys
-- (docs/rules.md).  A new report's candidates are the reports of the same
-- year sharing a band key: an index lookup per band, then a comparison of
-- stored signatures.  Maintained in the submission's transaction.
CREATE TABLE narrative_sig (
    entity   text NOT NULL,
    year     integer NOT NULL,
    revision integer NOT NULL,
    sig      bigint[] NOT NULL,     -- 128 minima, uint64 stored as int64
    PRIMARY KEY (entity, year)
);
CREATE TABLE narrative_bands (
    year   integer NOT NULL,
    band   smallint NOT NULL,
    key    bigint NOT NULL,
    entity text NOT NULL,
    PRIMARY KEY (year, band, key, entity)
);
CREATE INDEX narrative_bands_entity ON narrative_bands (entity, year);
