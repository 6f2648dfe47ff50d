/* http.h — the HTTP side of gongkaid: the server (evhttp, connection cap,
 * graceful stop), the per-request context and the ways to answer one.
 *
 * Ownership: a gk_req lives from dispatch until it has been answered AND no
 * database query of it is in flight; every request is answered exactly once
 * (by a route, by our request timeout or by a database failure). */
#ifndef GONGKAID_HTTP_H
#define GONGKAID_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "config.h"
#include "pool.h"

typedef enum gk_route {
    GK_R_UNKNOWN = 0,
    GK_R_HEALTH,
    GK_R_METRICS,
    GK_R_FORMATS,
    GK_R_FORMAT,
    GK_R_SUBMIT,
    GK_R_CHECK,
    GK_R_REPORT,
    GK_R_REVISIONS,
    GK_R_REGION,
    GK_R_ROLLUP,
    GK_R_COMPLIANCE,
    GK_R_DIFF,
    GK_R_REVIEW,
    GK_R_REVIEW_SET,
    GK_R_FORMAT_SCHEMA,
    GK_R_OPENAPI,
    GK_R_BENCHMARK,
    GK_R_TREND,
    GK_R_CONSOLE,
    GK_R_SESSION,           /* routes_session.c: GET who is signed in */
    GK_R_SESSION_CREATE,    /* POST: sign in */
    GK_R_SESSION_DELETE,    /* DELETE: sign out */
    GK_R_CHANGES,
    GK_R_MARKS,
    GK_R_MARKS_SET,
    GK_R_SUPERVISION,
    GK_R_IMPORT,
    GK_R_ROLLUP_CELL,
    GK_R_COUNT
} gk_route;

extern const char *const gk_route_names[GK_R_COUNT];

typedef enum gk_role { GK_ROLE_NONE = 0, GK_ROLE_SUBMITTER, GK_ROLE_VIEWER, GK_ROLE_ADMIN } gk_role;

typedef struct gk_server gk_server;
typedef struct gk_req gk_req;

/* A step run with the request's lease; res is borrowed (freed after). */
typedef void (*gk_req_step)(gk_req *r, PGresult *res);

struct gk_req {
    gk_server *srv;
    struct evhttp_request *req;     /* NULL once answered */
    gk_route route;
    char id[20];
    char method[8];
    char path[256];
    char peer[64];
    char *seg[3];                   /* the {…} parts of the path */
    struct evkeyvalq query;
    struct timespec t0;
    int status;
    bool close_conn;                /* answer with Connection: close */
    char etag[96];                  /* set by a route: used instead of a body hash */
    /* after authentication */
    long long token_id;             /* -1: none */
    char token_region[16];
    gk_role role;
    char token_hash[65];            /* SHA-256 hex of the bearer token; "" before auth */
    long long user_id;              /* signed in with a console session (auth.c); 0: not */
    char user_name[72];
    /* read cache epochs when the request started (readcache.h) */
    unsigned long long rc_epoch, rc_token_epoch;
    /* database */
    gk_lease *lease;
    gk_wait *wait;
    gk_req_step next;               /* route step after acquire/auth */
    gk_req_step qstep;              /* step of the query in flight; NULL: none */
    bool commit_point;              /* the query in flight commits a write (gk_req_query_commit) */
    bool overtime;                  /* timed out while committing: waiting for the outcome */
    struct event *timeout;
    /* route state */
    void *st;
    void (*st_free)(void *st);
};

struct gk_server_stats_conn {
    int open, rejected;
};

/* The server. */
gk_server *gk_server_new(struct event_base *base, const gk_config *cfg, gk_pool *pool);
int gk_server_listen(gk_server *s) __attribute__((warn_unused_result));
/* Stop accepting, finish in-flight requests, then leave the loop. */
void gk_server_stop(gk_server *s);
void gk_server_free(gk_server *s);
gk_pool *gk_server_pool(gk_server *s);
struct event_base *gk_server_base(gk_server *s);
const gk_config *gk_server_config(gk_server *s);
int gk_server_open_connections(gk_server *s);
unsigned long long gk_server_refused_connections(gk_server *s);

