/* auth.c — bearer token authentication.  The token travels only in the
 * Authorization header; we hash it at once and look the hash up, so neither
 * the database nor the logs ever hold a usable token.
 *
 * The console's people sign in instead (routes_session.c) and send the
 * HttpOnly session cookie: a request without a bearer token but with that
 * cookie is authenticated by the session's SHA-256, as the user's own token
 * id, region and role (sql/120_accounts.sql), so every route's scope check
 * and audit row stay as they are.  A cookie rides along on any request the
 * browser makes, so a write with it must also prove it comes from our own
 * pages (Origin / Sec-Fetch-Site, else 403 csrf); bearer requests need no
 * such proof (no browser adds that header by itself). */
#include "auth.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sodium.h>

#include "readcache.h"
#include "session_parse.h"
#include "store.h"

/* The digest fetched once and one context reused: EVP_Digest with
 * EVP_sha256() fetches the algorithm and allocates a context per call,
 * which cost more than hashing a token (one event-loop thread: no locking). */
static EVP_MD *sha256;
static EVP_MD_CTX *sha_ctx;

void gk_sha256_cleanup(void)
{
    EVP_MD_CTX_free(sha_ctx);
    EVP_MD_free(sha256);
    sha_ctx = NULL;
    sha256 = NULL;
}

void gk_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (sha256 == NULL)
        sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (sha_ctx == NULL)
        sha_ctx = EVP_MD_CTX_new();
    if (sha256 == NULL || sha_ctx == NULL || EVP_DigestInit_ex(sha_ctx, sha256, NULL) != 1 ||
        EVP_DigestUpdate(sha_ctx, data, len) != 1 || EVP_DigestFinal_ex(sha_ctx, md, &n) != 1)
        n = 0;
    /* A table, not snprintf per byte: that was an eighth of a polled
     * read's instructions (bench/profile.sh). */
    static const char hex[] = "0123456789abcdef";
    for (unsigned int i = 0; i < n && i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[2 * (n < 32 ? n : 32)] = '\0';
}

