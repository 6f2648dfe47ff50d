/* http.c — evhttp server, request contexts and replies.
 *
 * Why we count connections ourselves: libevent 2.1 has no connection cap.
 * A connection is counted from accept until evhttp closes it (close
 * callback), so slow clients holding half a request count too; one over
 * the cap gets 503 at once and is closed.  Connections that never finish a
 * request are closed by the I/O timeout.
 *
 * Why a request timer: a request parked on the database must still be
 * answered exactly once even if the database never answers; the timer
 * answers 503 and the late database result is then dropped. */
#include "http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include "auth.h"
#include "framing.h"
#include "gongkai/report.h"
#include "log.h"
#include "metrics.h"
#include "readcache.h"
#include "routes.h"

const char *const gk_route_names[GK_R_COUNT] = {
    "unknown", "healthz", "metrics", "formats", "format", "submit", "check",
    "report", "revisions", "region", "rollup", "compliance", "diff",
    "review", "review_set",
    "format_schema", "openapi", "benchmark", "trend",
    "console",
    "session", "session_create", "session_delete",
    "changes",
    "marks", "marks_set", "supervision",
    "import", "rollup_cell",
};

/* A long-lived answer handed over by gk_req_detach (changes_stream.c). */
typedef struct detached {
    struct evhttp_connection *evcon;
    void (*gone)(void *arg);
    void *arg;
} detached;

struct gk_server {
    struct event_base *base;
    const gk_config *cfg;
    gk_pool *pool;
    struct evhttp *http;
    struct evhttp_bound_socket *bound;
    struct evhttp_connection **conns;   /* by fd */
    int nconns_cap;
    int open;                           /* counted from accept */
    unsigned long long refused;         /* over the cap at accept */
    int inflight;
    int flushing;                       /* answers sent while stopping, not yet written */
    bool stopping;
    struct event *stop_timer;
    unsigned long long next_id;
    detached *detached;                 /* streams (gk_req_detach) */
    int ndetached, detached_cap;
};

enum { M_GET = 1, M_POST = 2, M_DELETE = 4 };

typedef struct route_def {
    const char *pattern;   /* '*' matches one segment */
    int methods;
    gk_route route;
    void (*handler)(gk_req *r);
} route_def;

static const route_def routes[] = {
    {"/healthz", M_GET, GK_R_HEALTH, gk_route_health},
    {"/metrics", M_GET, GK_R_METRICS, gk_route_metrics},
    {"/api/v1/formats", M_GET, GK_R_FORMATS, gk_route_formats},
    {"/api/v1/formats/*", M_GET, GK_R_FORMAT, gk_route_format},
    {"/api/v1/formats/*/schema", M_GET, GK_R_FORMAT_SCHEMA, gk_route_format_schema},
    {"/api/v1/openapi.json", M_GET, GK_R_OPENAPI, gk_route_openapi},
    {"/api/v1/reports", M_POST, GK_R_SUBMIT, gk_route_submit},
    {"/api/v1/check", M_POST, GK_R_CHECK, gk_route_check},
    {"/api/v1/import", M_POST, GK_R_IMPORT, gk_route_import},
    {"/api/v1/reports/*/*", M_GET, GK_R_REPORT, gk_route_report},
    {"/api/v1/reports/*/*/revisions", M_GET, GK_R_REVISIONS, gk_route_revisions},
    {"/api/v1/reports/*/*/diff", M_GET, GK_R_DIFF, gk_route_diff},
    {"/api/v1/reports/*/*/review", M_GET, GK_R_REVIEW, gk_route_review},
    {"/api/v1/reports/*/*/review", M_POST, GK_R_REVIEW_SET, gk_route_review_set},
    {"/api/v1/reports/*/*/findings/marks", M_GET, GK_R_MARKS, gk_route_marks},
    {"/api/v1/reports/*/*/findings/marks", M_POST, GK_R_MARKS_SET, gk_route_marks_set},
    {"/api/v1/regions/*", M_GET, GK_R_REGION, gk_route_region},
    {"/api/v1/regions/*/rollup", M_GET, GK_R_ROLLUP, gk_route_rollup},
    {"/api/v1/regions/*/rollup/cell", M_GET, GK_R_ROLLUP_CELL, gk_route_rollup_cell},
    {"/api/v1/regions/*/compliance", M_GET, GK_R_COMPLIANCE, gk_route_compliance},
    {"/api/v1/regions/*/benchmark", M_GET, GK_R_BENCHMARK, gk_route_benchmark},
    {"/api/v1/regions/*/trend", M_GET, GK_R_TREND, gk_route_trend},
    {"/api/v1/regions/*/supervision", M_GET, GK_R_SUPERVISION, gk_route_supervision},
    {"/console", M_GET, GK_R_CONSOLE, gk_route_console},
    {"/console/", M_GET, GK_R_CONSOLE, gk_route_console},
    {"/console/*", M_GET, GK_R_CONSOLE, gk_route_console},
    {"/api/v1/session", M_GET, GK_R_SESSION, gk_route_session},
    {"/api/v1/session", M_POST, GK_R_SESSION_CREATE, gk_route_session_create},
    {"/api/v1/session", M_DELETE, GK_R_SESSION_DELETE, gk_route_session_delete},
    {"/api/v1/changes", M_GET, GK_R_CHANGES, gk_route_changes},
    {"/console/*/*", M_GET, GK_R_CONSOLE, gk_route_console},
};

