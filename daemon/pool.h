/* pool.h — a small pool of asynchronous PostgreSQL connections with a
 * bounded wait queue.  A request leases one connection for a sequence of
 * queries (a transaction is BEGIN … COMMIT on one lease) and releases it.
 * While no connection is up, acquiring fails at once so the caller answers
 * 503 db_unavailable instead of queueing.
 *
 * Writers (submissions) may hold at most size - read_reserve connections at
 * once: near a deadline submissions queue behind each other (for the
 * database's CPU and for the locks of similar reports), and without a reserve they
 * would hold every connection while dashboards' reads time out behind them.
 * Readers may pass waiting writers in the queue. */
#ifndef GONGKAID_POOL_H
#define GONGKAID_POOL_H

#include <stdbool.h>
#include <event2/event.h>
#include <libpq-fe.h>

typedef struct gk_pool gk_pool;
typedef struct gk_lease gk_lease;
typedef struct gk_wait gk_wait;

/* l is NULL when the wait failed (database went down meanwhile). */
typedef void (*gk_acquire_cb)(gk_lease *l, void *arg);
/* res is NULL when the connection was lost; otherwise the owner PQclears it. */
typedef void (*gk_query_cb)(gk_lease *l, PGresult *res, void *arg);

typedef struct gk_pool_stats {
    int size, up, busy, waiting, writers;
    unsigned long long reconnects, connect_failures, losses, rejected;
} gk_pool_stats;

gk_pool *gk_pool_new(struct event_base *base, const char *conninfo, int size, int queue_max,
                     long connect_timeout_ms, long backoff_min_ms, long backoff_max_ms);
/* Connections writers may not take (clamped to size - 1; default 0). */
void gk_pool_set_read_reserve(gk_pool *p, int reserve);
/* Whether queries run as statements prepared once per connection
 * (gk_pgconn_send_prepared; the default) or unnamed, planned each time
 * (for a PgBouncer in transaction mode without prepared-statement support). */
void gk_pool_set_prepare(gk_pool *p, bool prepare);
void gk_pool_start(gk_pool *p);
bool gk_pool_is_up(const gk_pool *p);
void gk_pool_stats_get(const gk_pool *p, gk_pool_stats *out);

/* 1: *lease is yours now.  0: queued, cb(lease) follows; *wait lets you
 * cancel.  -1: unavailable (database down or queue full). */
int gk_pool_acquire(gk_pool *p, bool write, gk_acquire_cb cb, void *arg, gk_lease **lease,
                    gk_wait **wait) __attribute__((warn_unused_result));
void gk_pool_cancel(gk_pool *p, gk_wait *w);

/* Sends one parameterised query (text parameters, NULL = SQL NULL); cb
 * follows from the loop.  -1: the connection is gone (no callback). */
int gk_lease_query(gk_lease *l, const char *sql, int nparams, const char *const *values,
                   gk_query_cb cb, void *arg) __attribute__((warn_unused_result));
/* Gives the connection back; an open transaction is rolled back first. */
void gk_lease_release(gk_lease *l);

/* Stops reconnecting and closes every connection (shutdown). */
void gk_pool_free(gk_pool *p);

#endif
