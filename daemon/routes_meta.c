/* routes_meta.c — routes that need no token and no database query:
 * /healthz, /metrics and the format registry. */
#include <stdlib.h>
#include <string.h>
#include <event2/buffer.h>

#include "gongkai/format.h"
#include "metrics.h"
#include "routes.h"

void gk_route_health(gk_req *r)
{
    bool up = gk_pool_is_up(gk_server_pool(r->srv));
    gk_reply_json(r, up ? 200 : 503,
                  json_pack("{s:s,s:s}", "status", up ? "ok" : "degraded", "database", up ? "up" : "down"));
}

void gk_route_metrics(gk_req *r)
{
    struct evbuffer *b = evbuffer_new();
    if (b == NULL) {
        gk_reply_error(r, 500, "internal", "", "内部错误");
        return;
    }
    gk_metrics_render(b, r->srv);
    size_t n = evbuffer_get_length(b);
    const char *p = (const char *)evbuffer_pullup(b, -1);
    gk_reply_data(r, 200, "text/plain; version=0.0.4; charset=utf-8", p ? p : "", p ? n : 0);
    evbuffer_free(b);
}

void gk_route_formats(gk_req *r)
{
    json_t *list = json_array();
    for (size_t i = 0; i < gk_format_count(); i++) {
        const gk_format *f = gk_format_at(i);
        json_t *years = json_pack("{s:i}", "from", f->year_from);
        json_object_set_new(years, "to", f->year_to ? json_integer(f->year_to) : json_null());
        json_array_append_new(list, json_pack("{s:s,s:s,s:o}", "version", f->version, "title", f->title,
                                              "years", years));
    }
    gk_reply_json(r, 200, json_pack("{s:o}", "formats", list));
}

void gk_route_format(gk_req *r)
{
    const gk_format *f = gk_format_find(r->seg[0]);
    if (f == NULL) {
        gk_reply_error(r, 404, "not_found", "", "没有这个格式版本：%s", r->seg[0]);
        return;
    }
    gk_reply_json(r, 200, gk_format_describe(f));
}