int gk_token_generate(char out[68])
{
    unsigned char raw[32];
    size_t got = 0;
    while (got < sizeof raw) {
        ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    memcpy(out, "gk_", 3);
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(out + 3 + 2 * i, 3, "%02x", raw[i]);
    return 0;
}

gk_role gk_role_parse(const char *s)
{
    if (s == NULL)
        return GK_ROLE_NONE;
    if (strcmp(s, "submitter") == 0)
        return GK_ROLE_SUBMITTER;
    if (strcmp(s, "viewer") == 0)
        return GK_ROLE_VIEWER;
    if (strcmp(s, "admin") == 0)
        return GK_ROLE_ADMIN;
    return GK_ROLE_NONE;
}

static void on_token(gk_req *r, PGresult *res)
{
    gk_req_step next = r->next;
    if (!gk_req_ok(r, res))
        return;
    if (PQntuples(res) != 1) {
        gk_reply_error(r, 401, "unauthorized", "", "令牌无效或已吊销");
        return;
    }
    r->token_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    snprintf(r->token_region, sizeof r->token_region, "%s", PQgetvalue(res, 0, 1));
    r->role = gk_role_parse(PQgetvalue(res, 0, 2));
    gk_readcache_token t = {.id = r->token_id, .role = (int)r->role};
    snprintf(t.region, sizeof t.region, "%s", r->token_region);
    gk_readcache_token_put(r->token_hash, &t, r->rc_token_epoch);
    next(r, NULL);
}

/* Hashes the bearer token into r->token_hash; false when there is none. */
static bool bearer_hash(gk_req *r)
{
    if (r->token_hash[0] != '\0')
        return true;
    const char *h = gk_req_header(r, "Authorization");
    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
        return false;
    const char *tok = h + 7;
    while (*tok == ' ')
        tok++;
    gk_sha256_hex(tok, strlen(tok), r->token_hash);
    return true;
}

bool gk_auth_cached(gk_req *r)
{
    gk_readcache_token t;
    if (!gk_readcache_usable() || !bearer_hash(r) || !gk_readcache_token_get(r->token_hash, &t))
        return false;
    r->token_id = t.id;
    snprintf(r->token_region, sizeof r->token_region, "%s", t.region);
    r->role = (gk_role)t.role;
    return true;
}

bool gk_auth_has_credentials(gk_req *r)
{
    char sid[GK_SESSION_ID_HEX + 1];
    return gk_req_header(r, "Authorization") != NULL || gk_session_cookie(gk_req_header(r, "Cookie"), sid);
}

bool gk_auth_same_origin(gk_req *r)
{
    return gk_same_origin(gk_req_header(r, "Origin"), gk_req_header(r, "Sec-Fetch-Site"), gk_req_header(r, "Host"),
                          true);
}

/* A session is valid while not revoked, its user not disabled, neither its
 * absolute nor its idle expiry passed.  last_seen_at moves at most every
 * tenth of the idle time (and at most every minute), not on every poll. */
static const char session_sql[] =
    "WITH s AS (SELECT s.id, u.id AS uid, u.name, t.id AS tid, t.region, t.role, s.expires_at, s.last_seen_at"
    "  FROM sessions s JOIN users u ON u.id = s.user_id JOIN tokens t ON t.id = u.token_id"
    "  WHERE s.hash = $1::bytea AND s.revoked_at IS NULL AND u.disabled_at IS NULL AND t.revoked_at IS NULL"
    "  AND s.expires_at > now() AND s.last_seen_at > now() - make_interval(secs => $2::int)),"
    " touch AS (UPDATE sessions SET last_seen_at = now() WHERE id = (SELECT id FROM s)"
    "  AND last_seen_at < now() - make_interval(secs => least(60, $2::int / 10.0)::float8) RETURNING 1)"
    " SELECT tid, region, role, uid, name, (SELECT count(*) FROM touch) FROM s";
/* A hot standby cannot write: the same check, without the touch. */
static const char session_ro_sql[] =
    "SELECT t.id, t.region, t.role, u.id, u.name, 0"
    " FROM sessions s JOIN users u ON u.id = s.user_id JOIN tokens t ON t.id = u.token_id"
    " WHERE s.hash = $1::bytea AND s.revoked_at IS NULL AND u.disabled_at IS NULL AND t.revoked_at IS NULL"
    " AND s.expires_at > now() AND s.last_seen_at > now() - make_interval(secs => $2::int)";

static void on_session(gk_req *r, PGresult *res)
{
    gk_req_step next = r->next;
    if (!gk_req_ok(r, res))
        return;
    if (PQntuples(res) != 1) {
        gk_reply_error(r, 401, "session_expired", "", "登录已过期或已退出，请重新登录");
        return;
    }
    r->token_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    snprintf(r->token_region, sizeof r->token_region, "%s", PQgetvalue(res, 0, 1));
    r->role = gk_role_parse(PQgetvalue(res, 0, 2));
    r->user_id = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
    snprintf(r->user_name, sizeof r->user_name, "%s", PQgetvalue(res, 0, 4));
    next(r, NULL);
}

static void session_run(gk_req *r, const char *sid, gk_req_step next)
{
    bool safe = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
    if (!safe && !gk_auth_same_origin(r)) {
        gk_reply_error(r, 403, "csrf", "", "跨站请求被拒绝：带登录会话的写操作必须来自本站页面（Origin 不符）");
        return;
    }
    char hex[65], bytea[70], idle[24];
    gk_sha256_hex(sid, strlen(sid), hex);
    snprintf(bytea, sizeof bytea, "\\x%s", hex);
    const gk_config *cfg = gk_server_config(r->srv);
    snprintf(idle, sizeof idle, "%ld", cfg->session_idle_s);
    const char *params[] = {bytea, idle};
    r->next = next;
    gk_req_query(r, cfg->read_only ? session_ro_sql : session_sql, 2, params, on_session);
}

void gk_auth_run(gk_req *r, gk_req_step next)
{
    if (!bearer_hash(r)) {
        char sid[GK_SESSION_ID_HEX + 1];
        if (gk_session_cookie(gk_req_header(r, "Cookie"), sid)) {
            session_run(r, sid, next);
            sodium_memzero(sid, sizeof sid);
            return;
        }
        gk_reply_error(r, 401, "unauthorized", "", "缺少令牌（Authorization: Bearer …）或登录会话");
        return;
    }
    if (gk_auth_cached(r)) {
        next(r, NULL);
        return;
    }
    char bytea[70];
    snprintf(bytea, sizeof bytea, "\\x%s", r->token_hash);
    const char *params[] = {bytea};
    r->next = next;
    gk_req_query(r, "SELECT id, region, role FROM tokens WHERE hash = $1::bytea AND revoked_at IS NULL",
                 1, params, on_token);
}