/* Answers.  Each answers at most once and may free r: do not touch r after. */
void gk_reply_json(gk_req *r, int status, json_t *body /* stolen */);
void gk_reply_data(gk_req *r, int status, const char *content_type, const char *data, size_t len);
/* The same without copying data: done(data, len, arg) is called once the
 * bytes are no longer needed (sent, dropped, or at once for a 304). */
void gk_reply_data_ref(gk_req *r, int status, const char *content_type, const char *data, size_t len,
                       void (*done)(const void *data, size_t len, void *arg), void *arg);
void gk_reply_error(gk_req *r, int status, const char *code, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* 400 invalid_json etc. with line/column members. */
void gk_reply_error_json(gk_req *r, int status, json_t *error /* stolen: the inner object */);
void gk_reply_db_unavailable(gk_req *r);
/* Logs PQresultErrorMessage and answers 500 internal. */
void gk_reply_db_error(gk_req *r, PGresult *res);

/* Sets the ETag of the coming 200 answer; when If-None-Match matches it
 * answers 304 at once and returns true (r may be gone then). */
bool gk_req_etag(gk_req *r, const char *etag);

/* A long-lived answer (Server-Sent Events): sends the 200 header with
 * content_type and chunked encoding, logs the request and frees r (its
 * lease released); the returned request is the caller's to write with
 * evhttp_send_reply_chunk.  gone(arg) is called once, when the client's
 * connection closes or the server stops; after it the request must only be
 * passed to evhttp_send_reply_end (which frees it when the connection is
 * gone).  The caller ending the stream itself calls gk_server_detached_end
 * instead (gone is then never called).  NULL (r untouched, still to be
 * answered): the connection is gone or the server is stopping. */
struct evhttp_request *gk_req_detach(gk_req *r, const char *content_type, long idle_timeout_s,
                                     void (*gone)(void *arg), void *arg);
void gk_server_detached_end(gk_server *s, struct evhttp_request *req);

/* Request helpers. */
const char *gk_req_header(gk_req *r, const char *name);
const char *gk_req_param(gk_req *r, const char *name);
/* The body as a NUL-terminated copy; NULL when empty. */
char *gk_req_body(gk_req *r, size_t *len);

/* Acquires a connection, authenticates the bearer token (401 on failure)
 * when `auth`, then runs next(r, NULL). */
void gk_req_with_db(gk_req *r, bool auth, gk_req_step next);
/* After gk_req_with_db, once r gave its lease back (gk_lease_release, lease
 * NULL) for work off the database: leases a connection again, then
 * next(r, NULL); the request timeout set then still runs. */
void gk_req_lease_again(gk_req *r, gk_req_step next);
/* Runs one query on r's lease; next(r, res) follows (res status not yet
 * checked).  A lost connection answers 503 itself. */
void gk_req_query(gk_req *r, const char *sql, int nparams, const char *const *values,
                  gk_req_step next);
/* The same for a statement whose completion commits a write (COMMIT, or a
 * write outside a transaction).  The request timeout never abandons it
 * silently: when it fires meanwhile, the answer waits for the outcome for
 * another --request-timeout-ms (then next answers the truth, late); only
 * if the database has still not answered is the answer 503 outcome_unknown
 * (the write may or may not have landed: retry with the Idempotency-Key). */
void gk_req_query_commit(gk_req *r, const char *sql, int nparams, const char *const *values,
                         gk_req_step next);
/* true when res is COMMAND_OK/TUPLES_OK; otherwise answers 500 and false. */
bool gk_req_ok(gk_req *r, PGresult *res);

/* Scope: may this token act on a region whose ancestor path (root first, the
 * region itself last) is given as a PostgreSQL text[] literal? */
bool gk_req_in_scope(gk_req *r, const char *path_literal);

#endif
