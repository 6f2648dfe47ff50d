/* routes_console.c — serves the web console (the files of console/, embedded at build
 * time by embed_console.cmake) under /console/.  Every answer carries a
 * strict Content-Security-Policy (no inline script, nothing from other
 * origins, no framing), so a bug in the page cannot load foreign code;
 * see docs/security.md for the console's sign-in design. */
#include <string.h>
#include <event2/http.h>

#include "routes.h"

struct gk_asset { const char *name; const unsigned char *data; size_t len; };
extern const struct gk_asset gk_console_assets[];

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

void gk_route_console(gk_req *r)
{
    const char *name = r->seg[0] != NULL ? r->seg[0] : "index.html";
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
    /* The page revalidates every time (its ETag makes that a 304), so an
     * upgraded daemon's page is seen at once; scripts and styles are kept
     * a day and revalidated after, by the same ETag. */
    evhttp_add_header(h, "Cache-Control",
                      strcmp(content_type(name), "text/html; charset=utf-8") == 0 ? "no-cache"
                                                                                   : "public, max-age=86400");
    gk_reply_data(r, 200, content_type(name), (const char *)a->data, a->len);
}
