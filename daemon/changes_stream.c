/* changes_stream.c — the change feed's Server-Sent Events (see
 * changes_stream.h for the bounds).
 *
 * Why a stream polls at all when it is also woken: a wake-up is a hint.
 * A change committed while an older transaction is still open is below no
 * reader's xmin yet (sql/110_change_feed.sql), so the page right after the
 * wake-up may not show it; and an announcement can be lost (listener.h).
 * The poll bounds how late an event can be; the wake-ups make it early.
 *
 * Life of a stream: IDLE → (wake or poll) → LEASING → QUERYING → IDLE; the
 * client's connection may close in any state: the stream is then marked
 * gone and freed as soon as no pool callback can reach it any more. */
#include "changes_stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "log.h"

/* Output not yet taken by the client: above the first no new page is read,
 * above the second the stream is ended (a reader that slow reconnects). */
#define BACKLOG_PAUSE (256 * 1024)
#define BACKLOG_END (1024 * 1024)
/* A burst of wake-ups (a batch of submissions) becomes one page. */
#define WAKE_DELAY_MS 20

typedef enum st_state { S_IDLE, S_LEASING, S_QUERYING } st_state;

typedef struct stream {
    LIST_ENTRY(stream) link;
    gk_server *srv;
    struct evhttp_request *req;    /* NULL once ended */
    st_state state;
    bool gone;                     /* the client left: free when idle */
    bool now;                      /* the cursor is "now", not yet read */
    bool wake_pending;
    gk_cursor cursor;              /* last position delivered (or passed over) */
    gk_cursor last_id;             /* last id: sent to the client */
    char scope[16];                /* "" = everything */
    long long token_id;
    gk_lease *lease;
    gk_wait *wait;
    struct event *poll, *heartbeat, *lifetime, *qtimer;
} stream;

static LIST_HEAD(, stream) streams = LIST_HEAD_INITIALIZER(streams);
static int nstreams;
static gk_changes_stream_stats stats;

int gk_changes_streams_open(void) { return nstreams; }

bool gk_changes_stream_room(const gk_config *cfg) { return nstreams < cfg->changes_max_streams; }

void gk_changes_stream_stats_get(gk_changes_stream_stats *out) { *out = stats; }

static void arm(struct event *ev, long ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    evtimer_add(ev, &tv);
}

static void stream_free(stream *st)
{
    LIST_REMOVE(st, link);
    nstreams--;
    if (st->wait != NULL)
        gk_pool_cancel(gk_server_pool(st->srv), st->wait);
    if (st->lease != NULL)
        gk_lease_release(st->lease);
    struct event *evs[] = {st->poll, st->heartbeat, st->lifetime, st->qtimer};
    for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
        if (evs[i] != NULL)
            event_free(evs[i]);
    free(st);
}

/* Ends the stream from our side (lifetime, slow client, revoked token, an
 * unexpected result): the terminating chunk, then the stream is freed once
 * no query of it is in flight. */
static void stream_end(stream *st, const char *why)
{
    if (st->req != NULL) {
        gk_log_info("changes stream ended: %s", why);
        gk_server_detached_end(st->srv, st->req);
        st->req = NULL;
    }
    st->gone = true;
    if (st->state != S_QUERYING)
        stream_free(st);
}

/* http.c: the client's connection closed, or the daemon stops. */
static void on_gone(void *arg)
{
    stream *st = arg;
    if (st->req != NULL)
        evhttp_send_reply_end(st->req); /* frees it when the connection is gone */
    st->req = NULL;
    st->gone = true;
    if (st->state != S_QUERYING)
        stream_free(st);
}

static size_t backlog(const stream *st)
{
    struct evhttp_connection *evcon = st->req != NULL ? evhttp_request_get_connection(st->req) : NULL;
    struct bufferevent *bev = evcon != NULL ? evhttp_connection_get_bufferevent(evcon) : NULL;
    return bev != NULL ? evbuffer_get_length(bufferevent_get_output(bev)) : 0;
}

static void send_text(stream *st, struct evbuffer *b)
{
    if (st->req != NULL && evbuffer_get_length(b) > 0)
        evhttp_send_reply_chunk(st->req, b);
}

static void fetch(stream *st);

static void on_poll(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    stream *st = arg;
    st->wake_pending = false;
    fetch(st);
}

static void schedule(stream *st, long ms)
{
    arm(st->poll, ms);
}

/* A comment keeps proxies and the client's read timeout from closing an
 * idle stream; the id line before it moves the client's Last-Event-ID past
 * changes its scope does not show (an event with no data fires nothing). */
