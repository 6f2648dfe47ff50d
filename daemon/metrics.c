/* metrics.c — in-process counters rendered as Prometheus text.  One event
 * loop, one thread: plain integers suffice. */
#include "metrics.h"

#include <stdio.h>

#include "changes_stream.h"
#include "listener.h"
#include "readcache.h"

#define NSTATUS 600
static const double buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NBUCKETS (sizeof buckets / sizeof buckets[0])

static unsigned long long requests[GK_R_COUNT][NSTATUS];
static unsigned long long hist[GK_R_COUNT][NBUCKETS + 1];
static double hist_sum[GK_R_COUNT];
static unsigned long long hist_count[GK_R_COUNT];
static unsigned long long submissions_created, submissions_existing, db_unavailable;
static unsigned long long cache_hits, cache_misses;

void gk_metrics_request(gk_route route, int status, double seconds)
{
    if ((int)route < 0 || route >= GK_R_COUNT || status < 0 || status >= NSTATUS)
        return;
    requests[route][status]++;
    size_t b = 0;
    while (b < NBUCKETS && seconds > buckets[b])
        b++;
    hist[route][b]++;
    hist_sum[route] += seconds;
    hist_count[route]++;
}

void gk_metrics_submission(bool created)
{
    if (created)
        submissions_created++;
    else
        submissions_existing++;
}

void gk_metrics_db_unavailable(void) { db_unavailable++; }

void gk_metrics_cache(bool hit)
{
    if (hit)
        cache_hits++;
    else
        cache_misses++;
}

static const struct gk_listener *listener;
void gk_metrics_set_listener(const struct gk_listener *l) { listener = l; }

/* The listener keeps the read cache and the other daemons coherent
 * (listener.h): when it is down, polls fall back to the database. */
static void render_listener(struct evbuffer *out)
{
    if (listener == NULL)
        return;
    gk_listener_stats ls;
    gk_listener_stats_get(listener, &ls);
    evbuffer_add_printf(out,
                        "# HELP gongkai_listener_up Whether the change listener is connected and listening.\n"
                        "# TYPE gongkai_listener_up gauge\ngongkai_listener_up %d\n"
                        "# HELP gongkai_listener_notifications_total Change notifications received.\n"
                        "# TYPE gongkai_listener_notifications_total counter\n"
                        "gongkai_listener_notifications_total %llu\n"
                        "# HELP gongkai_listener_connects_total Connections the listener made.\n"
                        "# TYPE gongkai_listener_connects_total counter\ngongkai_listener_connects_total %llu\n"
                        "# HELP gongkai_listener_losses_total Listener connections lost.\n"
                        "# TYPE gongkai_listener_losses_total counter\ngongkai_listener_losses_total %llu\n"
                        "# HELP gongkai_listener_announcements_total This process's changes announced to the"
                        " other daemons.\n"
                        "# TYPE gongkai_listener_announcements_total counter\n"
                        "gongkai_listener_announcements_total %llu\n"
                        "# HELP gongkai_listener_watermark_moves_total Times the change watermark moved.\n"
                        "# TYPE gongkai_listener_watermark_moves_total counter\n"
                        "gongkai_listener_watermark_moves_total %llu\n",
                        ls.live ? 1 : 0, ls.notifications, ls.connects, ls.losses, ls.announcements,
                        ls.watermark_moves);
}

