/* routes_console.c — serves the web console (the files of console/, embedded at build
 * time by embed_console.cmake) under /console/.  Every answer carries a
 * strict Content-Security-Policy (no inline script, nothing from other
 * origins, no framing), so a bug in the page cannot load foreign code;
 * see docs/security.md for the console's sign-in design. */
#include <stdbool.h>
#include <string.h>
#include <event2/http.h>

#include "routes.h"

struct gk_asset { const char *name; const unsigned char *data; size_t len; };
extern const struct gk_asset gk_console_assets[];
extern const char gk_console_version[];   /* "v-<hash of every file>" */

static const char CSP[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

static const char *content_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot != NULL && strcmp(dot, ".html") == 0)
        return "text/html; charset=utf-8";
    if (dot != NULL && strcmp(dot, ".js") == 0)
        return "text/javascript; charset=utf-8";
    if (dot != NULL && strcmp(dot, ".css") == 0)
        return "text/css; charset=utf-8";
    if (dot != NULL && strcmp(dot, ".svg") == 0)
        return "image/svg+xml";
    return "application/octet-stream";
}

/* /console/, /console/<file>, or /console/v-<version>/<file>: index.html
 * names every asset under the version of this build (embed_console.cmake),
 * so those can be cached for good; the page itself and unversioned names
 * are revalidated every time (their ETag makes that a 304). */
void gk_route_console(gk_req *r)
{
    bool versioned = r->seg[1] != NULL;
    const char *name = versioned ? r->seg[1] : r->seg[0] != NULL ? r->seg[0] : "index.html";
    /* an old page asking for its own version after an upgrade gets today's
     * file, but not as immutable: it is not that version's */
    bool current = versioned && strcmp(r->seg[0], gk_console_version) == 0;
    const struct gk_asset *a = gk_console_assets;
    while (a->name != NULL && strcmp(a->name, name) != 0)
        a++;
    if (a->name == NULL) {
        gk_reply_error(r, 404, "not_found", "", "控制台没有这个文件：%s", name);
        return;
    }
    struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);
    evhttp_add_header(h, "Content-Security-Policy", CSP);
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    evhttp_add_header(h, "Referrer-Policy", "no-referrer");
    evhttp_add_header(h, "X-Frame-Options", "DENY");
    /* The page revalidates every time, so an upgraded daemon's page (and
     * with it the new version's asset URLs) is seen at once. */
    bool html = strcmp(content_type(name), "text/html; charset=utf-8") == 0;
    evhttp_add_header(h, "Cache-Control", current && !html ? "public, max-age=31536000, immutable" : "no-cache");
    gk_reply_data(r, 200, content_type(name), (const char *)a->data, a->len);
}