static void on_heartbeat(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    stream *st = arg;
    struct evbuffer *b = evbuffer_new();
    if (b == NULL)
        return;
    if (!st->now && gk_cursor_cmp(&st->cursor, &st->last_id) != 0) {
        char id[GK_CURSOR_MAX];
        gk_cursor_format(&st->cursor, id);
        evbuffer_add_printf(b, "id: %s\n", id);
        st->last_id = st->cursor;
    }
    evbuffer_add_printf(b, ": heartbeat\n\n");
    send_text(st, b);
    evbuffer_free(b);
    const gk_config *cfg = gk_server_config(st->srv);
    arm(st->heartbeat, cfg->changes_heartbeat_ms);
}

static void on_lifetime(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    stats.ended_lifetime++;
    stream_end(arg, "lifetime");
}

/* The page query took longer than --request-timeout-ms: give the
 * connection back (the pool resets it) and try again at the next poll. */
static void on_qtimer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    stream *st = arg;
    if (st->state != S_QUERYING)
        return;
    gk_lease *l = st->lease;
    st->lease = NULL;
    st->state = S_IDLE;
    gk_lease_release(l);
    gk_log_warn("changes stream: page query timed out");
    if (st->gone) {
        stream_free(st);
        return;
    }
    schedule(st, gk_server_config(st->srv)->changes_poll_ms);
}

/* Writes a page as events; false when the stream must end. */
static bool deliver(stream *st, const gk_changes_page *pg)
{
    struct evbuffer *b = evbuffer_new();
    if (b == NULL)
        return false;
    size_t i;
    json_t *c;
    json_array_foreach(pg->changes, i, c) {
        char *text = json_dumps(c, JSON_COMPACT);
        if (text == NULL) {
            evbuffer_free(b);
            return false;
        }
        evbuffer_add_printf(b, "id: %s\nevent: change\ndata: %s\n\n", json_string_value(json_object_get(c, "cursor")),
                            text);
        free(text);
        stats.events++;
    }
    send_text(st, b);
    evbuffer_free(b);
    if (json_array_size(pg->changes) > 0) {
        /* the last event's id: a client resuming from it skips nothing,
         * since rows passed over after it are examined again */
        const char *last = json_string_value(json_object_get(json_array_get(pg->changes, json_array_size(pg->changes) - 1), "cursor"));
        if (last != NULL)
            (void)gk_cursor_parse(last, strlen(last), &st->last_id);
    }
    return true;
}

static void on_page(gk_lease *l, PGresult *res, void *arg)
{
    stream *st = arg;
    evtimer_del(st->qtimer);
    st->lease = NULL;
    st->state = S_IDLE;
    if (st->gone) {
        PQclear(res);
        gk_lease_release(l);
        stream_free(st);
        return;
    }
    const gk_config *cfg = gk_server_config(st->srv);
    if (res == NULL) { /* connection lost: the pool reconnects */
        gk_lease_release(l);
        schedule(st, cfg->changes_poll_ms);
        return;
    }
    gk_changes_page pg;
    ExecStatusType es = PQresultStatus(res);
    int rc = es == PGRES_TUPLES_OK
                 ? gk_changes_page_read(res, GK_CHANGES_LIMIT_MAX,
                                        gk_changes_scan_for(GK_CHANGES_LIMIT_MAX, st->scope[0] != '\0'), &pg)
                 : -1;
    if (rc != 0) {
        const char *msg = PQresultErrorMessage(res);
        gk_log_error("changes stream: page query failed: %.*s", (int)strcspn(msg, "\n"), msg);
    }
    PQclear(res);
    gk_lease_release(l);
    if (rc != 0) {
        schedule(st, cfg->changes_poll_ms);
        return;
    }
    if (!pg.token_live) {
        json_decref(pg.changes);
        stats.ended_revoked++;
        stream_end(st, "token revoked");
        return;
    }
    bool ok = deliver(st, &pg);
    json_decref(pg.changes);
    st->cursor = pg.next;
    st->now = false;
    if (!ok) {
        stream_end(st, "out of memory");
        return;
    }
    if (backlog(st) > BACKLOG_END) {
        stats.ended_slow++;
        stream_end(st, "client too slow");
        return;
    }
    schedule(st, pg.more || st->wake_pending ? 0 : cfg->changes_poll_ms);
    st->wake_pending = false;
}

