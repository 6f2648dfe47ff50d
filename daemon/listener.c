/* listener.c — the LISTEN connection (see listener.h for the contract).
 *
 * A small state machine over gk_pgconn: connect → name the session (so an
 * operator sees it in pg_stat_activity) → LISTEN → live.  Only once LISTEN
 * has succeeded do we declare every cache stale: a change committed before
 * that point is covered by that, one after it by a notification.  On loss:
 * not live, everything stale, reconnect with the same doubling backoff as
 * the pool. */
#include "listener.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pgconn.h"

typedef enum step { S_DOWN, S_NAMING, S_LISTENING, S_LIVE } step;
/* What the live connection has in flight (one query at a time). */
typedef enum inflight { Q_NONE, Q_WATERMARK, Q_ANNOUNCE } inflight;

/* The watermark: the national change counter (every data change moves the
 * counter of each ancestor, and 全国 '0' is everyone's) and the registry
 * generation.  Sixteen shard rows per year: a few microseconds. */
static const char *const watermark_sql =
    "SELECT (SELECT coalesce(sum(counter), 0) FROM region_changes WHERE region = '0')::text || '/' ||"
    " (SELECT n FROM registry_generation)::text";

struct gk_listener {
    struct event_base *base;
    gk_pgconn *conn;
    struct event *retry;
    long backoff_ms, backoff_min_ms, backoff_max_ms;
    step step;
    inflight inflight;
    bool announce_pending;      /* a local write not yet announced */
    struct event *check;        /* the watermark timer (NULL: none) */
    char watermark[64];         /* "" until read on this connection */
    struct {
        gk_listener_cb cb;
        void *arg;
    } subs[GK_LISTENER_MAX_SUBS];
    int nsubs;
    gk_listener_stats stats;
};

static void tell(gk_listener *l, const char *payload)
{
    for (int i = 0; i < l->nsubs; i++)
        l->subs[i].cb(payload, l->subs[i].arg);
}

/* Every notification libpq holds, to the subscribers. */
static void drain(gk_pgconn *c, void *arg)
{
    gk_listener *l = arg;
    PGnotify *n;
    int self = PQbackendPID(gk_pgconn_pg(c));
    while ((n = PQnotifies(gk_pgconn_pg(c))) != NULL) {
        l->stats.notifications++;
        /* Our own announcements come back to us: we knew already. */
        if (strcmp(n->relname, GK_NOTIFY_CHANNEL) == 0 && n->be_pid != self)
            tell(l, n->extra);
        PQfreemem(n);
    }
}

/* Sends what is due on the idle live connection: an announcement first. */
static void send_due(gk_listener *l, bool watermark)
{
    if (l->step != S_LIVE || l->inflight != Q_NONE)
        return;
    if (l->announce_pending) {
        l->announce_pending = false;
        l->inflight = Q_ANNOUNCE;
        l->stats.announcements++;
        (void)gk_pgconn_send(l->conn, "SELECT pg_notify('" GK_NOTIFY_CHANNEL "', '" GK_NOTIFY_DATA "')", 0, NULL);
    } else if (watermark) {
        l->inflight = Q_WATERMARK;
        (void)gk_pgconn_send(l->conn, watermark_sql, 0, NULL);
    }
}

void gk_listener_announce(void *arg)
{
    gk_listener *l = arg;
    l->announce_pending = true;
    send_due(l, false);
}

static void watermark_read(gk_listener *l, PGresult *res)
{
    const char *w = PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "";
    if (l->watermark[0] != '\0' && strcmp(w, l->watermark) != 0) {
        l->stats.watermark_moves++;
        tell(l, GK_NOTIFY_WATERMARK);
    }
    snprintf(l->watermark, sizeof l->watermark, "%s", w);
}

static void schedule_reconnect(gk_listener *l)
{
    struct timeval tv = {l->backoff_ms / 1000, (l->backoff_ms % 1000) * 1000};
    evtimer_add(l->retry, &tv);
    l->backoff_ms *= 2;
    if (l->backoff_ms > l->backoff_max_ms)
        l->backoff_ms = l->backoff_max_ms;
}

static void went_down(gk_listener *l)
{
    bool was_live = l->step == S_LIVE;
    l->step = S_DOWN;
    l->inflight = Q_NONE;
    l->watermark[0] = '\0';
    if (was_live) {
        l->stats.losses++;
        tell(l, NULL); /* not listening: no cache may serve until we are again */
    }
    schedule_reconnect(l);
}

