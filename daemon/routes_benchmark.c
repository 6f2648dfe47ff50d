/* routes_benchmark.c — GET /api/v1/regions/{code}/benchmark?year=Y[&cell=PATH]
 * [&level=township|county][&kind=town|township|subdistrict] (issue 17): the
 * peer statistics of the current revisions of the units of one level below
 * a region — count, min, P25, P50, P75, max (as PostgreSQL's
 * percentile_cont, but exact: lib/stats.c) — for one cell with each unit's
 * percentile rank, or for every cell of the year's format at once; and the
 * peer.outlier findings (a count far above the unit's peers: docs/rules.md).
 * Units whose report uses another format, or leaves the cell blank or not
 * applicable, are not counted.  Answers are kept in the answer cache under a
 * tag that moves with every change of the region's reports (peers.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongkai/exactjson.h"
#include "gongkai/format.h"
#include "gongkai/report.h"
#include "gongkai/stats.h"
#include "peers.h"
#include "routes.h"
#include "store.h"

/* peer.outlier: only counts, only from this many units (the unit and at
 * least three peers), and only from this value up (docs/rules.md) */
#define OUTLIER_MIN_UNITS 4
#define OUTLIER_MIN_VALUE 5

typedef struct bench_st {
    int year;
    char year_s[16];
    const gk_format *f;
    int cell;              /* -1: every cell */
    gk_peer_group g;
    char *path;
    /* every cell: the units read so far, page by page (unit-major values) */
    size_t n, cap;
    int64_t *value;          /* n × n_cells */
    unsigned char *state;    /* n × n_cells, GK_PEER_* */
    char **codes, **names;
} bench_st;

static void st_free(void *p)
{
    bench_st *st = p;
    for (size_t i = 0; i < st->n; i++) {
        free(st->codes[i]);
        free(st->names[i]);
    }
    free(st->codes);
    free(st->names);
    free(st->value);
    free(st->state);
    free(st->path);
    free(st);
}

/* The values of one cell over the units, and what the answer says of it. */
typedef struct cell_values {
    size_t n;
    const unsigned char *state;   /* GK_PEER_* per unit */
    const int64_t *value;
} cell_values;

static const char *kind_name(gk_value_kind k)
{
    return k == GK_KIND_AMOUNT ? "amount" : k == GK_KIND_SIGNED_COUNT ? "signed_count" : "count";
}

/* One cell's statistics; with_units adds every unit's value and rank and
 * the units not counted.  NULL when out of memory. */