gk_pool *gk_server_pool(gk_server *s) { return s->pool; }
struct event_base *gk_server_base(gk_server *s) { return s->base; }
const gk_config *gk_server_config(gk_server *s) { return s->cfg; }
int gk_server_open_connections(gk_server *s) { return s->open; }
unsigned long long gk_server_refused_connections(gk_server *s) { return s->refused; }

static double elapsed(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void maybe_exit(gk_server *s)
{
    if (s->stopping && s->inflight == 0 && s->flushing == 0)
        event_base_loopexit(s->base, NULL);
}

/* While stopping, we leave the loop only once the last answers are written
 * out (evhttp calls this when a reply is complete). */
static void on_sent(struct evhttp_request *req, void *arg)
{
    (void)req;
    gk_server *s = arg;
    s->flushing--;
    maybe_exit(s);
}

/* evhttp never closes a connection after answering CONNECT, whatever its
 * Connection header says (a tunnel would follow): such a client held the
 * connection until the I/O timeout.  Once our 405 is written we shut the
 * socket down; evhttp then sees the end and frees the connection itself.
 * arg: the server when stopping (see on_sent), else NULL. */
static void on_sent_close(struct evhttp_request *req, void *arg)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);
    struct bufferevent *bev = evcon != NULL ? evhttp_connection_get_bufferevent(evcon) : NULL;
    evutil_socket_t fd = bev != NULL ? bufferevent_getfd(bev) : -1;
    if (fd >= 0)
        shutdown(fd, SHUT_RDWR);
    if (arg != NULL)
        on_sent(req, arg);
}

static void req_free(gk_req *r)
{
    gk_server *s = r->srv;
    if (r->wait != NULL)
        gk_pool_cancel(s->pool, r->wait);
    r->wait = NULL;
    gk_lease *l = r->lease;
    r->lease = NULL;
    if (r->timeout != NULL)
        event_free(r->timeout);
    if (r->st_free != NULL)
        r->st_free(r->st);
    evhttp_clear_headers(&r->query);
    for (int i = 0; i < 3; i++)
        free(r->seg[i]);
    free(r);
    s->inflight--;
    if (l != NULL)
        gk_lease_release(l); /* may start another request's work */
    maybe_exit(s);
}

/* Answered and nothing in flight: free now. */
static void req_settle(gk_req *r)
{
    if (r->req == NULL && r->qstep == NULL)
        req_free(r);
}

/* ---- replies ---- */

