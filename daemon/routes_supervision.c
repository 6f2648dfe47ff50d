/* routes_supervision.c — GET /api/v1/regions/{code}/supervision?year=Y
 * [&format=json|html|xlsx|docx]: the supervision list (通报) the office
 * circulates (issue 17, item 5) — the township-level units below the region
 * that have not reported, those that reported late, and every finding the
 * office confirmed (确认, sql/101_finding_marks.sql) per unit, with the
 * message and the cell named in words.  "Late" is the current judgement's
 * timeliness.late, as in rollup coverage and compliance.
 *
 * The ETag derives from what compliance's does (the region's change counter,
 * moved by submissions, re-judgements, reviews and marks, and the registry/
 * deadline generation), one per representation, so polling is a 304. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongkai/cellpath.h"
#include "gongkai/format.h"
#include "gongkai/report.h"
#include "routes.h"
#include "store.h"
#include "supervision.h"

typedef enum { OUT_JSON, OUT_HTML, OUT_XLSX, OUT_DOCX } out_kind;

typedef struct sup_st {
    int year;
    char year_s[16];
    out_kind out;
    json_t *region;
    char *deadline;       /* or NULL */
    char *path;           /* the region's path, text[] literal */
} sup_st;

static void st_free(void *p)
{
    sup_st *st = p;
    if (st == NULL)
        return;
    json_decref(st->region);
    free(st->deadline);
    free(st->path);
    free(st);
}

static const char *const region_sql =
    "SELECT g.code, g.name, g.level, g.path::text,"
    " (SELECT coalesce(sum(counter), 0) FROM region_changes WHERE region = g.code AND year = $2::int),"
    " (SELECT n FROM registry_generation),"
    /* the deadline in force: the nearest ancestor's (deadlines are inherited) */
    " (SELECT d.date::text FROM deadlines d WHERE d.region = ANY(g.path) AND d.year = $2::int"
    "   ORDER BY array_position(g.path, d.region) DESC LIMIT 1)"
    " FROM regions g WHERE g.code = $1";

/* One row per township-level unit below the region: reported or not, late,
 * and — only where the office confirmed something — the current findings
 * with their marks. */
static const char *const units_sql =
    /* the confirmations in force, per unit, computed once (a join could be
     * run again per unit); only these units are looked at closer */
    "WITH fm AS MATERIALIZED (SELECT k.entity, jsonb_object_agg(k.key, k.mark) AS marks"
    "  FROM gk_marks_in_force($1::int, $2::text[]) k WHERE k.mark->>'mark' = 'confirmed' GROUP BY k.entity)"
    " SELECT t.code, t.name, c.revision, c.format, " GK_SQL_TS("c.first_submitted_at") ","
    " CASE WHEN c.entity IS NOT NULL THEN"
    "  coalesce(c.findings, r.findings) @> '[{\"code\": \"timeliness.late\"}]'::jsonb END,"
    " CASE WHEN fm.entity IS NOT NULL THEN coalesce(c.findings, r.findings)::text END, fm.marks::text"
    " FROM regions t LEFT JOIN report_current c ON c.entity = t.code AND c.year = $1::int"
    " LEFT JOIN reports r ON r.entity = c.entity AND r.year = c.year AND r.revision = c.revision"
    " LEFT JOIN fm ON fm.entity = c.entity"
    " WHERE t.level = 4 AND t.path >= $2::text[] AND t.path < ($2::text[] || '~'::text) ORDER BY t.code";

static const char *const kind_names[] = {"sj", "sh", "sx", "sd"};

/* The Word writer (lib/render) places each table cell after checking it
 * against the cells already placed, quadratic in a table's size: the
 * nation's list (41,352 late units) took minutes of the event loop.  A
 * list longer than this is refused as DOCX (xlsx and html take any size);
 * 2,000 rows are ~0.1 s. */
#define GK_SUPERVISION_DOCX_MAX_ROWS 2000

/* The confirmed findings in force of one unit, each with its cell in words. */
static json_t *confirmed_of(const char *findings_text, const char *marks_text, const gk_format *fmt)
{
    json_t *all = json_loads(findings_text, 0, NULL), *out = json_array();
    gk_findings_merge_marks(all, marks_text);
    size_t i;
    json_t *f;
    json_array_foreach(all, i, f) {
        const json_t *m = json_object_get(f, "mark");
        if (strcmp(json_string_value(json_object_get(m, "mark")) ?: "", "confirmed") != 0)
            continue;
        const char *path = json_string_value(json_object_get(f, "path")) ?: "";
        char cell[256];
        gk_path_label(fmt, path, cell, sizeof cell);
        json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:O,s:s}", "code",
                                             json_string_value(json_object_get(f, "code")) ?: "", "severity",
                                             json_string_value(json_object_get(f, "severity")) ?: "", "path", path,
                                             "cell", cell, "message",
                                             json_string_value(json_object_get(f, "message")) ?: "", "reason",
                                             json_string_value(json_object_get(m, "reason")) ?: "", "by",
                                             json_object_get(m, "by") ?: json_null(), "at",
                                             json_string_value(json_object_get(m, "at")) ?: ""));
    }
    json_decref(all);
    return out;
}

