/* pgconn.c — the asynchronous PostgreSQL connection state machine.
 *
 * Why one event re-armed per state: the socket is the only thing we wait
 * on, and what we wait for (read, write, both) depends on where libpq is,
 * so each transition deletes and re-assigns the single event.  Failures are
 * reported from the loop (a zero-delay timer), never from inside a call the
 * owner made, so the owner never sees re-entrant callbacks. */
#include "pgconn.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct gk_pgconn {
    struct event_base *base;
    char *conninfo;
    long connect_timeout_ms;
    gk_pgconn_cb cb;
    void *arg;
    PGconn *pg;
    gk_pgconn_state state;
    struct event *ev;        /* the socket */
    struct event *fail_ev;   /* deferred LOST report */
    PGresult *last;          /* result collected so far */
    int flushing;
    gk_pgconn_notify_cb notify_cb; /* LISTEN connections only */
    void *notify_arg;
    /* Statements prepared on this session (gk_pgconn_send_prepared): the
     * caller's pointer, the text it had (checked on every use), and the
     * execution waiting for its Prepare to finish. */
    struct {
        const char *key;
        char *text;
    } prepared[GK_PGCONN_MAX_PREPARED];
    int nprepared;
    int preparing;           /* index being prepared, -1: none */
    int pend_n;
    char **pend_values;
};

static void on_socket(evutil_socket_t fd, short what, void *arg);
static int execute_prepared(gk_pgconn *c, int k, int nparams, const char *const *values);
static int sent(gk_pgconn *c);

/* Forgets a Prepare in flight and the execution waiting for it. */
static void drop_pending(gk_pgconn *c)
{
    if (c->preparing >= 0) {
        free(c->prepared[c->preparing].text);
        c->prepared[c->preparing].text = NULL;
    }
    for (int i = 0; i < c->pend_n; i++)
        free(c->pend_values[i]);
    free(c->pend_values);
    c->pend_values = NULL;
    c->pend_n = 0;
    c->preparing = -1;
}

static void on_fail(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    gk_pgconn *c = arg;
    c->cb(c, GK_PGEV_LOST, NULL, c->arg);
}

static void fail(gk_pgconn *c, const char *why)
{
    if (c->pg != NULL) {
        const char *msg = PQerrorMessage(c->pg);
        gk_log_warn("postgresql: %s: %.*s", why, (int)strcspn(msg, "\n"), msg);
    }
    gk_pgconn_close(c);
    struct timeval zero = {0, 0};
    event_add(c->fail_ev, &zero);
}

/* Server notices (e.g. "terminating connection due to administrator
 * command") go to our log instead of libpq's bare stderr lines. */
static void on_notice(void *arg, const char *msg)
{
    (void)arg;
    gk_log_warn("postgresql: %.*s", (int)strcspn(msg, "\n"), msg);
}

static int arm(gk_pgconn *c, short what, long timeout_ms)
{
    event_del(c->ev);
    int fd = PQsocket(c->pg);
    if (fd < 0)
        return -1;
    event_assign(c->ev, c->base, fd, what, on_socket, c);
    if (timeout_ms > 0) {
        struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
        return event_add(c->ev, &tv);
    }
    return event_add(c->ev, NULL);
}

gk_pgconn *gk_pgconn_new(struct event_base *base, const char *conninfo, long connect_timeout_ms,
                         gk_pgconn_cb cb, void *arg)
{
    gk_pgconn *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->base = base;
    c->conninfo = strdup(conninfo);
    c->connect_timeout_ms = connect_timeout_ms;
    c->cb = cb;
    c->arg = arg;
    c->ev = event_new(base, -1, 0, on_socket, c);
    c->fail_ev = evtimer_new(base, on_fail, c);
    c->preparing = -1;
    if (c->conninfo == NULL || c->ev == NULL || c->fail_ev == NULL) {
        gk_pgconn_free(c);
        return NULL;
    }
    return c;
}