static unsigned long long fnv1a(const char *p, size_t n)
{
    unsigned long long h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static bool etag_matches(const char *inm, const char *etag)
{
    if (inm == NULL)
        return false;
    if (strstr(inm, "*") != NULL)
        return true;
    /* A list of entity tags: a plain substring test is exact enough, since
     * our tags are quoted fixed-length hex. */
    return strstr(inm, etag) != NULL;
}

typedef void (*gk_ref_done)(const void *data, size_t len, void *arg);

static void send_reply_ref(gk_req *r, int status, const char *content_type, const char *data, size_t len,
                           gk_ref_done done, void *done_arg);

static void send_reply(gk_req *r, int status, const char *content_type, const char *data, size_t len)
{
    send_reply_ref(r, status, content_type, data, len, NULL, NULL);
}

/* done == NULL: data is copied; otherwise referenced until done is called. */
static void send_reply_ref(gk_req *r, int status, const char *content_type, const char *data, size_t len,
                           gk_ref_done done, void *done_arg)
{
    if (r->req == NULL) {
        if (done != NULL)
            done(data, len, done_arg);
        return;
    }
    struct evhttp_request *req = r->req;
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "X-Request-Id", r->id);
    if (status == 503 || r->srv->stopping || r->close_conn)
        evhttp_add_header(h, "Connection", "close");
    if (r->srv->stopping)
        r->srv->flushing++;
    if (evhttp_request_get_command(req) == EVHTTP_REQ_CONNECT)
        evhttp_request_set_on_complete_cb(req, on_sent_close, r->srv->stopping ? r->srv : NULL);
    else if (r->srv->stopping)
        evhttp_request_set_on_complete_cb(req, on_sent, r->srv);
    bool is_get = evhttp_request_get_command(req) == EVHTTP_REQ_GET ||
                  evhttp_request_get_command(req) == EVHTTP_REQ_HEAD;
    if (is_get && status == 200) {
        char etag[96];
        if (r->etag[0] != '\0')
            snprintf(etag, sizeof etag, "%s", r->etag);
        else
            snprintf(etag, sizeof etag, "\"%016llx\"", fnv1a(data, len) ^ (unsigned long long)len);
        evhttp_add_header(h, "ETag", etag);
        if (etag_matches(gk_req_header(r, "If-None-Match"), etag))
            status = 304;
    }
    if (status != 304 && content_type != NULL)
        evhttp_add_header(h, "Content-Type", content_type);
    struct evbuffer *buf = evbuffer_new();
    bool referenced = false;
    if (status != 304 && buf != NULL && len > 0) {
        if (done != NULL)
            referenced = evbuffer_add_reference(buf, data, len, done, done_arg) == 0;
        else
            evbuffer_add(buf, data, len);
    }
    if (done != NULL && !referenced)
        done(data, len, done_arg);
    const char *reason = status == 200 ? "OK" : status == 201 ? "Created" : status == 304 ? "Not Modified"
                         : status == 429 ? "Too Many Requests"   /* not in libevent 2.1's table */
                                         : NULL;
    evhttp_send_reply(req, status, reason, buf);
    if (buf != NULL)
        evbuffer_free(buf);
    r->req = NULL;
    r->status = status;
    double dt = elapsed(&r->t0);
    gk_metrics_request(r->route, status, dt);
    char tok[24] = "-";
    if (r->token_id >= 0)
        snprintf(tok, sizeof tok, "%lld", r->token_id);
    gk_log("http", "rid=%s %s %s %d %.1fms token=%s peer=%s", r->id, r->method, r->path, status,
           dt * 1000.0, tok, r->peer);
    if (r->timeout != NULL)
        evtimer_del(r->timeout);
}

void gk_reply_data(gk_req *r, int status, const char *content_type, const char *data, size_t len)
{
    send_reply(r, status, content_type, data, len);
    req_settle(r);
}

void gk_reply_data_ref(gk_req *r, int status, const char *content_type, const char *data, size_t len,
                       void (*done)(const void *data, size_t len, void *arg), void *arg)
{
    send_reply_ref(r, status, content_type, data, len, done, arg);
    req_settle(r);
}

void gk_reply_json(gk_req *r, int status, json_t *body)
{
    char *text = body != NULL ? json_dumps(body, JSON_COMPACT | GK_JSON_REAL_FLAGS) : NULL;
    json_decref(body);
    if (text == NULL) {
        static const char oom[] = "{\"error\":{\"code\":\"internal\",\"message\":\"内部错误\",\"path\":\"\"}}";
        send_reply(r, 500, "application/json; charset=utf-8", oom, sizeof oom - 1);
    } else {
        send_reply(r, status, "application/json; charset=utf-8", text, strlen(text));
    }
    free(text);
    req_settle(r);
}

void gk_reply_error_json(gk_req *r, int status, json_t *error)
{
    gk_reply_json(r, status, json_pack("{s:o}", "error", error));
}

void gk_reply_error(gk_req *r, int status, const char *code, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    gk_reply_error_json(r, status,
                        json_pack("{s:s,s:s,s:s}", "code", code, "message", msg, "path", path ? path : ""));
}

void gk_reply_db_unavailable(gk_req *r)
{
    if (r->req != NULL) {
        char ra[16];
        snprintf(ra, sizeof ra, "%ld", r->srv->cfg->retry_after_s);
        evhttp_add_header(evhttp_request_get_output_headers(r->req), "Retry-After", ra);
        gk_metrics_db_unavailable();
    }
    gk_reply_error(r, 503, "db_unavailable", "", "数据库暂时不可用，请稍后重试");
}

