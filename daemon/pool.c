/* pool.c — connection pool over gk_pgconn.
 *
 * Each slot is a connection plus whoever leases it.  Losing a connection
 * closes it, tells a lease holder (query callback with NULL) and arms a
 * reconnect timer with exponential backoff; when a slot comes up it serves
 * the wait queue.  When the last live connection goes, every waiter is
 * failed at once: callers answer 503 rather than wait for an unknown time. */
#include "pool.h"

#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "log.h"
#include "pgconn.h"

struct gk_wait {
    TAILQ_ENTRY(gk_wait) link;
    gk_acquire_cb cb;
    void *arg;
    bool write;
};
TAILQ_HEAD(gk_waitq, gk_wait);

struct gk_lease {               /* one slot */
    gk_pool *pool;
    gk_pgconn *conn;
    struct event *retry;
    long backoff_ms;
    bool leased;
    bool write;                 /* leased by a writer (counts against the reserve) */
    bool up;                    /* has been up since the last loss */
    bool rolling_back;          /* pool-internal query (ROLLBACK, SET) in flight */
    gk_query_cb qcb;
    void *qarg;
};

struct gk_pool {
    struct event_base *base;
    int size, queue_max, nwaiting;
    int read_reserve, nwriters;
    bool prepare;
    long backoff_min_ms, backoff_max_ms;
    gk_lease *slots;
    struct gk_waitq waitq;
    bool closing;
    unsigned long long reconnects, connect_failures, losses, rejected;
};

static void serve_queue(gk_pool *p);

static void schedule_reconnect(gk_lease *s)
{
    if (s->pool->closing)
        return;
    struct timeval tv = {s->backoff_ms / 1000, (s->backoff_ms % 1000) * 1000};
    evtimer_add(s->retry, &tv);
    s->backoff_ms *= 2;
    if (s->backoff_ms > s->pool->backoff_max_ms)
        s->backoff_ms = s->pool->backoff_max_ms;
}

static void fail_waiters_if_down(gk_pool *p)
{
    if (gk_pool_is_up(p))
        return;
    gk_wait *w;
    while ((w = TAILQ_FIRST(&p->waitq)) != NULL) {
        TAILQ_REMOVE(&p->waitq, w, link);
        p->nwaiting--;
        gk_acquire_cb cb = w->cb;
        void *arg = w->arg;
        free(w);
        cb(NULL, arg);
    }
}

static void on_conn(gk_pgconn *c, gk_pgconn_event ev, PGresult *res, void *arg)
{
    (void)c;
    gk_lease *s = arg;
    gk_pool *p = s->pool;
    switch (ev) {
    case GK_PGEV_UP:
        if (p->losses + p->connect_failures > 0)
            gk_log_info("postgresql: connection up");
        s->up = true;
        s->backoff_ms = p->backoff_min_ms;
        /* Our queries are short: JIT compilation only adds latency.  The
         * slot serves requests once this is done (rolling_back = internal). */
        s->rolling_back = true;
        if (gk_pgconn_send(s->conn, "SET jit = off", 0, NULL) != 0)
            s->rolling_back = false;
        return;
    case GK_PGEV_RESULT:
        if (s->rolling_back) {
            s->rolling_back = false;
            PQclear(res);
            serve_queue(p);
            return;
        }
        if (s->qcb != NULL) {
            gk_query_cb cb = s->qcb;
            s->qcb = NULL;
            cb(s, res, s->qarg);
        } else {
            PQclear(res);
        }
        return;
    case GK_PGEV_LOST: {
        if (s->up)
            p->losses++;
        else
            p->connect_failures++;
        s->up = false;
        s->rolling_back = false;
        schedule_reconnect(s);
        if (s->leased && s->qcb != NULL) {
            gk_query_cb cb = s->qcb;
            s->qcb = NULL;
            cb(s, NULL, s->qarg); /* holder releases */
        }
        fail_waiters_if_down(p);
        return;
    }
    }
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    gk_lease *s = arg;
    s->pool->reconnects++;
    (void)gk_pgconn_connect(s->conn); /* failure reports LOST from the loop */
}

