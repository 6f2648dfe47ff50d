/* routes_session.c — the console's sign-in (issue 16 §6, docs/security.md).
 *
 *   POST   /api/v1/session {name, password}  sign in: sets the session cookie
 *   GET    /api/v1/session                   who is signed in (or which token)
 *   DELETE /api/v1/session                   sign out: the session is revoked
 *
 * Sign-in, step by step: the body is read and the attempt throttled per name
 * and per client address (throttle.h) before any work; the user's stored
 * hash is read on a leased connection, which is given back at once; the
 * Argon2id check runs on a worker thread (pwhash_worker.h), never on the
 * event loop; only then is a connection leased again to store the session
 * (its SHA-256, never the id), the audit row and a rehash if the limits
 * were raised — one statement, so one transaction.  The session id exists
 * in clear only in this process's memory and in the Set-Cookie answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "auth.h"
#include "log.h"
#include "pwhash_worker.h"
#include "routes.h"
#include "session_parse.h"
#include "store.h"
#include "throttle.h"

typedef struct signin_st {
    gk_signin in;
    char addr_key[72], name_key[72];
    long long uid;
    char tid[24], region[16], role[16];
    char stored[GK_PWHASH_STRBYTES];
    char rehash[GK_PWHASH_STRBYTES];
    gk_pw_job *job;        /* in flight on a worker; NULL otherwise */
    char sid[GK_SESSION_ID_HEX + 1];   /* the new session's id, until it is in the answer */
} signin_st;

static void signin_free(void *p)
{
    signin_st *st = p;
    if (st->job != NULL)
        gk_pw_abandon(st->job);
    sodium_memzero(st, sizeof *st);
    free(st);
}

static void no_store(gk_req *r)
{
    if (r->req != NULL)
        evhttp_add_header(evhttp_request_get_output_headers(r->req), "Cache-Control", "no-store");
}

static void retry_after(gk_req *r, long s)
{
    char v[24];
    snprintf(v, sizeof v, "%ld", s);
    if (r->req != NULL)
        evhttp_add_header(evhttp_request_get_output_headers(r->req), "Retry-After", v);
}

static void set_cookie(gk_req *r, const char *value, long max_age)
{
    char c[200];
    snprintf(c, sizeof c, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%ld%s", GK_SESSION_COOKIE, value,
             max_age, gk_server_config(r->srv)->cookie_secure ? "; Secure" : "");
    if (r->req != NULL)
        evhttp_add_header(evhttp_request_get_output_headers(r->req), "Set-Cookie", c);
    sodium_memzero(c, sizeof c);
}

static const char create_sql[] =
    "WITH s AS (INSERT INTO sessions (hash, user_id, expires_at, peer)"
    "  VALUES ($1::bytea, $2::bigint, now() + make_interval(secs => $3::int), $4) RETURNING expires_at),"
    " a AS (INSERT INTO audit (token_id, user_id, action, entity, peer, request_id)"
    "  SELECT $5::bigint, $2::bigint, 'session.create', $6, $4, $7 FROM s RETURNING 1),"
    " h AS (UPDATE users SET password_hash = $8 WHERE id = $2::bigint AND $8::text IS NOT NULL"
    "  AND password_hash = $9 RETURNING 1)"
    " SELECT " GK_SQL_TS("expires_at") ", (SELECT count(*) FROM a), (SELECT count(*) FROM h) FROM s";

static void on_created(gk_req *r, PGresult *res)
{
    signin_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    if (PQntuples(res) != 1) {
        gk_reply_error(r, 500, "internal", "", "内部错误（会话未保存）");
        return;
    }
    if (PQgetvalue(res, 0, 2)[0] == '1')
        gk_log_info("rid=%s password rehashed with the configured limits", r->id);
    r->token_id = strtoll(st->tid, NULL, 10);   /* the request log names who signed in */
    const gk_config *cfg = gk_server_config(r->srv);
    set_cookie(r, st->sid, cfg->session_max_s);
    sodium_memzero(st->sid, sizeof st->sid);
    no_store(r);
    gk_reply_json(r, 200,
                  json_pack("{s:s,s:s,s:s,s:s,s:s,s:I}", "kind", "session", "name", st->in.name, "region",
                            st->region, "role", st->role, "expires_at", PQgetvalue(res, 0, 0), "idle_timeout_s",
                            (json_int_t)cfg->session_idle_s));
}