void gk_reply_db_error(gk_req *r, PGresult *res)
{
    const char *msg = res != NULL ? PQresultErrorMessage(res) : "no result";
    gk_log_error("rid=%s database error: %.*s", r->id, (int)strcspn(msg, "\n"), msg);
    gk_reply_error(r, 500, "internal", "", "内部错误（数据库）");
}

bool gk_req_etag(gk_req *r, const char *etag)
{
    snprintf(r->etag, sizeof r->etag, "%s", etag);
    if (!etag_matches(gk_req_header(r, "If-None-Match"), r->etag))
        return false;
    gk_reply_data(r, 200, NULL, "", 0); /* becomes 304 in send_reply */
    return true;
}

struct evhttp_request *gk_req_detach(gk_req *r, const char *content_type, long idle_timeout_s,
                                     void (*gone)(void *arg), void *arg)
{
    gk_server *s = r->srv;
    struct evhttp_request *req = r->req;
    struct evhttp_connection *evcon = req != NULL ? evhttp_request_get_connection(req) : NULL;
    if (evcon == NULL || s->stopping)
        return NULL;
    if (s->ndetached == s->detached_cap) {
        int cap = s->detached_cap * 2 + 8;
        detached *n = realloc(s->detached, (size_t)cap * sizeof *n);
        if (n == NULL)
            return NULL;
        s->detached = n;
        s->detached_cap = cap;
    }
    s->detached[s->ndetached++] = (detached){evcon, gone, arg};
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "X-Request-Id", r->id);
    evhttp_add_header(h, "Content-Type", content_type);
    evhttp_add_header(h, "Cache-Control", "no-cache");
    /* nginx (docker/nginx.conf) would otherwise hold the events back */
    evhttp_add_header(h, "X-Accel-Buffering", "no");
    /* The I/O timeout is for requests; a stream writes at least a
     * heartbeat and ends itself, so only a dead peer can hit this one.
     * Bytes a client sends meanwhile are not read beyond 16 KiB. */
    struct timeval tv = {idle_timeout_s, 0};
    evhttp_connection_set_timeout_tv(evcon, &tv);
    struct bufferevent *bev = evhttp_connection_get_bufferevent(evcon);
    if (bev != NULL)
        bufferevent_setwatermark(bev, EV_READ, 0, 16384);
    evhttp_send_reply_start(req, 200, "OK");
    r->req = NULL;
    r->status = 200;
    double dt = elapsed(&r->t0);
    gk_metrics_request(r->route, 200, dt);
    char tok[24] = "-";
    if (r->token_id >= 0)
        snprintf(tok, sizeof tok, "%lld", r->token_id);
    gk_log("http", "rid=%s %s %s 200 %.1fms token=%s peer=%s stream", r->id, r->method, r->path, dt * 1000.0, tok,
           r->peer);
    if (r->timeout != NULL)
        evtimer_del(r->timeout);
    req_settle(r);
    return req;
}

void gk_server_detached_end(gk_server *s, struct evhttp_request *req)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);
    for (int i = 0; i < s->ndetached; i++)
        if (s->detached[i].evcon == evcon) {
            s->detached[i] = s->detached[--s->ndetached];
            break;
        }
    evhttp_send_reply_end(req);
}

/* ---- request helpers ---- */

const char *gk_req_header(gk_req *r, const char *name)
{
    if (r->req == NULL)
        return NULL;
    return evhttp_find_header(evhttp_request_get_input_headers(r->req), name);
}

const char *gk_req_param(gk_req *r, const char *name) { return evhttp_find_header(&r->query, name); }

char *gk_req_body(gk_req *r, size_t *len)
{
    *len = 0;
    if (r->req == NULL)
        return NULL;
    struct evbuffer *in = evhttp_request_get_input_buffer(r->req);
    size_t n = evbuffer_get_length(in);
    char *b = malloc(n + 1);
    if (b == NULL)
        return NULL;
    evbuffer_copyout(in, b, n);
    b[n] = '\0';
    *len = n;
    return b;
}

bool gk_req_ok(gk_req *r, PGresult *res)
{
    ExecStatusType st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return true;
    gk_reply_db_error(r, res);
    return false;
}

bool gk_req_in_scope(gk_req *r, const char *path_literal)
{
    if (r->role == GK_ROLE_ADMIN)
        return true;
    if (path_literal == NULL || r->token_region[0] == '\0')
        return false;
    /* path_literal is {0,35,3504,...}: codes are digits, never quoted. */
    const char *p = path_literal;
    size_t n = strlen(r->token_region);
    while ((p = strstr(p, r->token_region)) != NULL) {
        char before = p == path_literal ? '{' : p[-1];
        char after = p[n];
        if ((before == '{' || before == ',') && (after == ',' || after == '}'))
            return true;
        p += n;
    }
    return false;
}

