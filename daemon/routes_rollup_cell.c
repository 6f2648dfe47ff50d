/* routes_rollup_cell.c — GET /api/v1/regions/{code}/rollup/cell?year=Y&cell=PATH:
 * one cell of a region's rollup taken apart: each township-level unit below
 * the region with what its current report says in that cell (a value, not
 * applicable, blank), or that it has not reported, or that its report uses
 * another format (not summed).  The office's drill-down from a rollup cell
 * in the console.
 *
 * Values and the sum are exact: read from the stored JSON as PostgreSQL
 * numeric text and summed there (never a double), written as bare JSON
 * numbers through exactjson.h.  Computed per request from the stored bodies
 * (one indexed pass over the region's units); the whole rollup stays the
 * incrementally kept one of routes_regions.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongkai/exactjson.h"
#include "gongkai/format.h"
#include "gongkai/report.h"
#include "cellparam.h"
#include "routes.h"
#include "store.h"

typedef struct cell_st {
    int year;
    char year_s[16];
    const gk_format *f;
    int cell;
    char table[GK_CELLPARAM_TABLE], row[GK_CELLPARAM_KEY], column[GK_CELLPARAM_KEY];
    char *path;
    json_t *region;
} cell_st;

static void st_free(void *p)
{
    cell_st *st = p;
    free(st->path);
    json_decref(st->region);
    free(st);
}

enum { U_CODE, U_NAME, U_REPORTED, U_FORMAT, U_TYPE, U_TEXT, U_REV, U_SUM };

static const char *const units_sql =
    "SELECT t.code, t.name, c.revision IS NOT NULL, coalesce(c.format, ''),"
    " coalesce(jsonb_typeof(r.body->'tables'->$3->$4->$5), ''), r.body->'tables'->$3->$4->>$5, c.revision,"
    " (sum(CASE WHEN c.format = $6 AND jsonb_typeof(r.body->'tables'->$3->$4->$5) = 'number'"
    "   THEN (r.body->'tables'->$3->$4->>$5)::numeric END) OVER ())::text"
    " FROM regions t LEFT JOIN report_current c ON c.entity = t.code AND c.year = $1::int"
    " LEFT JOIN reports r ON r.entity = c.entity AND r.year = c.year AND r.revision = c.revision"
    " WHERE t.level = 4 AND t.path >= $2::text[] AND t.path < ($2::text[] || '~'::text) ORDER BY t.code";

static json_t *exact(const char *digits)
{
    json_t *v = gk_json_exact_number(digits);
    return v != NULL ? v : json_string(digits);
}

static void units_done(gk_req *r, PGresult *res)
{
    cell_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    int n = PQntuples(res);
    json_t *units = json_array();
    json_int_t counts[5] = {0};   /* reported, not_applicable, blank, missing, other_format */
    static const char *const names[5] = {"reported", "not_applicable", "blank", "missing", "other_format"};
    for (int i = 0; i < n; i++) {
        int s;
        if (strcmp(PQgetvalue(res, i, U_REPORTED), "t") != 0)
            s = 3;
        else if (strcmp(PQgetvalue(res, i, U_FORMAT), st->f->version) != 0)
            s = 4;
        else if (strcmp(PQgetvalue(res, i, U_TYPE), "number") == 0)
            s = 0;
        else if (strcmp(PQgetvalue(res, i, U_TYPE), "null") == 0)
            s = 1;
        else
            s = 2;
        counts[s]++;
        json_t *u = json_pack("{s:s,s:s,s:s}", "code", PQgetvalue(res, i, U_CODE), "name",
                              PQgetvalue(res, i, U_NAME), "state", names[s]);
        json_object_set_new(u, "value", s == 0 ? exact(PQgetvalue(res, i, U_TEXT)) : json_null());
        json_object_set_new(u, "revision",
                            PQgetisnull(res, i, U_REV) ? json_null() : json_integer(atoi(PQgetvalue(res, i, U_REV))));
        if (s == 4)
            json_object_set_new(u, "format", json_string(PQgetvalue(res, i, U_FORMAT)));
        json_array_append_new(units, u);
    }
    const gk_cell_def *d = &st->f->cells[st->cell];
    const gk_table *t = &st->f->tables[d->table];
    json_t *o = json_pack("{s:O,s:i,s:s,s:s,s:s,s:s,s:s}", "region", st->region, "year", st->year, "format",
                          st->f->version, "cell", d->path, "kind",
                          t->columns[d->column].kind == GK_KIND_AMOUNT ? "amount" : "count", "row_label",
                          t->rows[d->row].label, "column_label", t->columns[d->column].label);
    json_object_set_new(o, "sum", n > 0 && !PQgetisnull(res, 0, U_SUM) ? exact(PQgetvalue(res, 0, U_SUM))
                                                                        : json_integer(0));
    for (int s = 0; s < 5; s++)
        json_object_set_new(o, names[s], json_integer(counts[s]));
    json_object_set_new(o, "units", units);
    char *text = gk_json_dumps_exact(o, JSON_COMPACT | GK_JSON_REAL_FLAGS);
    json_decref(o);
    if (text == NULL) {
        gk_reply_error(r, 500, "internal", "", "内部错误");
        return;
    }
    gk_reply_data(r, 200, "application/json; charset=utf-8", text, strlen(text));
    free(text);
}