static json_t *cell_json(const gk_format *f, int cell, const cell_values *cv, const char *const *codes,
                         const char *const *names, bool with_units)
{
    gk_value_kind kind = f->tables[f->cells[cell].table].columns[f->cells[cell].column].kind;
    int64_t *sorted = malloc((cv->n + 1) * sizeof *sorted);
    json_t *o = json_object(), *units = json_array(), *apart = json_array(), *outliers = json_array();
    if (sorted == NULL || o == NULL || units == NULL || apart == NULL || outliers == NULL) {
        free(sorted);
        json_decref(o);
        json_decref(units);
        json_decref(apart);
        json_decref(outliers);
        return NULL;
    }
    size_t k = 0, n_null = 0, n_blank = 0;
    for (size_t i = 0; i < cv->n; i++) {
        if (cv->state[i] == GK_PEER_NUMBER)
            sorted[k++] = cv->value[i];
        else if (cv->state[i] == GK_PEER_NULL)
            n_null++;
        else
            n_blank++;
    }
    gk_quartiles q = {0};
    json_object_set_new(o, "cell", json_string(f->cells[cell].path));
    json_object_set_new(o, "kind", json_string(kind_name(kind)));
    json_object_set_new(o, "count", json_integer((json_int_t)k));
    if (k > 0 && gk_stats_quartiles(sorted, k, &q) == 0) {
        json_object_set_new(o, "min", gk_peer_number(kind, q.min));
        json_object_set_new(o, "p25", gk_peer_quartile(kind, q.q4[0]));
        json_object_set_new(o, "p50", gk_peer_quartile(kind, q.q4[1]));
        json_object_set_new(o, "p75", gk_peer_quartile(kind, q.q4[2]));
        json_object_set_new(o, "max", gk_peer_number(kind, q.max));
    } else {
        const char *names[] = {"min", "p25", "p50", "p75", "max"};
        for (int j = 0; j < 5; j++)
            json_object_set_new(o, names[j], json_null());
    }
    json_object_set_new(o, "not_applicable", json_integer((json_int_t)n_null));
    json_object_set_new(o, "blank", json_integer((json_int_t)n_blank));
    for (size_t i = 0; i < cv->n; i++) {
        const char *code = codes[i], *name = names[i];
        if (cv->state[i] != GK_PEER_NUMBER) {
            if (with_units)
                json_array_append_new(apart, json_pack("{s:s,s:s,s:s}", "code", code, "name", name, "state",
                                                       cv->state[i] == GK_PEER_NULL ? "not_applicable" : "blank"));
            continue;
        }
        int64_t x = cv->value[i];
        if (with_units) {
            int pm = gk_stats_rank_permille(sorted, k, x);
            char rank[16];
            snprintf(rank, sizeof rank, "%d.%d", pm / 10, pm % 10);
            json_array_append_new(units, json_pack("{s:s,s:s,s:o,s:s}", "code", code, "name", name, "value",
                                                   gk_peer_number(kind, x), "percentile_rank", rank));
        }
        gk_quartiles others;
        if (kind != GK_KIND_COUNT || k < OUTLIER_MIN_UNITS || x < OUTLIER_MIN_VALUE ||
            gk_stats_quartiles_without(sorted, k, gk_stats_lower_bound(sorted, k, x), &others) != 0 ||
            !gk_stats_far_above(&others, x))
            continue;
        char p25[40], p75[40];
        gk_stats_quarter_text(others.q4[0], p25, sizeof p25);
        gk_stats_quarter_text(others.q4[2], p75, sizeof p75);
        char msg[400];
        snprintf(msg, sizeof msg,
                 "%s 的 %s 为 %lld，远高于同级其他 %zu 个单位（P25 %s、P75 %s；超过 P75 加 3 倍四分位距），请核实",
                 name, f->cells[cell].path, (long long)x, others.n, p25, p75);
        json_array_append_new(outliers, json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:s}", "code", code, "name", name,
                                                  "rule", "peer.outlier", "severity", "info", "value",
                                                  (json_int_t)x, "peers_p25", p25, "peers_p75", p75, "message",
                                                  msg));
    }
    free(sorted);
    if (with_units) {
        json_object_set_new(o, "units", units);
        json_object_set_new(o, "not_counted", apart);
    } else {
        json_decref(units);
        json_decref(apart);
    }
    json_object_set_new(o, "outliers", outliers);
    return o;
}

static json_t *answer_head(gk_req *r, const bench_st *st)
{
    return json_pack("{s:s,s:i,s:s,s:s,s:s}", "region", r->seg[0], "year", st->year, "format", st->f->version,
                     "level", st->g.level[0] == '4' ? "township" : "county", "unit_kind",
                     st->g.kind[0] ? st->g.kind : "all");
}

/* ---- one cell: its value extracted by PostgreSQL ---- */