static void on_query(gk_lease *l, PGresult *res, void *arg)
{
    (void)l;
    gk_req *r = arg;
    gk_req_step step = r->qstep;
    r->qstep = NULL;
    r->commit_point = false;
    if (r->req == NULL) {               /* answered meanwhile (timeout) */
        PQclear(res);
        req_free(r);
        return;
    }
    if (res == NULL) {                  /* connection lost */
        gk_lease_release(r->lease);
        r->lease = NULL;
        gk_reply_db_unavailable(r);
        return;
    }
    step(r, res);
    PQclear(res);
}

void gk_req_query(gk_req *r, const char *sql, int nparams, const char *const *values, gk_req_step next)
{
    r->qstep = next;
    if (r->lease == NULL || gk_lease_query(r->lease, sql, nparams, values, on_query, r) != 0) {
        r->qstep = NULL;
        r->commit_point = false;
        if (r->lease != NULL)
            gk_lease_release(r->lease);
        r->lease = NULL;
        gk_reply_db_unavailable(r);
    }
}

void gk_req_query_commit(gk_req *r, const char *sql, int nparams, const char *const *values, gk_req_step next)
{
    r->commit_point = true;
    gk_req_query(r, sql, nparams, values, next);
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    gk_req *r = arg;
    /* A write being committed cannot be abandoned like a read: closing its
     * connection does not roll it back (the server finishes the statement
     * before it reads the socket again), so a 503 now could be a lie about
     * a stored write.  Wait for the outcome, bounded by one more timeout. */
    if (r->qstep != NULL && r->lease != NULL && r->commit_point && !r->overtime) {
        long ms = r->srv->cfg->request_timeout_ms;
        struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
        r->overtime = true;
        gk_log_warn("request %s: timed out while committing; waiting up to %ld ms for the outcome", r->id, ms);
        if (evtimer_add(r->timeout, &tv) == 0)
            return;
    }
    if (r->overtime && r->qstep != NULL && r->lease != NULL) {
        gk_lease *l = r->lease;
        r->lease = NULL;
        r->qstep = NULL;
        r->commit_point = false;
        gk_lease_release(l);
        gk_reply_error(r, 503, "outcome_unknown", "",
                       "数据库未在时限内确认这次写入，结果未知：请用同一个 Idempotency-Key 重试，或查看历史确认是否已保存");
        return;
    }
    if (r->wait != NULL) {
        gk_pool_cancel(r->srv->pool, r->wait);
        r->wait = NULL;
    }
    /* A query still running (e.g. behind a lock) would keep its connection
     * leased until the database answers — possibly forever, and a few such
     * requests would starve the pool.  Give the connection back now: the
     * pool closes a busy connection and reconnects, and the server rolls
     * the abandoned transaction back (its COMMIT was never sent). */
    if (r->qstep != NULL && r->lease != NULL) {
        gk_lease *l = r->lease;
        r->lease = NULL;
        r->qstep = NULL;
        gk_lease_release(l);
    }
    gk_reply_error(r, 503, "timeout", "", "请求超时，请稍后重试");
}

static void start_step(gk_req *r, bool auth)
{
    if (auth)
        gk_auth_run(r, r->next);
    else
        r->next(r, NULL);
}

static void on_lease_auth(gk_lease *l, void *arg)
{
    gk_req *r = arg;
    r->wait = NULL;
    if (l == NULL) {
        gk_reply_db_unavailable(r);
        return;
    }
    r->lease = l;
    start_step(r, true);
}

static void on_lease_noauth(gk_lease *l, void *arg)
{
    gk_req *r = arg;
    r->wait = NULL;
    if (l == NULL) {
        gk_reply_db_unavailable(r);
        return;
    }
    r->lease = l;
    start_step(r, false);
}

