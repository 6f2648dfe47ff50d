/* routes_reports.c — reading stored reports: GET /api/v1/reports/{entity}/
 * {year}[?revision=N], .../revisions and .../diff?from=N&to=M.  The body is
 * returned byte for byte as submitted (spliced into the answer, not
 * re-serialised). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongkai/exactjson.h"
#include "gongkai/diff.h"
#include "routes.h"
#include "store.h"

static const char *const report_sql =
    "SELECT g.path::text, r.format, r.revision, " GK_SQL_TS("r.submitted_at") ", r.token_id, r.content_hash,"
    " CASE WHEN r.revision = c.revision THEN coalesce(c.status, r.status) ELSE r.status END,"
    /* the current judgement carries the office's marks (sql/101_finding_marks.sql) */
    " (CASE WHEN r.revision = c.revision THEN gk_findings_with_marks(g.code, $2::int, coalesce(c.findings, r.findings))"
    "  ELSE r.findings END)::text,"
    " r.body_text,"
    /* the name for a rendered title: a township with its county (永安市贡川镇) */
    " CASE WHEN length(g.code) > 6 THEN coalesce((SELECT p.name FROM regions p WHERE p.code = g.parent), '')"
    "  ELSE '' END || g.name"
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
    const char *fmt = gk_req_param(r, "format");
    if (fmt != NULL && strcmp(fmt, "json") != 0) {
        gk_route_report_render(r, fmt, PQgetvalue(res, 0, 8), PQgetvalue(res, 0, 9));
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

/* ?revision=, ?from=, ?to=: absent, or a revision number (1 or more);
 * false after answering 400 invalid_parameter. */
static bool revision_param_ok(gk_req *r, const char *name)
{
    const char *v = gk_req_param(r, name);
    if (v == NULL || (strspn(v, "0123456789") == strlen(v) && strlen(v) > 0 && strlen(v) <= 9 &&
                      atoi(v) >= 1))
        return true;
    gk_reply_error(r, 400, "invalid_parameter", name, "%s 应为正整数版本号", name);
    return false;
}

void gk_route_report(gk_req *r)
{
    if (!valid_entity_year(r) || !revision_param_ok(r, "revision"))
        return;
    const char *fmt = gk_req_param(r, "format");
    if (fmt != NULL && strcmp(fmt, "json") && strcmp(fmt, "html") && strcmp(fmt, "docx")) {
        gk_reply_error(r, 400, "invalid_parameter", "format", "format 只能是 json、html 或 docx");
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

/* ---- diff ------------------------------------------------------------ */

/* Both revisions (to defaults to the current one, from to the one before);
 * revisions never change, so the answer's ETag is just their numbers. */
static const char *const diff_sql =
    "SELECT g.path::text, r.revision, r.body_text, coalesce($4::int, c.revision)"
    " FROM regions g LEFT JOIN report_current c ON c.entity = g.code AND c.year = $2::int"
    " LEFT JOIN reports r ON r.entity = g.code AND r.year = $2::int"
    "  AND r.revision IN (coalesce($3::int, coalesce($4::int, c.revision) - 1),"
    "                     coalesce($4::int, c.revision))"
    " WHERE g.code = $1 ORDER BY r.revision";

static gk_report *stored_report(gk_req *r, PGresult *res, int row)
{
    const char *text = PQgetvalue(res, row, 2);
    gk_error err;
    gk_report *rep = gk_report_parse(text, strlen(text), NULL, &err);
    if (rep == NULL)
        gk_reply_error(r, 500, "internal", "", "已保存的第 %s 版无法解析：%s", PQgetvalue(res, row, 1),
                       err.message);
    return rep;
}

static void diff_done(gk_req *r, PGresult *res)
{
    /* one row per revision found (or one with NULLs): not check_scope's one */
    if (!gk_req_ok(r, res))
        return;
    if (PQntuples(res) == 0) {
        gk_reply_error(r, 404, "not_found", "", "没有这个区划：%s", r->seg[0]);
        return;
    }
    if (!gk_req_in_scope(r, PQgetvalue(res, 0, 0))) {
        gk_reply_error(r, 403, "forbidden", "", "令牌无权访问 %s 的报告", r->seg[0]);
        return;
    }
    if (PQgetisnull(res, 0, 3)) {
        gk_reply_error(r, 404, "not_found", "", "%s 没有 %s 年度的报告", r->seg[0], r->seg[1]);
        return;
    }
    int to = atoi(PQgetvalue(res, 0, 3));
    const char *from_s = gk_req_param(r, "from");
    int from = from_s != NULL ? atoi(from_s) : to - 1;
    int rows[2] = {-1, -1};
    for (int i = 0; i < PQntuples(res); i++) {
        if (PQgetisnull(res, i, 1))
            continue;
        int rev = atoi(PQgetvalue(res, i, 1));
        if (rev == from)
            rows[0] = i;
        if (rev == to)
            rows[1] = i;
    }
    if (rows[0] < 0 || rows[1] < 0) {
        gk_reply_error(r, 404, "not_found", rows[0] < 0 ? "from" : "to", "%s %s 年度没有第 %d 版",
                       r->seg[0], r->seg[1], rows[0] < 0 ? from : to);
        return;
    }
    char etag[96];
    snprintf(etag, sizeof etag, "\"diff-%s-%s-%d-%d\"", r->seg[0], r->seg[1], from, to);
    if (gk_req_etag(r, etag))
        return;
    gk_report *a = stored_report(r, res, rows[0]);
    if (a == NULL)
        return;
    gk_report *b = stored_report(r, res, rows[1]);
    if (b == NULL) {
        gk_report_free(a);
        return;
    }
    json_t *d = gk_report_diff(a, b);
    json_object_set_new(d, "entity", json_string(r->seg[0]));
    json_object_set_new(d, "year", json_integer(atoi(r->seg[1])));
    json_object_set_new(d, "from", json_integer(from));
    json_object_set_new(d, "to", json_integer(to));
    gk_report_free(a);
    gk_report_free(b);
    /* exact: the diff's amounts are gk_json_exact_number nodes */
    char *text = gk_json_dumps_exact(d, JSON_COMPACT | GK_JSON_REAL_FLAGS);
    json_decref(d);
    if (text == NULL) {
        gk_reply_error(r, 500, "internal", "", "内部错误");
        return;
    }
    gk_reply_data(r, 200, "application/json; charset=utf-8", text, strlen(text));
    free(text);
}

static void diff_start(gk_req *r, PGresult *res)
{
    (void)res;
    const char *v[] = {r->seg[0], r->seg[1], gk_req_param(r, "from"), gk_req_param(r, "to")};
    gk_req_query(r, diff_sql, 4, v, diff_done);
}

void gk_route_diff(gk_req *r)
{
    if (!valid_entity_year(r) || !revision_param_ok(r, "from") || !revision_param_ok(r, "to"))
        return;
    gk_req_with_db(r, true, diff_start);
}