static void run_page(stream *st, gk_lease *l)
{
    const gk_config *cfg = gk_server_config(st->srv);
    char xid[24], seq[24], scan[16], tok[24], limit[16];
    snprintf(xid, sizeof xid, "%llu", st->cursor.xid);
    snprintf(seq, sizeof seq, "%lld", st->cursor.seq);
    snprintf(scan, sizeof scan, "%d", gk_changes_scan_for(GK_CHANGES_LIMIT_MAX, st->scope[0] != '\0'));
    snprintf(tok, sizeof tok, "%lld", st->token_id);
    snprintf(limit, sizeof limit, "%d", GK_CHANGES_LIMIT_MAX);
    const char *v[] = {st->now ? NULL : xid, st->now ? NULL : seq, st->scope[0] != '\0' ? st->scope : NULL, scan,
                       tok, limit};
    st->lease = l;
    st->state = S_QUERYING;
    if (gk_lease_query(l, gk_changes_sql, 6, v, on_page, st) != 0) {
        st->lease = NULL;
        st->state = S_IDLE;
        gk_lease_release(l);
        schedule(st, cfg->changes_poll_ms);
        return;
    }
    arm(st->qtimer, cfg->request_timeout_ms);
}

static void on_lease(gk_lease *l, void *arg)
{
    stream *st = arg;
    st->wait = NULL;
    st->state = S_IDLE;
    if (l == NULL) {
        schedule(st, gk_server_config(st->srv)->changes_poll_ms);
        return;
    }
    run_page(st, l);
}

static void fetch(stream *st)
{
    if (st->gone)
        return;
    if (st->state != S_IDLE) {
        st->wake_pending = true;
        return;
    }
    const gk_config *cfg = gk_server_config(st->srv);
    /* The client has not taken what we wrote: read no more for now. */
    if (backlog(st) > BACKLOG_PAUSE) {
        schedule(st, cfg->changes_poll_ms);
        return;
    }
    gk_lease *l = NULL;
    st->state = S_LEASING;
    int rc = gk_pool_acquire(gk_server_pool(st->srv), false, on_lease, st, &l, &st->wait);
    if (rc < 0) {
        st->state = S_IDLE;
        schedule(st, cfg->changes_poll_ms);
    } else if (rc > 0) {
        st->state = S_IDLE;
        run_page(st, l);
    }
}

void gk_changes_streams_shutdown(void)
{
    while (!LIST_EMPTY(&streams)) {
        stream *st = LIST_FIRST(&streams);
        st->req = NULL; /* ended at the server's stop; evhttp has freed it since */
        stream_free(st);
    }
}

void gk_changes_streams_wake(void)
{
    stream *st;
    LIST_FOREACH(st, &streams, link) {
        if (st->gone || st->wake_pending)
            continue;
        if (st->state != S_IDLE) {
            st->wake_pending = true; /* another page right after this one */
            continue;
        }
        st->wake_pending = true;
        schedule(st, WAKE_DELAY_MS);
    }
}

void gk_changes_stream_start(gk_req *r, const gk_cursor *from, const char *scope)
{
    gk_server *srv = r->srv;
    const gk_config *cfg = gk_server_config(srv);
    struct event_base *base = gk_server_base(srv);
    stream *st = calloc(1, sizeof *st);
    if (st == NULL) {
        gk_reply_error(r, 500, "internal", "", "内部错误");
        return;
    }
    st->srv = srv;
    st->token_id = r->token_id;
    st->now = from == NULL;
    if (from != NULL)
        st->cursor = st->last_id = *from;
    snprintf(st->scope, sizeof st->scope, "%s", scope != NULL ? scope : "");
    st->poll = evtimer_new(base, on_poll, st);
    st->heartbeat = evtimer_new(base, on_heartbeat, st);
    st->lifetime = evtimer_new(base, on_lifetime, st);
    st->qtimer = evtimer_new(base, on_qtimer, st);
    LIST_INSERT_HEAD(&streams, st, link);
    nstreams++;
    if (st->poll == NULL || st->heartbeat == NULL || st->lifetime == NULL || st->qtimer == NULL) {
        stream_free(st);
        gk_reply_error(r, 500, "internal", "", "内部错误");
        return;
    }
    /* a dead peer is noticed by the heartbeat's write at the latest */
    long idle_s = cfg->changes_stream_max_s + cfg->changes_heartbeat_ms / 1000 + 60;
    st->req = gk_req_detach(r, "text/event-stream; charset=utf-8", idle_s, on_gone, st);
    if (st->req == NULL) {
        stream_free(st);
        gk_reply_error(r, 503, "shutting_down", "", "服务正在停止");
        return;
    }
    stats.opened++;
    /* r is gone now.  The reconnection delay a client should use. */
    struct evbuffer *b = evbuffer_new();
    if (b != NULL) {
        evbuffer_add_printf(b, "retry: %ld\n: gongkai changes\n\n", cfg->changes_poll_ms < 1000 ? 1000L : cfg->changes_poll_ms);
        send_text(st, b);
        evbuffer_free(b);
    }
    arm(st->heartbeat, cfg->changes_heartbeat_ms);
    arm(st->lifetime, cfg->changes_stream_max_s * 1000);
    fetch(st);
}
