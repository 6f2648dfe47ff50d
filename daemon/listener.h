/* listener.h — cache coherence between several gongkaid processes on one
 * database.  One dedicated connection LISTENs on the channel gk_changes;
 * the writers' transactions NOTIFY it through triggers (sql/040_notify.sql),
 * so a notification arrives only once the change is committed.
 *
 * The contract for any per-process cache: serve from it only while
 * gk_listener_live(); drop what a notification names; drop everything when
 * told so (payload NULL), which happens whenever the listening connection
 * is (re)established or lost — a notification sent while we were not
 * listening is never delivered, so after a gap nothing cached is trusted.
 *
 * Payloads: "registry" (regions or deadlines changed) and "tokens"
 * (sql/040_notify.sql, 041_notify_registry_only.sql).  Per-submission
 * changes are deliberately not notified: see docs/scaling.md ("Several
 * daemons on one database") for why, and for what a cache of rollups must
 * do instead.
 *
 * Today's subscriber: the answer cache (cache.h), dropped whenever this
 * connection is (re)established or lost.  The caches of the judgement
 * (townships.h) and of the answers are validated against the database on
 * every request, so they need no notification to stay exact. */
#ifndef GONGKAID_LISTENER_H
#define GONGKAID_LISTENER_H

#include <stdbool.h>
#include <event2/event.h>

#include "config.h"

#define GK_NOTIFY_CHANNEL "gk_changes"

typedef struct gk_listener gk_listener;

/* Called from the loop.  payload NULL: everything may be stale. */
typedef void (*gk_listener_cb)(const char *payload, void *arg);

typedef struct gk_listener_stats {
    bool live;
    unsigned long long notifications, connects, losses;
} gk_listener_stats;

gk_listener *gk_listener_new(struct event_base *base, const gk_config *cfg);
/* At most GK_LISTENER_MAX_SUBS subscribers; -1 beyond. */
#define GK_LISTENER_MAX_SUBS 8
int gk_listener_subscribe(gk_listener *l, gk_listener_cb cb, void *arg) __attribute__((warn_unused_result));
void gk_listener_start(gk_listener *l);
bool gk_listener_live(const gk_listener *l);
void gk_listener_stats_get(const gk_listener *l, gk_listener_stats *out);
/* Closes the connection. */
void gk_listener_free(gk_listener *l);

#endif