static void on_conn(gk_pgconn *c, gk_pgconn_event ev, PGresult *res, void *arg)
{
    gk_listener *l = arg;
    switch (ev) {
    case GK_PGEV_UP:
        l->step = S_NAMING;
        /* Our announcements need no durability (a lost one is covered by
         * the watermark), so they must not wait for a WAL flush — nor hold
         * the notify lock through one (docs/scaling.md). */
        (void)gk_pgconn_send(c,
                             "SELECT set_config('application_name', 'gongkaid listener', false),"
                             " set_config('synchronous_commit', 'off', false)",
                             0, NULL);
        return;
    case GK_PGEV_LOST:
        went_down(l);
        return;
    case GK_PGEV_RESULT:
        break;
    }
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        gk_log_warn("listener: %.*s", (int)strcspn(PQresultErrorMessage(res), "\n"), PQresultErrorMessage(res));
        PQclear(res);
        gk_pgconn_close(c);
        went_down(l);
        return;
    }
    inflight done = l->inflight;
    l->inflight = Q_NONE;
    switch (l->step) {
    case S_NAMING:
        l->step = S_LISTENING;
        (void)gk_pgconn_send(c, "LISTEN " GK_NOTIFY_CHANNEL, 0, NULL);
        break;
    case S_LISTENING:
        l->step = S_LIVE;
        l->stats.connects++;
        l->backoff_ms = l->backoff_min_ms;
        gk_log_info("listener: listening on " GK_NOTIFY_CHANNEL);
        tell(l, NULL); /* whatever happened while we were not listening */
        break;
    case S_LIVE:
        if (done == Q_WATERMARK)
            watermark_read(l, res);
        break;
    case S_DOWN:
        break;
    }
    PQclear(res);
    if (l->step == S_LIVE) {
        drain(c, l);
        send_due(l, l->watermark[0] == '\0');
    }
}

static void on_check(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    send_due(arg, true);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    gk_listener *l = arg;
    (void)gk_pgconn_connect(l->conn); /* failure reports LOST from the loop */
}

gk_listener *gk_listener_new(struct event_base *base, const gk_config *cfg)
{
    gk_listener *l = calloc(1, sizeof *l);
    if (l == NULL)
        return NULL;
    l->base = base;
    l->backoff_min_ms = cfg->reconnect_min_ms;
    l->backoff_max_ms = cfg->reconnect_max_ms < cfg->reconnect_min_ms ? cfg->reconnect_min_ms : cfg->reconnect_max_ms;
    l->backoff_ms = l->backoff_min_ms;
    l->conn = gk_pgconn_new(base, cfg->database, cfg->connect_timeout_ms, on_conn, l);
    l->retry = evtimer_new(base, on_retry, l);
    if (l->conn == NULL || l->retry == NULL) {
        gk_listener_free(l);
        return NULL;
    }
    if (cfg->read_check_ms > 0) {
        struct timeval tv = {cfg->read_check_ms / 1000, (cfg->read_check_ms % 1000) * 1000};
        l->check = event_new(base, -1, EV_PERSIST, on_check, l);
        if (l->check == NULL || event_add(l->check, &tv) != 0) {
            gk_listener_free(l);
            return NULL;
        }
    }
    gk_pgconn_set_notify(l->conn, drain, l);
    return l;
}

int gk_listener_subscribe(gk_listener *l, gk_listener_cb cb, void *arg)
{
    if (l->nsubs >= GK_LISTENER_MAX_SUBS)
        return -1;
    l->subs[l->nsubs].cb = cb;
    l->subs[l->nsubs].arg = arg;
    l->nsubs++;
    return 0;
}

void gk_listener_start(gk_listener *l) { (void)gk_pgconn_connect(l->conn); }

bool gk_listener_live(const gk_listener *l) { return l->step == S_LIVE; }

void gk_listener_stats_get(const gk_listener *l, gk_listener_stats *out)
{
    *out = l->stats;
    out->live = l->step == S_LIVE;
}

void gk_listener_free(gk_listener *l)
{
    if (l == NULL)
        return;
    gk_pgconn_free(l->conn);
    if (l->retry != NULL)
        event_free(l->retry);
    if (l->check != NULL)
        event_free(l->check);
    free(l);
}
