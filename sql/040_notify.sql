-- 040_notify.sql — cross-process cache invalidation.  Several gongkaid
-- processes may serve one database; each keeps one connection LISTENing on
-- gk_changes (daemon/listener.c).  The writers notify from triggers, so
-- every writer — a daemon, the CLI, an operator in psql — is covered, and
-- the notification is part of the writer's transaction: delivered at
-- commit, never for a rolled-back change.  Identical payloads within one
-- transaction are delivered once.
--
-- Payloads: 'ry <year> <region>' when a region's change counter moves (the
-- rollup and compliance of that region and year changed: the ETag source),
-- 'registry' when regions or deadlines change, 'tokens' when tokens do.

CREATE FUNCTION gk_notify_region_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('gk_changes', 'ry ' || NEW.year || ' ' || NEW.region);
    RETURN NULL;
END $$;
CREATE TRIGGER region_changes_notify AFTER INSERT OR UPDATE ON region_changes
    FOR EACH ROW EXECUTE FUNCTION gk_notify_region_change();

-- Statement level: a registry import of 40,000 rows is one notification.
-- A registry change also advances gk_generation (part of every rollup and
-- compliance ETag) whoever the writer is — not only the gongkaid commands.
CREATE FUNCTION gk_notify_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_ARGV[0] = 'registry' THEN
        PERFORM nextval('gk_generation');
    END IF;
    PERFORM pg_notify('gk_changes', TG_ARGV[0]);
    RETURN NULL;
END $$;
CREATE TRIGGER regions_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON regions
    FOR EACH STATEMENT EXECUTE FUNCTION gk_notify_statement('registry');
CREATE TRIGGER deadlines_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON deadlines
    FOR EACH STATEMENT EXECUTE FUNCTION gk_notify_statement('registry');
CREATE TRIGGER tokens_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tokens
    FOR EACH STATEMENT EXECUTE FUNCTION gk_notify_statement('tokens');