int gk_pgconn_connect(gk_pgconn *c)
{
    gk_pgconn_close(c);
    c->state = GK_PGC_CONNECTING;
    c->pg = PQconnectStart(c->conninfo);
    if (c->pg == NULL || PQstatus(c->pg) == CONNECTION_BAD) {
        fail(c, "connect");
        return -1;
    }
    PQsetNoticeProcessor(c->pg, on_notice, NULL);
    /* libpq: behave as if PQconnectPoll had returned PGRES_POLLING_WRITING. */
    if (arm(c, EV_WRITE, c->connect_timeout_ms) != 0) {
        fail(c, "connect");
        return -1;
    }
    return 0;
}

static void collect(gk_pgconn *c)
{
    while (!PQisBusy(c->pg)) {
        PGresult *r = PQgetResult(c->pg);
        if (r == NULL) {
            PGresult *done = c->last;
            c->last = NULL;
            if (c->preparing >= 0 && done != NULL && PQresultStatus(done) == PGRES_COMMAND_OK) {
                /* The Prepare is done: remember it and run the execution
                 * the caller asked for; its result is the one reported. */
                PQclear(done);
                int k = c->preparing;
                c->nprepared = k + 1;
                int n = c->pend_n;
                char **v = c->pend_values;
                c->pend_values = NULL;
                c->pend_n = 0;
                c->preparing = -1;
                int rc = execute_prepared(c, k, n, (const char *const *)v);
                for (int i = 0; i < n; i++)
                    free(v[i]);
                free(v);
                (void)rc; /* on failure a LOST report follows from the loop */
                return;
            }
            if (c->preparing >= 0) {
                /* The Prepare failed (e.g. in an aborted transaction): that
                 * error is the caller's result; nothing is remembered. */
                drop_pending(c);
            }
            c->state = GK_PGC_IDLE;
            if (arm(c, EV_READ | EV_PERSIST, 0) != 0) {
                PQclear(done);
                fail(c, "arm");
                return;
            }
            c->cb(c, GK_PGEV_RESULT, done, c->arg); /* may free or reuse c: return now */
            return;
        }
        /* Keep the first error, otherwise the last result. */
        if (c->last != NULL && PQresultStatus(c->last) == PGRES_FATAL_ERROR) {
            PQclear(r);
        } else {
            PQclear(c->last);
            c->last = r;
        }
    }
}

static void on_socket(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    gk_pgconn *c = arg;
    switch (c->state) {
    case GK_PGC_CONNECTING: {
        if (what & EV_TIMEOUT) {
            fail(c, "connect timeout");
            return;
        }
        PostgresPollingStatusType st = PQconnectPoll(c->pg);
        long left = c->connect_timeout_ms; /* restarted per step: bounded anyway */
        if (st == PGRES_POLLING_READING) {
            if (arm(c, EV_READ, left) != 0)
                fail(c, "connect");
        } else if (st == PGRES_POLLING_WRITING) {
            if (arm(c, EV_WRITE, left) != 0)
                fail(c, "connect");
        } else if (st == PGRES_POLLING_OK) {
            if (PQsetnonblocking(c->pg, 1) != 0 || arm(c, EV_READ | EV_PERSIST, 0) != 0) {
                fail(c, "setnonblocking");
                return;
            }
            c->state = GK_PGC_IDLE;
            c->cb(c, GK_PGEV_UP, NULL, c->arg);
        } else {
            fail(c, "connect");
        }
        return;
    }
    case GK_PGC_IDLE:
        /* Nothing expected: a server going away (FATAL, EOF) shows up here. */
        if (PQconsumeInput(c->pg) == 0 || PQstatus(c->pg) == CONNECTION_BAD) {
            fail(c, "connection lost");
            return;
        }
        while (!PQisBusy(c->pg)) {
            PGresult *r = PQgetResult(c->pg);
            if (r == NULL)
                break;
            PQclear(r);
        }
        if (c->notify_cb != NULL)
            c->notify_cb(c, c->notify_arg); /* drains PQnotifies; may not free c */
        return;
    case GK_PGC_BUSY:
        if (what & EV_READ) {
            if (PQconsumeInput(c->pg) == 0) {
                fail(c, "connection lost");
                return;
            }
        }
        if (c->flushing) {
            int f = PQflush(c->pg);
            if (f < 0) {
                fail(c, "flush");
                return;
            }
            if (f == 0) {
                c->flushing = 0;
                if (arm(c, EV_READ | EV_PERSIST, 0) != 0) {
                    fail(c, "arm");
                    return;
                }
            }
        }
        collect(c);
        return;
    case GK_PGC_DOWN:
        return;
    }
}