void gk_metrics_render(struct evbuffer *out, gk_server *s)
{
    evbuffer_add_printf(out, "# HELP gongkai_http_requests_total HTTP requests by route and status.\n"
                             "# TYPE gongkai_http_requests_total counter\n");
    for (int r = 0; r < GK_R_COUNT; r++)
        for (int st = 0; st < NSTATUS; st++)
            if (requests[r][st] > 0)
                evbuffer_add_printf(out, "gongkai_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                                    gk_route_names[r], st, requests[r][st]);
    evbuffer_add_printf(out, "# HELP gongkai_http_request_duration_seconds Request latency.\n"
                             "# TYPE gongkai_http_request_duration_seconds histogram\n");
    for (int r = 0; r < GK_R_COUNT; r++) {
        if (hist_count[r] == 0)
            continue;
        unsigned long long cum = 0;
        for (size_t b = 0; b < NBUCKETS; b++) {
            cum += hist[r][b];
            evbuffer_add_printf(out,
                                "gongkai_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                                gk_route_names[r], buckets[b], cum);
        }
        evbuffer_add_printf(out,
                            "gongkai_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n"
                            "gongkai_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                            "gongkai_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                            gk_route_names[r], hist_count[r], gk_route_names[r], hist_sum[r],
                            gk_route_names[r], hist_count[r]);
    }
    gk_pool_stats ps;
    gk_pool_stats_get(gk_server_pool(s), &ps);
    evbuffer_add_printf(out,
                        "# HELP gongkai_db_pool_size PostgreSQL connections the pool keeps.\n"
                        "# TYPE gongkai_db_pool_size gauge\ngongkai_db_pool_size %d\n"
                        "# HELP gongkai_db_pool_up Pool connections currently connected.\n"
                        "# TYPE gongkai_db_pool_up gauge\ngongkai_db_pool_up %d\n"
                        "# HELP gongkai_db_pool_busy Pool connections leased to a request.\n"
                        "# TYPE gongkai_db_pool_busy gauge\ngongkai_db_pool_busy %d\n"
                        "# HELP gongkai_db_pool_waiting Requests waiting for a free pool connection.\n"
                        "# TYPE gongkai_db_pool_waiting gauge\ngongkai_db_pool_waiting %d\n"
                        "# HELP gongkai_db_pool_writers Pool connections leased to submissions.\n"
                        "# TYPE gongkai_db_pool_writers gauge\ngongkai_db_pool_writers %d\n"
                        "# HELP gongkai_db_reconnects_total Reconnection attempts after a lost connection or a"
                        " failed attempt.\n"
                        "# TYPE gongkai_db_reconnects_total counter\ngongkai_db_reconnects_total %llu\n"
                        "# HELP gongkai_db_connect_failures_total Failed PostgreSQL connection attempts.\n"
                        "# TYPE gongkai_db_connect_failures_total counter\ngongkai_db_connect_failures_total %llu\n"
                        "# HELP gongkai_db_connections_lost_total Pool connections lost while open.\n"
                        "# TYPE gongkai_db_connections_lost_total counter\ngongkai_db_connections_lost_total %llu\n"
                        "# HELP gongkai_db_unavailable_total Requests answered 503 db_unavailable.\n"
                        "# TYPE gongkai_db_unavailable_total counter\ngongkai_db_unavailable_total %llu\n"
                        "# HELP gongkai_submissions_total Accepted submissions: a new revision (created) or the"
                        " current one again (existing).\n"
                        "# TYPE gongkai_submissions_total counter\n"
                        "gongkai_submissions_total{result=\"created\"} %llu\n"
                        "gongkai_submissions_total{result=\"existing\"} %llu\n"
                        "# HELP gongkai_http_connections_open Open client connections.\n"
                        "# TYPE gongkai_http_connections_open gauge\ngongkai_http_connections_open %d\n"
                        "# HELP gongkai_answer_cache_total Rollup/compliance answers found in the answer cache"
                        " (hit) or built (miss).\n"
                        "# TYPE gongkai_answer_cache_total counter\n"
                        "gongkai_answer_cache_total{result=\"hit\"} %llu\n"
                        "gongkai_answer_cache_total{result=\"miss\"} %llu\n",
                        ps.size, ps.up, ps.busy, ps.waiting, ps.writers, ps.reconnects, ps.connect_failures, ps.losses,
                        db_unavailable, submissions_created, submissions_existing,
                        gk_server_open_connections(s), cache_hits, cache_misses);
    /* counted at accept, so a slow client holding half a request is in
     * connections_open too, and one over the cap is counted here */
    evbuffer_add_printf(out,
                        "# HELP gongkai_http_connections_refused_total Connections closed at accept, over"
                        " --max-connections.\n"
                        "# TYPE gongkai_http_connections_refused_total counter\n"
                        "gongkai_http_connections_refused_total %llu\n",
                        gk_server_refused_connections(s));
    gk_readcache_stats rs;
    gk_readcache_stats_get(&rs);
    evbuffer_add_printf(out,
                        "# HELP gongkai_read_cache_total Rollup/compliance polls whose token and tag were known"
                        " in memory (hit) or not (miss).\n"
                        "# TYPE gongkai_read_cache_total counter\n"
                        "gongkai_read_cache_total{result=\"hit\"} %llu\n"
                        "gongkai_read_cache_total{result=\"miss\"} %llu\n"
                        "# HELP gongkai_read_cache_invalidations_total Changes that made the read cache"
                        " stale.\n"
                        "# TYPE gongkai_read_cache_invalidations_total counter\n"
                        "gongkai_read_cache_invalidations_total %llu\n",
                        rs.hits, rs.misses, rs.changes);
    gk_changes_stream_stats cs;
    gk_changes_stream_stats_get(&cs);
    evbuffer_add_printf(out,
                        "# HELP gongkai_changes_streams_open Change-feed Server-Sent-Events streams open.\n"
                        "# TYPE gongkai_changes_streams_open gauge\ngongkai_changes_streams_open %d\n"
                        "# HELP gongkai_changes_events_total Change events sent on streams.\n"
                        "# TYPE gongkai_changes_events_total counter\ngongkai_changes_events_total %llu\n",
                        gk_changes_streams_open(), cs.events);
    render_listener(out);
}