void gk_req_with_db(gk_req *r, bool auth, gk_req_step next)
{
    r->next = next;
    if (auth && !gk_auth_has_credentials(r)) {
        gk_reply_error(r, 401, "unauthorized", "", "缺少令牌（Authorization: Bearer …）或登录会话");
        return;
    }
    long ms = r->srv->cfg->request_timeout_ms;
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    r->timeout = evtimer_new(r->srv->base, on_timeout, r);
    if (r->timeout == NULL || evtimer_add(r->timeout, &tv) != 0) {
        gk_reply_error(r, 500, "internal", "", "内部错误");
        return;
    }
    gk_lease *l = NULL;
    /* submissions are the writers the pool keeps a reserve of connections from */
    int rc = gk_pool_acquire(r->srv->pool, r->route == GK_R_SUBMIT || r->route == GK_R_REVIEW_SET ||
                                                    r->route == GK_R_MARKS_SET, auth ? on_lease_auth : on_lease_noauth,
                             r, &l, &r->wait);
    if (rc < 0) {
        gk_reply_db_unavailable(r);
        return;
    }
    if (rc > 0) {
        r->lease = l;
        start_step(r, auth);
    }
}

void gk_req_lease_again(gk_req *r, gk_req_step next)
{
    r->next = next;
    gk_lease *l = NULL;
    int rc = gk_pool_acquire(r->srv->pool, false, on_lease_noauth, r, &l, &r->wait);
    if (rc < 0) {
        gk_reply_db_unavailable(r);
    } else if (rc > 0) {
        r->lease = l;
        start_step(r, false);
    }
}

/* ---- dispatch ---- */

static void on_conn_close(struct evhttp_connection *evcon, void *arg)
{
    gk_server *s = arg;
    for (int i = 0; i < s->ndetached; i++)
        if (s->detached[i].evcon == evcon) {
            detached d = s->detached[i];
            s->detached[i] = s->detached[--s->ndetached];
            d.gone(d.arg);
            break;
        }
    for (int i = 0; i < s->nconns_cap; i++)
        if (s->conns[i] == evcon) {
            s->conns[i] = NULL;
            s->open--;
            return;
        }
}

/* Over the cap, straight from accept: one short answer written on the
 * socket (it fits in any send buffer) and the connection closed before
 * evhttp reads a byte, so a slow client over the cap holds nothing. */
static const char over_cap_body[] =
    "{\"error\":{\"code\":\"too_many_connections\",\"message\":\"连接数已达上限，请稍后重试\",\"path\":\"\"}}";