static void one_cell_done(gk_req *r, PGresult *res)
{
    bench_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    size_t n = (size_t)PQntuples(res);
    const gk_cell_def *d = &st->f->cells[st->cell];
    gk_value_kind kind = st->f->tables[d->table].columns[d->column].kind;
    unsigned char *state = malloc(n + 1);
    int64_t *value = calloc(n + 1, sizeof *value);
    const char **codes = calloc(n + 1, sizeof *codes), **names = calloc(n + 1, sizeof *names);
    json_t *o = NULL, *c = NULL;
    if (state != NULL && value != NULL && codes != NULL && names != NULL) {
        for (size_t i = 0; i < n; i++) {
            int s = gk_peer_value(kind, PQgetvalue(res, (int)i, 2), PQgetvalue(res, (int)i, 3), &value[i]);
            /* a value the parser would not accept is not a peer's number */
            state[i] = (unsigned char)(s == GK_PEER_INVALID ? GK_PEER_BLANK : s);
            codes[i] = PQgetvalue(res, (int)i, 0);
            names[i] = PQgetvalue(res, (int)i, 1);
        }
        cell_values cv = {n, state, value};
        c = cell_json(st->f, st->cell, &cv, codes, names, true);
        o = c != NULL ? answer_head(r, st) : NULL;
    }
    free(state);
    free(value);
    free(codes);
    free(names);
    if (o == NULL) {
        json_decref(c);
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    json_object_update(o, c);   /* the one cell's keys at the top, as before */
    json_decref(c);
    gk_peer_reply(r, o);
}

#define UNITS_FROM                                                                                  \
    " FROM regions t JOIN report_current c ON c.entity = t.code AND c.year = $1::int AND c.format = $5" \
    " JOIN reports r ON r.entity = c.entity AND r.year = c.year AND r.revision = c.revision WHERE"

static const char *const one_cell_sql =
    "SELECT t.code, t.name, jsonb_typeof(r.body->'tables'->$6->$7->$8), r.body->'tables'->$6->$7->>$8"
    UNITS_FROM GK_PEER_WHERE("$2", "$3", "$4") " ORDER BY t.code";

/* ---- every cell: each unit's stored body parsed once, page by page ----
 * The body as submitted (body_text) through the report parser's fast path
 * costs PostgreSQL nothing but the read.  Pages of ALL_CELLS_PAGE units by
 * code (keyset) keep any PGresult far from a national year's 41,352 bodies,
 * and the one REPEATABLE READ transaction, begun before the tag is read,
 * makes every page and the tag one snapshot.  (A cursor would do the same;
 * declared through the pool's prepared statements it never answered.)  The
 * values themselves stay: 9 bytes × units × cells (68 MB for the nation). */
#define ALL_CELLS_PAGE 2000
#define STR_(x) #x
#define STR(x) STR_(x)

static const char *const all_cells_sql =
    "SELECT t.code, t.name, r.body_text" UNITS_FROM GK_PEER_WHERE("$2", "$3", "$4")
    " AND t.code > $6 ORDER BY t.code LIMIT " STR(ALL_CELLS_PAGE);

static void all_cells_page(gk_req *r, PGresult *res);

static void all_cells_query(gk_req *r, const char *after)
{
    bench_st *st = r->st;
    const char *v[] = {st->year_s, st->path, st->g.level, st->g.kind, st->f->version, after};
    gk_req_query(r, all_cells_sql, 6, v, all_cells_page);
}

static bool grow(bench_st *st, size_t more)
{
    size_t m = st->f->n_cells;
    if (st->n + more <= st->cap)
        return true;
    size_t cap = st->cap ? st->cap : ALL_CELLS_PAGE;
    while (cap < st->n + more)
        cap *= 2;
    int64_t *v = realloc(st->value, cap * m * sizeof *v);
    if (v != NULL)
        st->value = v;
    unsigned char *s = realloc(st->state, cap * m);
    if (s != NULL)
        st->state = s;
    char **c = realloc(st->codes, cap * sizeof *c);
    if (c != NULL)
        st->codes = c;
    char **n = realloc(st->names, cap * sizeof *n);
    if (n != NULL)
        st->names = n;
    if (v == NULL || s == NULL || c == NULL || n == NULL)
        return false;
    st->cap = cap;
    return true;
}

static void all_cells_answer(gk_req *r)
{
    bench_st *st = r->st;
    const gk_format *f = st->f;
    size_t n = st->n, m = f->n_cells;
    int64_t *value = malloc((n + 1) * sizeof *value);
    unsigned char *state = malloc(n + 1);
    json_t *o = value && state ? answer_head(r, st) : NULL, *cells = json_array();
    bool ok = o != NULL && cells != NULL;
    for (size_t c = 0; ok && c < m; c++) {
        for (size_t i = 0; i < n; i++) {
            value[i] = st->value[i * m + c];
            state[i] = st->state[i * m + c];
        }
        cell_values cv = {n, state, value};
        json_t *one = cell_json(f, (int)c, &cv, (const char *const *)st->codes, (const char *const *)st->names,
                                false);
        ok = one != NULL && json_array_append_new(cells, one) == 0;
    }
    free(state);
    free(value);
    if (!ok) {
        json_decref(o);
        json_decref(cells);
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    json_object_set_new(o, "reports", json_integer((json_int_t)n));
    json_object_set_new(o, "cells", cells);
    gk_peer_reply(r, o);
}

static void all_cells_page(gk_req *r, PGresult *res)
{
    bench_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    const gk_format *f = st->f;
    size_t rows = (size_t)PQntuples(res), m = f->n_cells;
    if (!grow(st, rows)) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    for (size_t i = 0; i < rows; i++) {
        size_t u = st->n;
        const char *text = PQgetvalue(res, (int)i, 2);
        gk_error err;
        gk_report *rep = gk_report_parse(text, strlen(text), NULL, &err);
        st->codes[u] = strdup(PQgetvalue(res, (int)i, 0));
        st->names[u] = strdup(PQgetvalue(res, (int)i, 1));
        if (st->codes[u] == NULL || st->names[u] == NULL) {
            free(st->codes[u]);
            free(st->names[u]);
            gk_report_free(rep);
            gk_reply_error(r, 500, "internal", "", "内存不足");
            return;
        }
        st->n++;
        for (size_t c = 0; c < m; c++) {
            const gk_cell *cell = rep != NULL && rep->format == f ? &rep->cells[c] : NULL;
            /* an invalid value (stored with its finding) is not a peer's number */
            st->state[u * m + c] = cell == NULL                     ? GK_PEER_BLANK
                                   : cell->state == GK_CELL_NUMBER ? GK_PEER_NUMBER
                                   : cell->state == GK_CELL_NULL   ? GK_PEER_NULL
                                                                   : GK_PEER_BLANK;
            st->value[u * m + c] = cell != NULL && cell->state == GK_CELL_NUMBER ? cell->value : 0;
        }
        gk_report_free(rep);
    }
    if (rows == ALL_CELLS_PAGE) {
        all_cells_query(r, st->codes[st->n - 1]);
        return;
    }
    /* the read-only transaction ends when the pool takes the connection back */
    all_cells_answer(r);
}

static void region_done(gk_req *r, PGresult *res)
{
    bench_st *st = r->st;
    if (!gk_peer_region_ok(r, res))
        return;
    char tag[64];
    char cell[16] = "all";
    if (st->cell >= 0)
        snprintf(cell, sizeof cell, "%d", st->cell);
    snprintf(tag, sizeof tag, "bm-%s-%d-%s-%s-%s", r->seg[0], st->year, st->g.level, st->g.kind, cell);
    if (gk_peer_answer_by_tag(r, res, tag))
        return;
    st->path = strdup(PQgetvalue(res, 0, 0));
    if (st->path == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    if (st->cell < 0) {
        all_cells_query(r, "");
        return;
    }
    const gk_cell_def *d = &st->f->cells[st->cell];
    const gk_table *t = &st->f->tables[d->table];
    const char *v[] = {st->year_s, st->path, st->g.level, st->g.kind, st->f->version,
                       t->key, t->rows[d->row].key, t->columns[d->column].key};
    gk_req_query(r, one_cell_sql, 8, v, one_cell_done);
}

static void region_query(gk_req *r, PGresult *res)
{
    bench_st *st = r->st;
    if (res != NULL && !gk_req_ok(r, res))
        return;
    const char *v[] = {r->seg[0], st->year_s, st->year_s};
    gk_req_query(r, gk_peer_region_sql, 3, v, region_done);
}

static void bench_start(gk_req *r, PGresult *res)
{
    (void)res;
    bench_st *st = r->st;
    if (st->cell < 0) {   /* every cell: several reads, one snapshot (above) */
        gk_req_query(r, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, region_query);
        return;
    }
    region_query(r, NULL);
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
    gk_peer_group g;
    if (!gk_peer_group_param(r, &g))
        return;
    int ci = -1;
    if (cell != NULL && (ci = gk_peer_cell_param(f, cell)) < 0) {
        gk_reply_error(r, 422, "invalid_cell", "cell", "cell 应为 %s 年版格式的单元格，如 tables.active.rules.issued",
                       f->version);
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
    st->cell = ci;
    st->g = g;
    r->st = st;
    r->st_free = st_free;
    gk_req_with_db(r, true, bench_start);
}
