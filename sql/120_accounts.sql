-- 120_accounts.sql — people who sign in to the web console with a name and
-- password (issue 16 §6), and their cookie sessions.
--
-- Why each user owns a row of `tokens`: every write path (submissions,
-- reviews, idempotency keys, the audit trail) records who acted as a
-- token id.  A user's changes go through the same code with the user's own
-- token id, so they are scoped and audited exactly like a token's, and the
-- audit row names the user too (audit.user_id, set by the trigger below).
-- That token's secret is 32 random bytes nobody is ever shown (only the
-- SHA-256 is stored, like any token's), so it cannot be presented as a
-- bearer token; it exists to carry the identity, region and role.
CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    name          text NOT NULL UNIQUE CHECK (octet_length(name) BETWEEN 1 AND 64),
    token_id      bigint NOT NULL UNIQUE REFERENCES tokens(id),
    -- libsodium crypto_pwhash_str (Argon2id): algorithm, limits, salt, hash
    password_hash text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    created_at    timestamptz NOT NULL DEFAULT now(),
    password_at   timestamptz NOT NULL DEFAULT now(),
    disabled_at   timestamptz
);

-- A session id is 32 random bytes sent only in the HttpOnly cookie; the
-- table keeps its SHA-256, so a database dump gives no usable session.
CREATE TABLE sessions (
    id           bigserial PRIMARY KEY,
    hash         bytea NOT NULL UNIQUE CHECK (octet_length(hash) = 32),
    user_id      bigint NOT NULL REFERENCES users(id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),   -- idle expiry counts from here
    expires_at   timestamptz NOT NULL,                  -- absolute expiry
    revoked_at   timestamptz,                           -- sign-out, disable, new password
    peer         text
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL;

ALTER TABLE audit ADD COLUMN user_id bigint;

-- Who acted, as a person: filled from the token id every writer already
-- records (routes_submit.c, gk_review_set, …), so no writer needs changing.
CREATE FUNCTION gk_audit_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.user_id IS NULL AND NEW.token_id IS NOT NULL THEN
        NEW.user_id := (SELECT u.id FROM users u WHERE u.token_id = NEW.token_id);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER audit_user BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION gk_audit_user();

-- The daemon reads users (sign-in, the audit trigger), updates only a
-- password hash it re-made with stronger limits (rehash on sign-in), and
-- creates, touches and revokes sessions.  Adding, disabling users and
-- setting passwords stays with the schema owner (`gongkaid user …`).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gongkai_daemon') THEN
        GRANT SELECT ON users TO gongkai_daemon;
        GRANT UPDATE (password_hash) ON users TO gongkai_daemon;
        GRANT SELECT, INSERT ON sessions TO gongkai_daemon;
        GRANT UPDATE (last_seen_at, revoked_at) ON sessions TO gongkai_daemon;
        GRANT USAGE ON SEQUENCE sessions_id_seq TO gongkai_daemon;
    END IF;
END $$;
