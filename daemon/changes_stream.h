/* changes_stream.h — GET /api/v1/changes as Server-Sent Events: streams
 * that stay open and push each change once it can no longer be preceded by
 * another (changes.h).  A stream holds no database connection while it
 * waits: it leases one per page, when woken (this daemon's writes, another
 * daemon's announcement, a registry or token notification: listener.h) or
 * every --changes-poll-ms at the latest.  Bounded: at most
 * --changes-max-streams at once (503 beyond), a heartbeat comment every
 * --changes-heartbeat-ms, at most --changes-stream-max-s long, ended when
 * the client reads too slowly or its token is revoked, ended when the
 * daemon stops.  One event loop: plain statics. */
#ifndef GONGKAID_CHANGES_STREAM_H
#define GONGKAID_CHANGES_STREAM_H

#include <stdbool.h>

#include "changes.h"
#include "http.h"

/* Streams open now, and whether another may open under cfg's bound. */
int gk_changes_streams_open(void);
bool gk_changes_stream_room(const gk_config *cfg);
/* Turns r (authenticated, scope checked) into a stream starting after
 * `from` (NULL: now).  scope: the region whose changes it sees (NULL:
 * all).  Answers r itself on failure. */
void gk_changes_stream_start(gk_req *r, const gk_cursor *from, const char *scope);
/* Something may have been committed: every idle stream looks soon. */
void gk_changes_streams_wake(void);

/* At exit, after the server and before the pool is freed: frees what is
 * left of the streams (one whose page query was in flight when the daemon
 * stopped). */
void gk_changes_streams_shutdown(void);

typedef struct gk_changes_stream_stats {
    unsigned long long opened, events, ended_slow, ended_revoked, ended_lifetime;
} gk_changes_stream_stats;
void gk_changes_stream_stats_get(gk_changes_stream_stats *out);

#endif
