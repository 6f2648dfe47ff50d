/* routes.h — the handlers behind each route; each answers its request
 * exactly once (see http.h for the ownership rules). */
#ifndef GONGKAID_ROUTES_H
#define GONGKAID_ROUTES_H

#include "http.h"
#include "gongkai/narrative.h"

void gk_route_health(gk_req *r);
void gk_route_metrics(gk_req *r);
void gk_route_formats(gk_req *r);
void gk_route_format(gk_req *r);
void gk_route_format_schema(gk_req *r);
void gk_route_openapi(gk_req *r);
void gk_route_submit(gk_req *r);
void gk_route_check(gk_req *r);
void gk_route_report(gk_req *r);
void gk_route_revisions(gk_req *r);
void gk_route_diff(gk_req *r);
void gk_route_region(gk_req *r);
void gk_route_rollup(gk_req *r);
void gk_route_compliance(gk_req *r);
/* routes_review.c: the office's review state of a report, and its transitions */
void gk_route_review(gk_req *r);
void gk_route_review_set(gk_req *r);
/* routes_benchmark.c: one cell's peer statistics below a region */
void gk_route_benchmark(gk_req *r);
/* routes_import.c: a document (text, HTML, .docx, .xlsx, PDF) to report JSON, nothing stored */
void gk_route_import(gk_req *r);
/* routes_rollup_cell.c: who contributed what to one cell of a region's rollup */
void gk_route_rollup_cell(gk_req *r);
/* routes_console.c: the web console's embedded files */
void gk_route_console(gk_req *r);

/* The township names of the registry for narrative.foreign_entity, loaded
 * at start-up (NULL: the rule is skipped).  Not owned. */
void gk_routes_set_names(const gk_names *names);
/* The answer cache of rollup and compliance (NULL: none).  Not owned. */
struct gk_cache;
void gk_routes_set_cache(struct gk_cache *cache);

#endif