static void refuse_over_cap(int fd)
{
    char msg[512];
    int n = snprintf(msg, sizeof msg,
                     "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                     "Connection: close\r\nRetry-After: 1\r\nContent-Length: %zu\r\n\r\n%s",
                     sizeof over_cap_body - 1, over_cap_body);
    if (n > 0 && (size_t)n < sizeof msg)
        (void)send(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
    shutdown(fd, SHUT_WR);
}

typedef struct accepted {
    gk_server *s;
    struct bufferevent *bev;
} accepted;

/* Counts a connection from accept (issue 13, item 3): a slow client that
 * holds half a request is counted and capped like any other.  libevent
 * 2.1 has no accept hook for evhttp; its bufferevent callback
 * (evhttp_set_bevcb, below) runs at accept but before evhttp owns the
 * connection, so it activates this to run right after, in the same loop
 * turn: by then the bufferevent has its socket and its callback argument
 * is the evhttp connection (bufferevent_getcb). */
static void on_accepted(evutil_socket_t unused, short what, void *arg)
{
    (void)unused;
    (void)what;
    accepted *a = arg;
    gk_server *s = a->s;
    struct bufferevent *bev = a->bev;
    free(a);
    void *cbarg = NULL;
    bufferevent_getcb(bev, NULL, NULL, NULL, &cbarg);
    struct evhttp_connection *evcon = cbarg;
    int fd = (int)bufferevent_getfd(bev);
    if (evcon == NULL || fd < 0)
        return;
    if (s->open >= s->cfg->max_connections || s->stopping) {
        s->refused++;
        refuse_over_cap(fd);
        evhttp_connection_free(evcon);
        return;
    }
    if (fd >= s->nconns_cap) {
        int cap = fd * 2 + 16;
        struct evhttp_connection **n = realloc(s->conns, (size_t)cap * sizeof *n);
        if (n == NULL) {
            evhttp_connection_free(evcon);
            return;
        }
        memset(n + s->nconns_cap, 0, (size_t)(cap - s->nconns_cap) * sizeof *n);
        s->conns = n;
        s->nconns_cap = cap;
    }
    s->conns[fd] = evcon;
    s->open++;
    /* An answer larger than one segment otherwise waits for the client's
     * delayed ACK (Nagle): 40 ms per city-sized rollup (bench/run). */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    evhttp_connection_set_closecb(evcon, on_conn_close, s);
}

static struct bufferevent *on_new_bev(struct event_base *base, void *arg)
{
    struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    accepted *a = bev != NULL ? malloc(sizeof *a) : NULL;
    if (a == NULL)
        return bev;
    a->s = arg;
    a->bev = bev;
    /* a zero timeout: libevent activates it at once, it runs after the
     * accept callback returns and before any read on the new socket */
    if (event_base_once(base, -1, EV_TIMEOUT, on_accepted, a, NULL) != 0)
        free(a);
    return bev;
}

static bool match(const char *pattern, const char *path, char *seg[3])
{
    int k = 0;
    const char *p = pattern, *q = path;
    while (*p != '\0') {
        if (*p == '*') {
            size_t n = strcspn(q, "/");
            if (n == 0 || k >= 3)
                goto no;
            seg[k] = strndup(q, n);
            k++;
            p++;
            q += n;
        } else if (*p == *q) {
            p++;
            q++;
        } else {
            goto no;
        }
    }
    if (*q == '\0')
        return true;
no:
    for (int i = 0; i < k; i++) {
        free(seg[i]);
        seg[i] = NULL;
    }
    return false;
}

/* Every method evhttp parses, by its real name (405 messages, request log). */
static const char *method_name(enum evhttp_cmd_type cmd)
{
    switch (cmd) {
    case EVHTTP_REQ_GET: return "GET";
    case EVHTTP_REQ_POST: return "POST";
    case EVHTTP_REQ_HEAD: return "HEAD";
    case EVHTTP_REQ_PUT: return "PUT";
    case EVHTTP_REQ_DELETE: return "DELETE";
    case EVHTTP_REQ_OPTIONS: return "OPTIONS";
    case EVHTTP_REQ_TRACE: return "TRACE";
    case EVHTTP_REQ_CONNECT: return "CONNECT";
    case EVHTTP_REQ_PATCH: return "PATCH";
    }
    return "OTHER";
}

static void dispatch(struct evhttp_request *req, void *arg)
{
    gk_server *s = arg;
    gk_req *r = calloc(1, sizeof *r);
    if (r == NULL) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    r->srv = s;
    r->req = req;
    r->token_id = -1;
    r->rc_epoch = gk_readcache_epoch();
    r->rc_token_epoch = gk_readcache_token_epoch();
    s->inflight++;
    clock_gettime(CLOCK_MONOTONIC, &r->t0);
    TAILQ_INIT(&r->query);
    snprintf(r->id, sizeof r->id, "%llx", ++s->next_id ^ ((unsigned long long)time(NULL) << 20));
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    int m = cmd == EVHTTP_REQ_GET || cmd == EVHTTP_REQ_HEAD ? M_GET
            : cmd == EVHTTP_REQ_POST                          ? M_POST
            : cmd == EVHTTP_REQ_DELETE                        ? M_DELETE
                                                              : 0;
    snprintf(r->method, sizeof r->method, "%s", method_name(cmd));
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);
    if (evcon != NULL) {
        char *addr = NULL;
        ev_uint16_t port = 0;
        evhttp_connection_get_peer(evcon, &addr, &port);
        snprintf(r->peer, sizeof r->peer, "%s", addr ? addr : "");
    }
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    /* CONNECT names host:port, never one of our paths: log it as sent */
    if (cmd == EVHTTP_REQ_CONNECT)
        path = evhttp_request_get_uri(req);
    snprintf(r->path, sizeof r->path, "%s", path ? path : "/");
    const char *qs = uri ? evhttp_uri_get_query(uri) : NULL;
    if (qs != NULL && evhttp_parse_query_str(qs, &r->query) != 0) {
        gk_reply_error(r, 400, "bad_request", "", "查询字符串无效");
        return;
    }
    const char *bad_framing = gk_framing_error(evhttp_request_get_input_headers(req));
    if (bad_framing != NULL) {
        r->close_conn = true;
        gk_reply_error(r, 400, "bad_framing", "", "%s", bad_framing);
        return;
    }
    if (s->stopping) {
        gk_reply_error(r, 503, "shutting_down", "", "服务正在停止");
        return;
    }
    /* We are no proxy: whatever host:port it names, CONNECT is refused like
     * any method no route takes. */
    if (cmd == EVHTTP_REQ_CONNECT) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD, POST");
        gk_reply_error(r, 405, "method_not_allowed", "", "不支持的请求方法 %s", r->method);
        return;
    }
    int allowed = 0;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (!match(routes[i].pattern, r->path, r->seg))
            continue;
        allowed |= routes[i].methods;
        if (!(routes[i].methods & m)) {
            for (int k = 0; k < 3; k++) {
                free(r->seg[k]);
                r->seg[k] = NULL;
            }
            continue;
        }
        r->route = routes[i].route;
        routes[i].handler(r);
        return;
    }
    if (allowed != 0) {
        static const char *const allow[8] = {"", "GET, HEAD", "POST", "GET, HEAD, POST", "DELETE",
                                             "GET, HEAD, DELETE", "POST, DELETE", "GET, HEAD, POST, DELETE"};
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", allow[allowed & 7]);
        gk_reply_error(r, 405, "method_not_allowed", "", "不支持的请求方法 %s", r->method);
        return;
    }
    gk_reply_error(r, 404, "not_found", "", "没有这个接口：%s", r->path);
}