gk_pool *gk_pool_new(struct event_base *base, const char *conninfo, int size, int queue_max,
                     long connect_timeout_ms, long backoff_min_ms, long backoff_max_ms)
{
    gk_pool *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->prepare = true;
    p->base = base;
    p->size = size;
    p->queue_max = queue_max;
    p->backoff_min_ms = backoff_min_ms;
    p->backoff_max_ms = backoff_max_ms < backoff_min_ms ? backoff_min_ms : backoff_max_ms;
    TAILQ_INIT(&p->waitq);
    p->slots = calloc((size_t)size, sizeof *p->slots);
    if (p->slots == NULL)
        goto fail;
    for (int i = 0; i < size; i++) {
        gk_lease *s = &p->slots[i];
        s->pool = p;
        s->backoff_ms = backoff_min_ms;
        s->conn = gk_pgconn_new(base, conninfo, connect_timeout_ms, on_conn, s);
        s->retry = evtimer_new(base, on_retry, s);
        if (s->conn == NULL || s->retry == NULL)
            goto fail;
    }
    return p;
fail:
    gk_pool_free(p);
    return NULL;
}

void gk_pool_start(gk_pool *p)
{
    for (int i = 0; i < p->size; i++)
        (void)gk_pgconn_connect(p->slots[i].conn);
}

static bool slot_ready(const gk_lease *s)
{
    return !s->leased && !s->rolling_back && gk_pgconn_get_state(s->conn) == GK_PGC_IDLE;
}

bool gk_pool_is_up(const gk_pool *p)
{
    for (int i = 0; i < p->size; i++) {
        gk_pgconn_state st = gk_pgconn_get_state(p->slots[i].conn);
        if (st == GK_PGC_IDLE || st == GK_PGC_BUSY)
            return true;
    }
    return false;
}

void gk_pool_stats_get(const gk_pool *p, gk_pool_stats *out)
{
    memset(out, 0, sizeof *out);
    out->size = p->size;
    for (int i = 0; i < p->size; i++) {
        gk_pgconn_state st = gk_pgconn_get_state(p->slots[i].conn);
        if (st == GK_PGC_IDLE || st == GK_PGC_BUSY)
            out->up++;
        if (p->slots[i].leased)
            out->busy++;
    }
    out->waiting = p->nwaiting;
    out->writers = p->nwriters;
    out->reconnects = p->reconnects;
    out->connect_failures = p->connect_failures;
    out->losses = p->losses;
    out->rejected = p->rejected;
}

static gk_lease *find_ready(gk_pool *p)
{
    for (int i = 0; i < p->size; i++)
        if (slot_ready(&p->slots[i]))
            return &p->slots[i];
    return NULL;
}

static bool writer_may_lease(const gk_pool *p)
{
    return p->nwriters < p->size - p->read_reserve;
}

static void lease_to(gk_pool *p, gk_lease *s, bool write)
{
    s->leased = true;
    s->write = write;
    p->nwriters += write;
}

/* Grants ready connections to waiters in order, letting readers pass the
 * writers that must wait for the reserve. */
static void serve_queue(gk_pool *p)
{
    gk_wait *w = TAILQ_FIRST(&p->waitq), *next;
    gk_lease *s;
    for (; w != NULL && (s = find_ready(p)) != NULL; w = next) {
        next = TAILQ_NEXT(w, link);
        if (w->write && !writer_may_lease(p))
            continue;
        TAILQ_REMOVE(&p->waitq, w, link);
        p->nwaiting--;
        lease_to(p, s, w->write);
        gk_acquire_cb cb = w->cb;
        void *arg = w->arg;
        free(w);
        cb(s, arg);
        /* the callback may have released leases or queued more: rescan */
        next = TAILQ_FIRST(&p->waitq);
    }
}