static void region_done(gk_req *r, PGresult *res)
{
    cell_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    if (PQntuples(res) != 1) {
        gk_reply_error(r, 404, "not_found", "", "没有这个区划：%s", r->seg[0]);
        return;
    }
    if (!gk_req_in_scope(r, PQgetvalue(res, 0, 0))) {
        gk_reply_error(r, 403, "forbidden", "", "令牌无权访问 %s", r->seg[0]);
        return;
    }
    st->path = strdup(PQgetvalue(res, 0, 0));
    st->region = json_pack("{s:s,s:s,s:i}", "code", r->seg[0], "name", PQgetvalue(res, 0, 1), "level",
                           atoi(PQgetvalue(res, 0, 2)));
    if (st->path == NULL || st->region == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    const char *v[] = {st->year_s, st->path, st->table, st->row, st->column, st->f->version};
    gk_req_query(r, units_sql, 6, v, units_done);
}

static void cell_start(gk_req *r, PGresult *res)
{
    (void)res;
    const char *v[] = {r->seg[0]};
    gk_req_query(r, "SELECT path::text, name, level FROM regions WHERE code = $1", 1, v, region_done);
}

void gk_route_rollup_cell(gk_req *r)
{
    const char *ys = gk_req_param(r, "year"), *cell = gk_req_param(r, "cell");
    int year = ys ? gk_parse_year(ys) : -1;
    const gk_format *f = year > 0 ? gk_format_for_year(year) : NULL;
    if (f == NULL) {
        gk_reply_error(r, 400, "invalid_year", "year", "year 应为有报告格式的年度");
        return;
    }
    if (strspn(r->seg[0], "0123456789") != strlen(r->seg[0]) || strlen(r->seg[0]) > 12 || !r->seg[0][0]) {
        gk_reply_error(r, 404, "not_found", "", "没有这个区划：%s", r->seg[0]);
        return;
    }
    cell_st *st = calloc(1, sizeof *st);
    if (st == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    st->year = year;
    snprintf(st->year_s, sizeof st->year_s, "%d", year);
    st->f = f;
    st->cell = gk_cell_param(f, cell, st->table, st->row, st->column);
    if (st->cell < 0) {
        free(st);
        gk_reply_error(r, 422, "invalid_cell", "cell", "cell 应为 %s 年版格式的单元格，如 tables.active.rules.issued",
                       f->version);
        return;
    }
    r->st = st;
    r->st_free = st_free;
    gk_req_with_db(r, true, cell_start);
}
