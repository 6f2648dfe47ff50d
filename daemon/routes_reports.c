/* routes_reports.c — reading stored reports: GET /api/v1/reports/{entity}/
 * {year}[?revision=N] and .../revisions.  The body is returned byte for byte
 * as submitted (spliced into the answer, not re-serialised). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routes.h"
#include "store.h"

static const char *const report_sql =
    "SELECT g.path::text, r.format, r.revision, " GK_SQL_TS("r.submitted_at") ", r.token_id, r.content_hash,"
    " CASE WHEN r.revision = c.revision THEN coalesce(c.status, r.status) ELSE r.status END,"
    " (CASE WHEN r.revision = c.revision THEN coalesce(c.findings, r.findings) ELSE r.findings END)::text,"
    " r.body_text"
    " FROM regions g LEFT JOIN report_current c ON c.entity = g.code AND c.year = $2::int"
    " LEFT JOIN reports r ON r.entity = g.code AND r.year = $2::int"
    "  AND r.revision = coalesce($3::int, c.revision)"
    " WHERE g.code = $1";

static bool check_scope(gk_req *r, PGresult *res)
{
    if (!gk_req_ok(r, res))
        return false;
    if (PQntuples(res) != 1) {
        gk_reply_error(r, 404, "not_found", "", "没有这个区划：%s", r->seg[0]);
        return false;
    }
    if (!gk_req_in_scope(r, PQgetvalue(res, 0, 0))) {
        gk_reply_error(r, 403, "forbidden", "", "令牌无权访问 %s 的报告", r->seg[0]);
        return false;
    }
    return true;
}

static void report_done(gk_req *r, PGresult *res)
{
    if (!check_scope(r, res))
        return;
    if (PQgetisnull(res, 0, 2)) {
        gk_reply_error(r, 404, "not_found", "", "%s 没有 %s 年度的报告%s", r->seg[0], r->seg[1],
                       gk_req_param(r, "revision") ? "（或没有这个修订版本）" : "");
        return;
    }
    json_t *findings = json_loads(PQgetvalue(res, 0, 7), 0, NULL);
    json_t *o = json_pack("{s:s,s:i,s:s,s:i,s:s,s:I,s:s,s:s,s:o}", "entity", r->seg[0], "year",
                          atoi(r->seg[1]), "format", PQgetvalue(res, 0, 1), "revision", atoi(PQgetvalue(res, 0, 2)),
                          "submitted_at", PQgetvalue(res, 0, 3), "submitted_by",
                          (json_int_t)strtoll(PQgetvalue(res, 0, 4), NULL, 10), "content_hash",
                          PQgetvalue(res, 0, 5), "status", PQgetvalue(res, 0, 6), "findings",
                          findings ? findings : json_array());
    char *head = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    const char *body = PQgetvalue(res, 0, 8);
    size_t hl = head ? strlen(head) : 0, bl = strlen(body);
    char *out = head ? malloc(hl + bl + 16) : NULL;
    if (out == NULL) {
        free(head);
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    /* {…} → {…,"report":<body as submitted>} */
    memcpy(out, head, hl - 1);
    size_t n = hl - 1;
    memcpy(out + n, ",\"report\":", 10);
    n += 10;
    memcpy(out + n, body, bl);
    n += bl;
    out[n++] = '}';
    free(head);
    gk_reply_data(r, 200, "application/json; charset=utf-8", out, n);
    free(out);
}

static void report_start(gk_req *r, PGresult *res)
{
    (void)res;
    const char *rev = gk_req_param(r, "revision");
    const char *v[] = {r->seg[0], r->seg[1], rev};
    gk_req_query(r, report_sql, 3, v, report_done);
}

static bool valid_entity_year(gk_req *r)
{
    if (gk_parse_year(r->seg[1]) < 0 || strspn(r->seg[0], "0123456789") != strlen(r->seg[0]) ||
        strlen(r->seg[0]) > 12) {
        gk_reply_error(r, 404, "not_found", "", "没有这个报告：%s/%s", r->seg[0], r->seg[1]);
        return false;
    }
    return true;
}

void gk_route_report(gk_req *r)
{
    if (!valid_entity_year(r))
        return;
    const char *rev = gk_req_param(r, "revision");
    if (rev != NULL && (strspn(rev, "0123456789") != strlen(rev) || strlen(rev) == 0 || strlen(rev) > 9)) {
        gk_reply_error(r, 400, "invalid_parameter", "revision", "revision 应为正整数");
        return;
    }
    gk_req_with_db(r, true, report_start);
}

static void revisions_done(gk_req *r, PGresult *res)
{
    if (!check_scope(r, res))
        return;
    json_t *list = json_loads(PQgetvalue(res, 0, 1), 0, NULL);
    if (list == NULL || json_array_size(list) == 0) {
        json_decref(list);
        gk_reply_error(r, 404, "not_found", "", "%s 没有 %s 年度的报告", r->seg[0], r->seg[1]);
        return;
    }
    gk_reply_json(r, 200, json_pack("{s:s,s:i,s:o}", "entity", r->seg[0], "year", atoi(r->seg[1]), "revisions", list));
}

static void revisions_start(gk_req *r, PGresult *res)
{
    (void)res;
    const char *v[] = {r->seg[0], r->seg[1]};
    gk_req_query(r,
                 "SELECT g.path::text, coalesce((SELECT json_agg(json_build_object("
                 "'revision', r.revision, 'submitted_at', " GK_SQL_TS("r.submitted_at") ","
                 " 'submitted_by', r.token_id, 'content_hash', r.content_hash,"
                 " 'status', CASE WHEN r.revision = c.revision THEN coalesce(c.status, r.status) ELSE r.status END,"
                 " 'errors', CASE WHEN r.revision = c.revision THEN coalesce(c.errors, r.errors) ELSE r.errors END,"
                 " 'warnings', CASE WHEN r.revision = c.revision THEN coalesce(c.warnings, r.warnings)"
                 "  ELSE r.warnings END,"
                 " 'infos', CASE WHEN r.revision = c.revision THEN coalesce(c.infos, r.infos) ELSE r.infos END)"
                 " ORDER BY r.revision)"
                 " FROM reports r LEFT JOIN report_current c ON c.entity = r.entity AND c.year = r.year"
                 " WHERE r.entity = g.code AND r.year = $2::int), '[]')::text"
                 " FROM regions g WHERE g.code = $1",
                 2, v, revisions_done);
}

void gk_route_revisions(gk_req *r)
{
    if (!valid_entity_year(r))
        return;
    gk_req_with_db(r, true, revisions_start);
}
