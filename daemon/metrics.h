/* metrics.h — counters for /metrics (Prometheus text format). */
#ifndef GONGKAID_METRICS_H
#define GONGKAID_METRICS_H

#include <event2/buffer.h>
#include "http.h"

void gk_metrics_request(gk_route route, int status, double seconds);
void gk_metrics_submission(bool created);
void gk_metrics_db_unavailable(void);
void gk_metrics_cache(bool hit);
void gk_metrics_render(struct evbuffer *out, gk_server *s);
/* The change listener whose health /metrics shows (listener.h); NULL: none.
 * Not owned. */
struct gk_listener;
void gk_metrics_set_listener(const struct gk_listener *l);

#endif
