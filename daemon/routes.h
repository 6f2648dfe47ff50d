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
/* routes_render.c: ?format=html|docx of a stored report (the body as stored,
 * the entity's name for the title) */
void gk_route_report_render(gk_req *r, const char *fmt, const char *body, const char *name);
void gk_route_revisions(gk_req *r);
void gk_route_diff(gk_req *r);
void gk_route_region(gk_req *r);
void gk_route_rollup(gk_req *r);
void gk_route_compliance(gk_req *r);
/* routes_review.c: the office's review state of a report, and its transitions */
void gk_route_review(gk_req *r);
void gk_route_review_set(gk_req *r);
/* shared with routes_marks.c: /reports/{entity}/{year} well-formed; the
 * region found, in scope, with a report that year; the token may review */
bool gk_review_valid_entity_year(gk_req *r);
bool gk_review_region_checks(gk_req *r, PGresult *res);
bool gk_review_may_review(gk_req *r, PGresult *res);
char *gk_review_json_body(gk_req *r, size_t *len);
/* routes_marks.c: the office's marks on single findings (确认 / 不予采纳) */
void gk_route_marks(gk_req *r);
void gk_route_marks_set(gk_req *r);
/* Sets "mark" on each finding of the array whose "code path" is a key of
 * the JSON object marks_text (gk_marks_in_force's rows of one unit,
 * aggregated); NULL or "": nothing. */
void gk_findings_merge_marks(json_t *findings, const char *marks_text);
/* routes_supervision.c: the supervision list (通报) of a region and year */
void gk_route_supervision(gk_req *r);
/* routes_benchmark.c: the peer statistics of one cell or every cell below a region */
void gk_route_benchmark(gk_req *r);
/* routes_trend.c: one cell over the years, of a region and its peers */
void gk_route_trend(gk_req *r);
/* routes_changes.c: the change feed, as pages or Server-Sent Events */
void gk_route_changes(gk_req *r);
/* routes_import.c: a document (text, HTML, .docx, .xlsx, PDF) to report JSON, nothing stored */
void gk_route_import(gk_req *r);
/* routes_rollup_cell.c: who contributed what to one cell of a region's rollup */
void gk_route_rollup_cell(gk_req *r);
/* routes_console.c: the web console's embedded files */
void gk_route_console(gk_req *r);
/* routes_session.c: console sign-in, who is signed in, sign-out */
void gk_route_session(gk_req *r);
void gk_route_session_create(gk_req *r);
void gk_route_session_delete(gk_req *r);

/* The answer cache of rollup and compliance (NULL: none).  Not owned. */
struct gk_cache;
void gk_routes_set_cache(struct gk_cache *cache);
/* The answer cache (routes_regions.c) for every route whose tag moves with
 * its content: 304 when If-None-Match matches etag, else the cached answer
 * under it; true when answered (content_type is asked only then). */
bool gk_answer_cached(gk_req *r, const char *etag, const char *(*content_type)(gk_req *r));
/* Keeps text (malloc'd, freed here; NULL: 500) under r->etag and answers it. */
void gk_answer_keep(gk_req *r, char *text, size_t len, const char *(*content_type)(gk_req *r));

#endif