static void units_done(gk_req *r, PGresult *res)
{
    sup_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    json_t *missing = json_array(), *late = json_array(), *confirmed = json_array();
    int n = PQntuples(res), reported = 0, n_confirmed = 0;
    for (int i = 0; i < n; i++) {
        const char *code = PQgetvalue(res, i, 0), *name = PQgetvalue(res, i, 1);
        if (PQgetisnull(res, i, 2)) {
            json_array_append_new(missing, json_pack("{s:s,s:s}", "code", code, "name", name));
            continue;
        }
        reported++;
        if (strcmp(PQgetvalue(res, i, 5), "t") == 0)
            json_array_append_new(late, json_pack("{s:s,s:s,s:s}", "code", code, "name", name, "first_submitted_at",
                                                  PQgetvalue(res, i, 4)));
        if (PQgetisnull(res, i, 6))
            continue;
        json_t *fs = confirmed_of(PQgetvalue(res, i, 6), PQgetvalue(res, i, 7), gk_format_find(PQgetvalue(res, i, 3)));
        if (json_array_size(fs) == 0) {
            json_decref(fs);
            continue;
        }
        n_confirmed += (int)json_array_size(fs);
        json_array_append_new(confirmed, json_pack("{s:s,s:s,s:i,s:o}", "code", code, "name", name, "revision",
                                                   atoi(PQgetvalue(res, i, 2)), "findings", fs));
    }
    json_t *m = json_pack("{s:O,s:i,s:s?,s:{s:i,s:i,s:i,s:i,s:i,s:i},s:o,s:o,s:o}", "region", st->region, "year",
                          st->year, "deadline", st->deadline, "summary", "expected", n, "reported", reported,
                          "missing", (int)json_array_size(missing), "late", (int)json_array_size(late),
                          "units_with_confirmed", (int)json_array_size(confirmed), "confirmed_findings", n_confirmed,
                          "missing", missing, "late", late, "confirmed", confirmed);
    if (m == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    if (st->out == OUT_JSON) {
        gk_reply_json(r, 200, m);
        return;
    }
    long rows = (long)json_array_size(missing) + (long)json_array_size(late) + n_confirmed;
    if (st->out == OUT_DOCX && rows > GK_SUPERVISION_DOCX_MAX_ROWS) {
        json_decref(m);
        gk_reply_error(r, 422, "list_too_large", "format",
                       "通报共 %ld 行，超过 Word 文档 %d 行的上限：请改用 format=xlsx 或 html，或按下级地区分别生成", rows,
                       GK_SUPERVISION_DOCX_MAX_ROWS);
        return;
    }
    size_t len = 0;
    char *doc = st->out == OUT_HTML   ? gk_supervision_html(m, &len)
                : st->out == OUT_XLSX ? gk_supervision_xlsx(m, &len)
                                      : gk_supervision_docx(m, &len);
    json_decref(m);
    if (doc == NULL) {
        gk_reply_error(r, 500, "internal", "", "生成通报文件失败");
        return;
    }
    struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    if (st->out == OUT_HTML) {
        evhttp_add_header(h, "Content-Security-Policy", gk_supervision_csp());
        gk_reply_data(r, 200, "text/html; charset=utf-8", doc, len);
    } else {
        bool xlsx = st->out == OUT_XLSX;
        char cd[128];
        snprintf(cd, sizeof cd, "attachment; filename=\"supervision-%s-%d.%s\"", r->seg[0], st->year,
                 xlsx ? "xlsx" : "docx");
        evhttp_add_header(h, "Content-Disposition", cd);
        gk_reply_data(r, 200,
                      xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                           : "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                      doc, len);
    }
    free(doc);
}

static void region_done(gk_req *r, PGresult *res)
{
    sup_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    if (PQntuples(res) != 1) {
        gk_reply_error(r, 404, "not_found", "", "没有这个区划：%s", r->seg[0]);
        return;
    }
    if (!gk_req_in_scope(r, PQgetvalue(res, 0, 3))) {
        gk_reply_error(r, 403, "forbidden", "", "令牌无权访问区划 %s", r->seg[0]);
        return;
    }
    char etag[128];
    snprintf(etag, sizeof etag, "\"%s-%s-%d-%s-%s\"", kind_names[st->out], r->seg[0], st->year, PQgetvalue(res, 0, 4),
             PQgetvalue(res, 0, 5));
    if (gk_req_etag(r, etag))
        return;
    st->region = json_pack("{s:s,s:s,s:i}", "code", PQgetvalue(res, 0, 0), "name", PQgetvalue(res, 0, 1), "level",
                           atoi(PQgetvalue(res, 0, 2)));
    st->path = strdup(PQgetvalue(res, 0, 3));
    if (!PQgetisnull(res, 0, 6))
        st->deadline = strdup(PQgetvalue(res, 0, 6));
    if (st->region == NULL || st->path == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    const char *v[] = {st->year_s, st->path};
    gk_req_query(r, units_sql, 2, v, units_done);
}

static void start(gk_req *r, PGresult *res)
{
    (void)res;
    sup_st *st = r->st;
    const char *v[] = {r->seg[0], st->year_s};
    gk_req_query(r, region_sql, 2, v, region_done);
}

void gk_route_supervision(gk_req *r)
{
    int year = gk_parse_year(gk_req_param(r, "year"));
    if (year < 0) {
        gk_reply_error(r, 400, "invalid_year", "year", "缺少或无效的参数 year");
        return;
    }
    const char *fmt = gk_req_param(r, "format");
    out_kind out = OUT_JSON;
    if (fmt != NULL && strcmp(fmt, "html") == 0)
        out = OUT_HTML;
    else if (fmt != NULL && strcmp(fmt, "xlsx") == 0)
        out = OUT_XLSX;
    else if (fmt != NULL && strcmp(fmt, "docx") == 0)
        out = OUT_DOCX;
    else if (fmt != NULL && strcmp(fmt, "json") != 0) {
        gk_reply_error(r, 400, "invalid_parameter", "format", "format 只能是 json、html、xlsx 或 docx");
        return;
    }
    sup_st *st = calloc(1, sizeof *st);
    if (st == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    st->year = year;
    st->out = out;
    snprintf(st->year_s, sizeof st->year_s, "%d", year);
    r->st = st;
    r->st_free = st_free;
    gk_req_with_db(r, true, start);
}