void gk_pool_set_read_reserve(gk_pool *p, int reserve)
{
    p->read_reserve = reserve < 0 ? 0 : reserve > p->size - 1 ? p->size - 1 : reserve;
}

void gk_pool_set_prepare(gk_pool *p, bool prepare) { p->prepare = prepare; }

int gk_pool_acquire(gk_pool *p, bool write, gk_acquire_cb cb, void *arg, gk_lease **lease,
                    gk_wait **wait)
{
    *lease = NULL;
    *wait = NULL;
    if (p->closing || !gk_pool_is_up(p)) {
        p->rejected++;
        return -1;
    }
    /* readers never wait behind writers that wait for the reserve */
    bool ahead = false;
    gk_wait *q;
    TAILQ_FOREACH(q, &p->waitq, link)
        if (!q->write || writer_may_lease(p))
            ahead = true;
    gk_lease *s = !ahead && (!write || writer_may_lease(p)) ? find_ready(p) : NULL;
    if (s != NULL) {
        lease_to(p, s, write);
        *lease = s;
        return 1;
    }
    if (p->nwaiting >= p->queue_max) {
        p->rejected++;
        return -1;
    }
    gk_wait *w = calloc(1, sizeof *w);
    if (w == NULL)
        return -1;
    w->cb = cb;
    w->arg = arg;
    w->write = write;
    TAILQ_INSERT_TAIL(&p->waitq, w, link);
    p->nwaiting++;
    *wait = w;
    return 0;
}

void gk_pool_cancel(gk_pool *p, gk_wait *w)
{
    TAILQ_REMOVE(&p->waitq, w, link);
    p->nwaiting--;
    free(w);
}

int gk_lease_query(gk_lease *l, const char *sql, int nparams, const char *const *values,
                   gk_query_cb cb, void *arg)
{
    if (gk_pgconn_get_state(l->conn) != GK_PGC_IDLE)
        return -1;
    l->qcb = cb;
    l->qarg = arg;
    int rc = l->pool->prepare ? gk_pgconn_send_prepared(l->conn, sql, nparams, values)
                              : gk_pgconn_send(l->conn, sql, nparams, values);
    if (rc != 0) {
        l->qcb = NULL;
        return -1;
    }
    return 0;
}

void gk_lease_release(gk_lease *l)
{
    gk_pool *p = l->pool;
    l->leased = false;
    p->nwriters -= l->write;
    l->write = false;
    l->qcb = NULL;
    gk_pgconn_state st = gk_pgconn_get_state(l->conn);
    if (st == GK_PGC_BUSY) {
        /* Released mid-query (the request gave up): the connection's state is
         * unknown, so start afresh rather than guess. */
        gk_pgconn_close(l->conn);
        l->backoff_ms = p->backoff_min_ms;
        (void)gk_pgconn_connect(l->conn);
        return;
    }
    if (st == GK_PGC_IDLE) {
        PGTransactionStatusType ts = PQtransactionStatus(gk_pgconn_pg(l->conn));
        if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) {
            l->rolling_back = true;
            if (gk_pgconn_send(l->conn, "ROLLBACK", 0, NULL) != 0)
                l->rolling_back = false;
            return;
        }
        serve_queue(p);
    }
}

void gk_pool_free(gk_pool *p)
{
    if (p == NULL)
        return;
    p->closing = true;
    gk_wait *w;
    while ((w = TAILQ_FIRST(&p->waitq)) != NULL) {
        TAILQ_REMOVE(&p->waitq, w, link);
        free(w);
    }
    if (p->slots != NULL)
        for (int i = 0; i < p->size; i++) {
            gk_pgconn_free(p->slots[i].conn);
            if (p->slots[i].retry != NULL)
                event_free(p->slots[i].retry);
        }
    free(p->slots);
    free(p);
}