int gk_pgconn_send(gk_pgconn *c, const char *sql, int nparams, const char *const *values)
{
    if (c->state != GK_PGC_IDLE)
        return -1;
    if (!PQsendQueryParams(c->pg, sql, nparams, NULL, values, NULL, NULL, 0)) {
        fail(c, "send");
        return -1;
    }
    return sent(c);
}

static void name_of(int k, char out[16]) { snprintf(out, 16, "gk%d", k); }

/* After a send: flush what fits, wait for the rest and for the answer. */
static int sent(gk_pgconn *c)
{
    c->state = GK_PGC_BUSY;
    int f = PQflush(c->pg);
    if (f < 0) {
        fail(c, "flush");
        return -1;
    }
    c->flushing = (f == 1);
    if (arm(c, c->flushing ? (EV_READ | EV_WRITE | EV_PERSIST) : (EV_READ | EV_PERSIST), 0) != 0) {
        fail(c, "arm");
        return -1;
    }
    return 0;
}

static int execute_prepared(gk_pgconn *c, int k, int nparams, const char *const *values)
{
    char name[16];
    name_of(k, name);
    if (!PQsendQueryPrepared(c->pg, name, nparams, values, NULL, NULL, 0)) {
        fail(c, "send");
        return -1;
    }
    return sent(c);
}

int gk_pgconn_send_prepared(gk_pgconn *c, const char *sql, int nparams, const char *const *values)
{
    if (c->state != GK_PGC_IDLE)
        return -1;
    for (int k = 0; k < c->nprepared; k++)
        if (c->prepared[k].key == sql && strcmp(c->prepared[k].text, sql) == 0)
            return execute_prepared(c, k, nparams, values);
    int k = c->nprepared;
    if (k == GK_PGCONN_MAX_PREPARED)
        return gk_pgconn_send(c, sql, nparams, values); /* full: planned per use */
    /* Prepare first, then execute from collect(); the values are copied
     * because the caller's array is gone by then. */
    c->prepared[k].key = sql;
    c->prepared[k].text = strdup(sql);
    c->pend_values = nparams > 0 ? calloc((size_t)nparams, sizeof *c->pend_values) : NULL;
    bool oom = c->prepared[k].text == NULL || (nparams > 0 && c->pend_values == NULL);
    for (int i = 0; i < nparams && !oom; i++)
        if (values[i] != NULL && (c->pend_values[i] = strdup(values[i])) == NULL)
            oom = true;
    c->pend_n = nparams;
    if (oom) {
        c->preparing = k;
        drop_pending(c);
        return gk_pgconn_send(c, sql, nparams, values);
    }
    c->preparing = k;
    char name[16];
    name_of(k, name);
    if (!PQsendPrepare(c->pg, name, sql, nparams, NULL)) {
        fail(c, "send");
        return -1;
    }
    return sent(c);
}

void gk_pgconn_set_notify(gk_pgconn *c, gk_pgconn_notify_cb cb, void *arg)
{
    c->notify_cb = cb;
    c->notify_arg = arg;
}

gk_pgconn_state gk_pgconn_get_state(const gk_pgconn *c) { return c->state; }
PGconn *gk_pgconn_pg(gk_pgconn *c) { return c->pg; }

void gk_pgconn_close(gk_pgconn *c)
{
    event_del(c->ev);
    if (c->fail_ev != NULL)
        event_del(c->fail_ev);
    PQclear(c->last);
    c->last = NULL;
    if (c->pg != NULL)
        PQfinish(c->pg);
    c->pg = NULL;
    c->flushing = 0;
    c->state = GK_PGC_DOWN;
    /* a new session has no prepared statements */
    for (int i = 0; i < c->nprepared; i++)
        free(c->prepared[i].text);
    c->nprepared = 0;
    drop_pending(c);
}

void gk_pgconn_free(gk_pgconn *c)
{
    if (c == NULL)
        return;
    if (c->ev != NULL)
        gk_pgconn_close(c);
    if (c->ev != NULL)
        event_free(c->ev);
    if (c->fail_ev != NULL)
        event_free(c->fail_ev);
    free(c->conninfo);
    free(c);
}
