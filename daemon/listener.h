/* listener.h — cache coherence between several gongkaid processes on one
 * database.  One dedicated connection LISTENs on the channel gk_changes.
 *
 * Who notifies: triggers, inside the writer's transaction, for the rare
 * changes (sql/040, 041: "registry" for regions or deadlines, "tokens");
 * and each daemon, for its own submissions, AFTER their commit, from this
 * connection ("data", gk_listener_announce): a NOTIFY inside the submission
 * would serialise every commit on the notify lock (docs/scaling.md), while
 * here, coalesced and with synchronous_commit off, it costs nothing.  An
 * announcement can be lost (the daemon dies between commit and announce),
 * so the connection also reads a watermark every --read-check-ms (the
 * national change counter and the registry generation) and reports a move
 * as "watermark".  A daemon's own announcements are not reported back.
 *
 * The contract for any per-process cache: serve from it only while
 * gk_listener_live(); drop what a notification names; drop everything when
 * told so (payload NULL), which happens whenever the listening connection
 * is (re)established or lost — a notification sent while we were not
 * listening is never delivered, so after a gap nothing cached is trusted.
 *
 * Subscribers: the answer cache (cache.h), dropped on a gap; the read cache
 * (readcache.h), which serves warm polls without the database and is made
 * stale by every notification.  The judgement's township names
 * (townships.h) are validated against the database per request. */
#ifndef GONGKAID_LISTENER_H
#define GONGKAID_LISTENER_H

#include <stdbool.h>
#include <event2/event.h>

#include "config.h"

#define GK_NOTIFY_CHANNEL "gk_changes"
#define GK_NOTIFY_DATA "data"           /* another daemon committed submissions */
#define GK_NOTIFY_WATERMARK "watermark" /* not a notification: the watermark moved */

typedef struct gk_listener gk_listener;

/* Called from the loop.  payload NULL: everything may be stale. */
typedef void (*gk_listener_cb)(const char *payload, void *arg);

typedef struct gk_listener_stats {
    bool live;
    unsigned long long notifications, connects, losses, announcements, watermark_moves;
} gk_listener_stats;

gk_listener *gk_listener_new(struct event_base *base, const gk_config *cfg);
/* At most GK_LISTENER_MAX_SUBS subscribers; -1 beyond. */
#define GK_LISTENER_MAX_SUBS 8
int gk_listener_subscribe(gk_listener *l, gk_listener_cb cb, void *arg) __attribute__((warn_unused_result));
void gk_listener_start(gk_listener *l);
bool gk_listener_live(const gk_listener *l);
/* This process committed a data change: tell the other daemons (arg is the
 * gk_listener; a void * so readcache.h can hold it as a hook).  Coalesced:
 * at most one in flight, one more pending. */
void gk_listener_announce(void *arg);
void gk_listener_stats_get(const gk_listener *l, gk_listener_stats *out);
/* Closes the connection. */
void gk_listener_free(gk_listener *l);

#endif