static void store_session(gk_req *r, PGresult *unused)
{
    (void)unused;
    signin_st *st = r->st;
    const gk_config *cfg = gk_server_config(r->srv);
    unsigned char raw[32];
    char hex[65], bytea[70], uid[24], max_s[24];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(st->sid, sizeof st->sid, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    gk_sha256_hex(st->sid, strlen(st->sid), hex);
    snprintf(bytea, sizeof bytea, "\\x%s", hex);
    snprintf(uid, sizeof uid, "%lld", st->uid);
    snprintf(max_s, sizeof max_s, "%ld", cfg->session_max_s);
    const char *v[] = {bytea, uid, max_s, r->peer, st->tid, st->region, r->id,
                       st->rehash[0] != '\0' ? st->rehash : NULL, st->stored};
    gk_req_query_commit(r, create_sql, 9, v, on_created);
}

static void on_checked(gk_pw_job *job, void *arg)
{
    gk_req *r = arg;
    signin_st *st = r->st;
    st->job = NULL;
    time_t now = time(NULL);
    const gk_config *cfg = gk_server_config(r->srv);
    if (!job->ok) {
        gk_throttle_fail(st->name_key, now, cfg->signin_window_s);
        gk_throttle_fail(st->addr_key, now, cfg->signin_window_s);
        gk_reply_error(r, 401, "bad_credentials", "", "用户名或密码错误");
        return;
    }
    gk_throttle_clear(st->name_key);
    memcpy(st->rehash, job->rehash, sizeof st->rehash);
    gk_req_lease_again(r, store_session);
}

static void on_user(gk_req *r, PGresult *res)
{
    signin_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    if (PQntuples(res) == 1) {
        st->uid = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        snprintf(st->stored, sizeof st->stored, "%s", PQgetvalue(res, 0, 1));
        snprintf(st->tid, sizeof st->tid, "%s", PQgetvalue(res, 0, 2));
        snprintf(st->region, sizeof st->region, "%s", PQgetvalue(res, 0, 3));
        snprintf(st->role, sizeof st->role, "%s", PQgetvalue(res, 0, 4));
    }
    /* the connection is not held while a worker hashes */
    gk_lease_release(r->lease);
    r->lease = NULL;
    gk_pw_job *job = gk_pw_job_new();
    if (job == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    memcpy(job->stored, st->stored, sizeof job->stored);   /* "" for an unknown name */
    memcpy(job->pw, st->in.pw, st->in.pw_len);
    job->pw_len = st->in.pw_len;
    sodium_memzero(st->in.pw, sizeof st->in.pw);
    if (gk_pw_submit(job, on_checked, r) != 0) {
        gk_pw_job_free(job);
        retry_after(r, gk_server_config(r->srv)->retry_after_s);
        gk_reply_error(r, 503, "busy", "", "登录请求过多，请稍后重试");
        return;
    }
    st->job = job;
}

static void lookup_user(gk_req *r, PGresult *unused)
{
    (void)unused;
    signin_st *st = r->st;
    const char *v[] = {st->in.name};
    gk_req_query(r,
                 "SELECT u.id, u.password_hash, t.id, t.region, t.role FROM users u JOIN tokens t ON t.id = u.token_id"
                 " WHERE u.name = $1 AND u.disabled_at IS NULL AND t.revoked_at IS NULL",
                 1, v, on_user);
}

void gk_route_session_create(gk_req *r)
{
    const gk_config *cfg = gk_server_config(r->srv);
    if (cfg->read_only) {
        gk_reply_error(r, 503, "read_only", "", "本服务是只读副本，不能登录；请经主服务登录");
        return;
    }
    /* login CSRF: a browser's sign-in must come from our own page */
    if (!gk_same_origin(gk_req_header(r, "Origin"), gk_req_header(r, "Sec-Fetch-Site"), gk_req_header(r, "Host"),
                        false)) {
        gk_reply_error(r, 403, "csrf", "", "跨站请求被拒绝：只能在本站页面登录");
        return;
    }
    size_t len = 0;
    char *body = gk_req_body(r, &len);
    if ((long)len > cfg->max_body) {
        sodium_memzero(body, len);
        free(body);
        gk_reply_error(r, 413, "body_too_large", "", "请求体超过 %ld 字节", cfg->max_body);
        return;
    }
    signin_st *st = calloc(1, sizeof *st);
    if (st == NULL) {
        free(body);
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    r->st = st;
    r->st_free = signin_free;
    const char *why = NULL, *path = "";
    int rc = gk_signin_parse(body, len, &st->in, &why, &path);
    if (body != NULL)
        sodium_memzero(body, len);
    free(body);
    if (rc != 0) {
        gk_reply_error(r, 400, "invalid_signin", path, "%s", why);
        return;
    }
    const char *real = cfg->trust_proxy ? gk_req_header(r, "X-Real-IP") : NULL;
    snprintf(st->addr_key, sizeof st->addr_key, "a:%.64s", real != NULL ? real : r->peer);
    snprintf(st->name_key, sizeof st->name_key, "n:%s", st->in.name);
    time_t now = time(NULL);
    long wn = gk_throttle_wait(st->name_key, now, cfg->signin_name_failures, cfg->signin_window_s);
    long wa = gk_throttle_wait(st->addr_key, now, cfg->signin_addr_failures, cfg->signin_window_s);
    long wait = wn > wa ? wn : wa;
    if (wait > 0) {
        retry_after(r, wait);
        gk_reply_error(r, 429, "too_many_attempts", "", "登录失败次数过多，请 %ld 秒后再试", wait);
        return;
    }
    gk_req_with_db(r, false, lookup_user);
}

/* ---- who is signed in ---- */

static void whoami(gk_req *r, PGresult *unused)
{
    (void)unused;
    const char *role = r->role == GK_ROLE_ADMIN ? "admin" : r->role == GK_ROLE_VIEWER ? "viewer" : "submitter";
    no_store(r);
    if (r->user_id > 0)
        gk_reply_json(r, 200,
                      json_pack("{s:s,s:s,s:s,s:s,s:I}", "kind", "session", "name", r->user_name, "region",
                                r->token_region, "role", role, "idle_timeout_s",
                                (json_int_t)gk_server_config(r->srv)->session_idle_s));
    else
        gk_reply_json(r, 200, json_pack("{s:s,s:I,s:s,s:s}", "kind", "token", "token_id", (json_int_t)r->token_id,
                                        "region", r->token_region, "role", role));
}

void gk_route_session(gk_req *r) { gk_req_with_db(r, true, whoami); }

/* ---- sign out ---- */

typedef struct signout_st {
    char bytea[70];
} signout_st;

static void on_signed_out(gk_req *r, PGresult *res)
{
    if (!gk_req_ok(r, res))
        return;
    set_cookie(r, "", 0);
    no_store(r);
    gk_reply_json(r, 200, json_pack("{s:b}", "signed_out", PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] != '0'));
}

static void sign_out(gk_req *r, PGresult *unused)
{
    (void)unused;
    signout_st *st = r->st;
    const char *v[] = {st->bytea, r->peer, r->id};
    gk_req_query_commit(r,
                 "WITH s AS (UPDATE sessions SET revoked_at = now() WHERE hash = $1::bytea AND revoked_at IS NULL"
                 "  RETURNING user_id),"
                 " a AS (INSERT INTO audit (token_id, user_id, action, entity, peer, request_id)"
                 "  SELECT u.token_id, u.id, 'session.delete', t.region, $2, $3"
                 "  FROM s JOIN users u ON u.id = s.user_id JOIN tokens t ON t.id = u.token_id RETURNING 1)"
                 " SELECT count(*) FROM s",
                 3, v, on_signed_out);
}

void gk_route_session_delete(gk_req *r)
{
    if (gk_server_config(r->srv)->read_only) {
        gk_reply_error(r, 503, "read_only", "", "本服务是只读副本；请经主服务退出登录");
        return;
    }
    char sid[GK_SESSION_ID_HEX + 1];
    if (!gk_session_cookie(gk_req_header(r, "Cookie"), sid)) {
        set_cookie(r, "", 0);
        gk_reply_json(r, 200, json_pack("{s:b}", "signed_out", 0));
        return;
    }
    if (!gk_auth_same_origin(r)) {
        sodium_memzero(sid, sizeof sid);
        gk_reply_error(r, 403, "csrf", "", "跨站请求被拒绝：带登录会话的写操作必须来自本站页面（Origin 不符）");
        return;
    }
    signout_st *st = calloc(1, sizeof *st);
    if (st == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    char hex[65];
    gk_sha256_hex(sid, strlen(sid), hex);
    sodium_memzero(sid, sizeof sid);
    snprintf(st->bytea, sizeof st->bytea, "\\x%s", hex);
    r->st = st;
    r->st_free = free;
    gk_req_with_db(r, false, sign_out);
}
