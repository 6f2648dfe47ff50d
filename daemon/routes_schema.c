/* routes_schema.c — GET /api/v1/openapi.json and
 * GET /api/v1/formats/{version}/schema: the report's JSON
 * Schema of that format, the committed schemas/report-<version>.schema.json
 * (generated from the formats/ registry by scripts/gen-schemas) embedded at build
 * time, so integrators validate against exactly what this build accepts. */
#include <string.h>

#include "routes.h"

struct gk_embedded_schema {
    const char *version;
    const char *data;
    size_t len;
};
extern const struct gk_embedded_schema gk_embedded_schemas[];
extern const char *const gk_embedded_openapi;
extern const size_t gk_embedded_openapi_len;

/* GET /api/v1/openapi.json: schemas/openapi.json (scripts/gen-openapi). */
void gk_route_openapi(gk_req *r)
{
    gk_reply_data(r, 200, "application/json", gk_embedded_openapi, gk_embedded_openapi_len);
}

void gk_route_format_schema(gk_req *r)
{
    for (const struct gk_embedded_schema *s = gk_embedded_schemas; s->version; s++) {
        if (!strcmp(s->version, r->seg[0])) {
            gk_reply_data(r, 200, "application/schema+json", s->data, s->len);
            return;
        }
    }
    gk_reply_error(r, 404, "not_found", "", "没有这个格式版本：%.40s", r->seg[0]);
}
