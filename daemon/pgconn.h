/* pgconn.h — one asynchronous PostgreSQL connection as a small state
 * machine driven by libevent: PQconnectStart/PQconnectPoll on PQsocket,
 * then PQsendQueryParams, a flush loop, PQconsumeInput/PQisBusy/PQgetResult
 * until NULL.  The owner gets exactly one callback per outcome. */
#ifndef GONGKAID_PGCONN_H
#define GONGKAID_PGCONN_H

#include <event2/event.h>
#include <libpq-fe.h>

typedef struct gk_pgconn gk_pgconn;

typedef enum gk_pgconn_state {
    GK_PGC_DOWN = 0,
    GK_PGC_CONNECTING,
    GK_PGC_IDLE,
    GK_PGC_BUSY,
} gk_pgconn_state;

typedef enum gk_pgconn_event {
    GK_PGEV_UP,      /* connected, idle */
    GK_PGEV_RESULT,  /* a query finished: res is the last result (owner PQclears) */
    GK_PGEV_LOST,    /* connect failed or connection lost (res NULL); state DOWN */
} gk_pgconn_event;

/* Contract: called from the event loop, never from inside gk_pgconn_send /
 * gk_pgconn_connect.  The callback may send the next query or close. */
typedef void (*gk_pgconn_cb)(gk_pgconn *c, gk_pgconn_event ev, PGresult *res, void *arg);

gk_pgconn *gk_pgconn_new(struct event_base *base, const char *conninfo, long connect_timeout_ms,
                         gk_pgconn_cb cb, void *arg);
/* Starts connecting (state DOWN → CONNECTING).  -1 when it failed at once
 * (a LOST callback follows from the loop). */
int gk_pgconn_connect(gk_pgconn *c);
/* Sends one query with text parameters (NULL value = SQL NULL); state must be
 * IDLE.  Returns -1 when it could not be sent (a LOST callback follows). */
int gk_pgconn_send(gk_pgconn *c, const char *sql, int nparams, const char *const *values);
/* The same, as a named statement prepared once per session: planning is
 * most of the cost of our small statements (pg_stat_statements: 6.8 of the
 * candidates query's 18.6 ms under load), and PostgreSQL switches to a
 * generic plan after a few executions.  sql is the statement's identity
 * (its address, its text checked on each use): pass static strings.  The
 * first use on a session sends Prepare, then the execution; one result is
 * reported either way.  Beyond GK_PGCONN_MAX_PREPARED statements, plain. */
#define GK_PGCONN_MAX_PREPARED 64
int gk_pgconn_send_prepared(gk_pgconn *c, const char *sql, int nparams, const char *const *values);
/* For a connection that LISTENs: called from the loop after input arrived
 * on the idle connection, to drain PQnotifies(gk_pgconn_pg(c)).  (While a
 * query is in flight, notifications wait in libpq until its result: drain
 * them then too.)  The callback may send a query; it must not free or close c. */
typedef void (*gk_pgconn_notify_cb)(gk_pgconn *c, void *arg);
void gk_pgconn_set_notify(gk_pgconn *c, gk_pgconn_notify_cb cb, void *arg);
gk_pgconn_state gk_pgconn_get_state(const gk_pgconn *c);
PGconn *gk_pgconn_pg(gk_pgconn *c);
/* Closes the connection without a callback; state DOWN. */
void gk_pgconn_close(gk_pgconn *c);
void gk_pgconn_free(gk_pgconn *c);

#endif
