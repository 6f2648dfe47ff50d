/* routes_benchmark.c — GET /api/v1/regions/{code}/benchmark?year=Y&cell=PATH
 * (issue 17): one count cell of the current revisions of the township-level
 * units below a region — count, min, P25, P50, P75, max (as PostgreSQL's
 * percentile_cont, but exact: lib/stats.c) and each unit's percentile rank.
 * Units whose report uses another format, or leaves the cell blank or not
 * applicable, are listed apart and not counted.  Computed per request from
 * the stored bodies (no answer cache yet). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongkai/format.h"
#include "gongkai/stats.h"
#include "cellparam.h"
#include "routes.h"
#include "store.h"

typedef struct bench_st {
    int year;
    char year_s[16];
    const gk_format *f;
    int cell;
    char table[GK_CELLPARAM_TABLE], row[GK_CELLPARAM_KEY], column[GK_CELLPARAM_KEY];
    char *path;
} bench_st;

static void st_free(void *p)
{
    bench_st *st = p;
    free(st->path);
    free(st);
}

static const char *const values_sql =
    "SELECT t.code, t.name, jsonb_typeof(r.body->'tables'->$3->$4->$5), r.body->'tables'->$3->$4->>$5"
    " FROM regions t JOIN report_current c ON c.entity = t.code AND c.year = $1::int AND c.format = $6"
    " JOIN reports r ON r.entity = c.entity AND r.year = c.year AND r.revision = c.revision"
    " WHERE t.level = 4 AND t.path >= $2::text[] AND t.path < ($2::text[] || '~'::text) ORDER BY t.code";

static void values_done(gk_req *r, PGresult *res)
{
    bench_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    int n = PQntuples(res);
    int64_t *v = calloc((size_t)n + 1, sizeof *v), *sorted = calloc((size_t)n + 1, sizeof *sorted);
    json_t *units = json_array(), *apart = json_array();
    if (v == NULL || sorted == NULL || units == NULL || apart == NULL) {
        free(v);
        free(sorted);
        json_decref(units);
        json_decref(apart);
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        const char *type = PQgetvalue(res, i, 2), *text = PQgetvalue(res, i, 3);
        char *end = NULL;
        long long x = strcmp(type, "number") == 0 ? strtoll(text, &end, 10) : 0;
        if (end == NULL || *end != '\0' || end == text) {
            json_array_append_new(apart, json_pack("{s:s,s:s,s:s}", "code", PQgetvalue(res, i, 0), "name",
                                                   PQgetvalue(res, i, 1), "state",
                                                   !strcmp(type, "null") ? "not_applicable" : "blank"));
            continue;
        }
        v[k++] = x;
    }
    memcpy(sorted, v, k * sizeof *v);
    gk_quartiles q = {0};
    json_t *o = json_pack("{s:s,s:i,s:s,s:s,s:I}", "region", r->seg[0], "year", st->year, "format", st->f->version,
                          "cell", st->f->cells[st->cell].path, "count", (json_int_t)k);
    if (k > 0 && gk_stats_quartiles(sorted, k, &q) == 0) {
        char b[32];
        json_object_set_new(o, "min", json_integer(q.min));
        const char *names[] = {"p25", "p50", "p75"};
        for (int j = 0; j < 3; j++) {
            /* exact: an integer, or text with its quarter ("1.5") */
            gk_stats_quarter_text(q.q4[j], b, sizeof b);
            json_object_set_new(o, names[j], q.q4[j] % 4 == 0 ? json_integer(q.q4[j] / 4) : json_string(b));
        }
        json_object_set_new(o, "max", json_integer(q.max));
    } else {
        json_object_set_new(o, "min", json_null());
        json_object_set_new(o, "p25", json_null());
        json_object_set_new(o, "p50", json_null());
        json_object_set_new(o, "p75", json_null());
        json_object_set_new(o, "max", json_null());
    }
    for (int i = 0; i < n; i++) {
        const char *type = PQgetvalue(res, i, 2), *text = PQgetvalue(res, i, 3);
        char *end = NULL;
        if (strcmp(type, "number") != 0)
            continue;
        long long x = strtoll(text, &end, 10);
        if (end == text || *end != '\0')
            continue;
        int pm = gk_stats_rank_permille(sorted, k, x);
        char rank[16];
        snprintf(rank, sizeof rank, "%d.%d", pm / 10, pm % 10);
        json_array_append_new(units, json_pack("{s:s,s:s,s:I,s:s}", "code", PQgetvalue(res, i, 0), "name",
                                               PQgetvalue(res, i, 1), "value", (json_int_t)x, "percentile_rank",
                                               rank));
    }
    free(v);
    free(sorted);
    json_object_set_new(o, "units", units);
    json_object_set_new(o, "not_counted", apart);
    gk_reply_json(r, 200, o);
}

static void region_done(gk_req *r, PGresult *res)
{
    bench_st *st = r->st;
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
    const char *v[] = {st->year_s, st->path, st->table, st->row, st->column, st->f->version};
    gk_req_query(r, values_sql, 6, v, values_done);
}

static void bench_start(gk_req *r, PGresult *res)
{
    (void)res;
    const char *v[] = {r->seg[0]};
    gk_req_query(r, "SELECT path::text FROM regions WHERE code = $1", 1, v, region_done);
}

void gk_route_benchmark(gk_req *r)
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
    bench_st *st = calloc(1, sizeof *st);
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
    const gk_cell_def *d = &f->cells[st->cell];
    if (f->tables[d->table].columns[d->column].kind == GK_KIND_AMOUNT) {
        free(st);
        gk_reply_error(r, 422, "unsupported_cell", "cell", "金额单元格的同级比较尚未提供，请选择件数类单元格");
        return;
    }
    r->st = st;
    r->st_free = st_free;
    gk_req_with_db(r, true, bench_start);
}