/* ---- server ---- */

gk_server *gk_server_new(struct event_base *base, const gk_config *cfg, gk_pool *pool)
{
    gk_server *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->base = base;
    s->cfg = cfg;
    s->pool = pool;
    s->http = evhttp_new(base);
    if (s->http == NULL) {
        free(s);
        return NULL;
    }
    /* Four times our limit (twice the import's, when larger): between the
     * two we answer 413 body_too_large ourselves, in JSON; beyond it evhttp
     * refuses on its own. */
    long cap = cfg->max_body * 4 > cfg->max_import * 2 ? cfg->max_body * 4 : cfg->max_import * 2;
    evhttp_set_max_body_size(s->http, (ev_ssize_t)cap);
    evhttp_set_max_headers_size(s->http, (ev_ssize_t)cfg->max_headers);
    struct timeval tv = {cfg->io_timeout_ms / 1000, (cfg->io_timeout_ms % 1000) * 1000};
    evhttp_set_timeout_tv(s->http, &tv);
    /* Every method evhttp knows reaches our router, which answers the ones a
     * route does not take with 405 in JSON; a method left out here would get
     * evhttp's own HTML 405 page instead. */
    evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
                                            EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH | EVHTTP_REQ_OPTIONS |
                                            EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT);
    evhttp_set_gencb(s->http, dispatch, s);
    evhttp_set_bevcb(s->http, on_new_bev, s);
    return s;
}

int gk_server_listen(gk_server *s)
{
    s->bound = evhttp_bind_socket_with_handle(s->http, s->cfg->listen_address, (ev_uint16_t)s->cfg->port);
    if (s->bound == NULL) {
        gk_log_error("cannot listen on %s:%ld", s->cfg->listen_address, s->cfg->port);
        return -1;
    }
    /* --port=0: the kernel picks a free port, and this line names it (the
     * test harness reads it: a port chosen beforehand could be taken). */
    long port = s->cfg->port;
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname((int)evhttp_bound_socket_get_fd(s->bound), (struct sockaddr *)&ss, &len) == 0) {
        if (ss.ss_family == AF_INET)
            port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        else if (ss.ss_family == AF_INET6)
            port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    }
    gk_log_info("listening on http://%s:%ld", s->cfg->listen_address, port);
    return 0;
}

static void on_stop_deadline(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    gk_server *s = arg;
    gk_log_warn("stop: %d request(s) still in flight, leaving anyway", s->inflight);
    event_base_loopexit(s->base, NULL);
}

void gk_server_stop(gk_server *s)
{
    if (s->stopping)
        return;
    s->stopping = true;
    gk_log_info("stopping: no new connections, %d request(s) in flight, %d stream(s) ended", s->inflight,
                s->ndetached);
    /* Streams never finish by themselves: each is ended now (its client
     * reconnects elsewhere and resumes from its last event id). */
    while (s->ndetached > 0) {
        detached d = s->detached[--s->ndetached];
        d.gone(d.arg);
    }
    if (s->bound != NULL)
        evhttp_del_accept_socket(s->http, s->bound);
    s->bound = NULL;
    /* a commit may be waited for up to two request timeouts (on_timeout) */
    long ms = 2 * s->cfg->request_timeout_ms + 1000;
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    s->stop_timer = evtimer_new(s->base, on_stop_deadline, s);
    if (s->stop_timer != NULL)
        evtimer_add(s->stop_timer, &tv);
    maybe_exit(s);
}

void gk_server_free(gk_server *s)
{
    if (s == NULL)
        return;
    evhttp_free(s->http);
    if (s->stop_timer != NULL)
        event_free(s->stop_timer);
    free(s->conns);
    free(s->detached);
    free(s);
}
