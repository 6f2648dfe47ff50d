/* routes_trend.c — GET /api/v1/regions/{code}/trend?cell=PATH&year=Y[&years=N]
 * [&level=…][&kind=…] (issue 17): one cell over the N (default 5) years up to
 * Y — the region's own report (a township's trend) and its peers below it
 * (count, exact sum, min, median, max) year by year.  A cell is followed
 * across the 2021 change of format by its keys: a year whose format lacks
 * them says so (in_format false) instead of guessing a counterpart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongkai/format.h"
#include "gongkai/stats.h"
#include "peers.h"
#include "routes.h"
#include "store.h"

#define TREND_YEARS_DEFAULT 5
#define TREND_YEARS_MAX 10

typedef struct trend_st {
    int from, to;
    char from_s[16], to_s[16];
    const gk_format *f;   /* the latest format of the years having the cell */
    int cell;
    gk_peer_group g;
    char *path;
} trend_st;

static void st_free(void *p)
{
    trend_st *st = p;
    free(st->path);
    free(st);
}

static const char *const trend_sql =
    "SELECT c.year, t.code, c.format, jsonb_typeof(r.body->'tables'->$6->$7->$8),"
    " r.body->'tables'->$6->$7->>$8, (" GK_PEER_WHERE("$2", "$3", "$4") ")"
    " FROM regions t JOIN report_current c ON c.entity = t.code AND c.year BETWEEN $1::int AND $5::int"
    " JOIN reports r ON r.entity = c.entity AND r.year = c.year AND r.revision = c.revision"
    " WHERE t.code = $9 OR (" GK_PEER_WHERE("$2", "$3", "$4") ") ORDER BY c.year, t.code";

/* One year's peers and own value from the rows [lo, hi) of that year. */
static json_t *year_json(const trend_st *st, int year, PGresult *res, int lo, int hi, const char *code)
{
    const gk_format *f = gk_format_for_year(year);
    json_t *o = json_pack("{s:i,s:s?}", "year", year, "format", f ? f->version : NULL);
    if (o == NULL)
        return NULL;
    const gk_cell_def *d = &st->f->cells[st->cell];
    const gk_table *t = &st->f->tables[d->table];
    int ci = f ? gk_format_cell_index(f, t->key, t->rows[d->row].key, t->columns[d->column].key) : -1;
    json_object_set_new(o, "in_format", json_boolean(ci >= 0));
    if (ci < 0)
        return o;
    gk_value_kind kind = f->tables[f->cells[ci].table].columns[f->cells[ci].column].kind;
    int64_t *v = malloc(((size_t)(hi - lo) + 1) * sizeof *v);
    if (v == NULL) {
        json_decref(o);
        return NULL;
    }
    size_t k = 0, n_null = 0, n_blank = 0;
    int64_t sum = 0;
    bool overflow = false;
    json_t *own = NULL;
    for (int i = lo; i < hi; i++) {
        int64_t x = 0;
        int s = strcmp(PQgetvalue(res, i, 2), f->version) != 0
                    ? -1   /* a report in another format: not comparable */
                    : gk_peer_value(kind, PQgetvalue(res, i, 3), PQgetvalue(res, i, 4), &x);
        if (s == GK_PEER_INVALID)
            s = GK_PEER_BLANK;
        if (!strcmp(PQgetvalue(res, i, 1), code) && s >= 0)
            own = s == GK_PEER_NUMBER ? json_pack("{s:s,s:o}", "state", "number", "value", gk_peer_number(kind, x))
                                      : json_pack("{s:s}", "state", s == GK_PEER_NULL ? "not_applicable" : "blank");
        /* column 5: whether the unit is of the peer group (a township
         * looking at itself is both its own report and its one peer) */
        if (s < 0 || strcmp(PQgetvalue(res, i, 5), "t") != 0)
            continue;
        if (s == GK_PEER_NUMBER) {
            v[k++] = x;
            overflow |= __builtin_add_overflow(sum, x, &sum);
        } else if (s == GK_PEER_NULL)
            n_null++;
        else
            n_blank++;
    }
    json_object_set_new(o, "own", own ? own : json_null());
    gk_quartiles q;
    json_t *peers = json_pack("{s:I,s:I,s:I}", "count", (json_int_t)k, "not_applicable", (json_int_t)n_null, "blank",
                              (json_int_t)n_blank);
    if (peers != NULL && k > 0 && gk_stats_quartiles(v, k, &q) == 0) {
        json_object_set_new(peers, "sum", overflow ? json_null() : gk_peer_number(kind, sum));
        json_object_set_new(peers, "min", gk_peer_number(kind, q.min));
        json_object_set_new(peers, "p50", gk_peer_quartile(kind, q.q4[1]));
        json_object_set_new(peers, "max", gk_peer_number(kind, q.max));
    } else if (peers != NULL) {
        json_object_set_new(peers, "sum", json_null());
        json_object_set_new(peers, "min", json_null());
        json_object_set_new(peers, "p50", json_null());
        json_object_set_new(peers, "max", json_null());
    }
    free(v);
    json_object_set_new(o, "peers", peers);
    return o;
}

static void trend_done(gk_req *r, PGresult *res)
{
    trend_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    json_t *years = json_array();
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:o}", "region", r->seg[0], "cell", st->f->cells[st->cell].path,
                          "level", st->g.level[0] == '4' ? "township" : "county", "unit_kind",
                          st->g.kind[0] ? st->g.kind : "all", "years", years);
    int n = PQntuples(res), i = 0;
    bool ok = o != NULL;
    for (int y = st->from; ok && y <= st->to; y++) {
        int lo = i;
        while (i < n && atoi(PQgetvalue(res, i, 0)) == y)
            i++;
        json_t *yj = year_json(st, y, res, lo, i, r->seg[0]);
        ok = yj != NULL && json_array_append_new(years, yj) == 0;
    }
    if (!ok) {
        json_decref(o);
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    gk_peer_reply(r, o);
}

static void region_done(gk_req *r, PGresult *res)
{
    trend_st *st = r->st;
    if (!gk_peer_region_ok(r, res))
        return;
    char tag[64];
    snprintf(tag, sizeof tag, "tr-%s-%d-%d-%s-%s-%d", r->seg[0], st->from, st->to, st->g.level, st->g.kind, st->cell);
    if (gk_peer_answer_by_tag(r, res, tag))
        return;
    st->path = strdup(PQgetvalue(res, 0, 0));
    if (st->path == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    const gk_cell_def *d = &st->f->cells[st->cell];
    const gk_table *t = &st->f->tables[d->table];
    const char *v[] = {st->from_s, st->path, st->g.level, st->g.kind, st->to_s,
                       t->key, t->rows[d->row].key, t->columns[d->column].key, r->seg[0]};
    gk_req_query(r, trend_sql, 9, v, trend_done);
}

static void trend_start(gk_req *r, PGresult *res)
{
    (void)res;
    trend_st *st = r->st;
    const char *v[] = {r->seg[0], st->from_s, st->to_s};
    gk_req_query(r, gk_peer_region_sql, 3, v, region_done);
}

void gk_route_trend(gk_req *r)
{
    const char *ys = gk_req_param(r, "year"), *ns = gk_req_param(r, "years"), *cell = gk_req_param(r, "cell");
    int year = ys ? gk_parse_year(ys) : -1;
    if (year < 0 || gk_format_for_year(year) == NULL) {
        gk_reply_error(r, 400, "invalid_year", "year", "year 应为有报告格式的年度（趋势截至该年）");
        return;
    }
    int years = TREND_YEARS_DEFAULT;
    if (ns != NULL) {
        char *end = NULL;
        long x = strtol(ns, &end, 10);
        if (end == ns || *end != '\0' || x < 1 || x > TREND_YEARS_MAX) {
            gk_reply_error(r, 400, "invalid_years", "years", "years 应为 1 到 %d 的整数", TREND_YEARS_MAX);
            return;
        }
        years = (int)x;
    }
    if (strspn(r->seg[0], "0123456789") != strlen(r->seg[0]) || strlen(r->seg[0]) > 12 || !r->seg[0][0]) {
        gk_reply_error(r, 404, "not_found", "", "没有这个区划：%s", r->seg[0]);
        return;
    }
    gk_peer_group g;
    if (!gk_peer_group_param(r, &g))
        return;
    /* the cell is named by the latest format of the years that has it */
    int from = year - years + 1 < GK_YEAR_MIN ? GK_YEAR_MIN : year - years + 1, ci = -1;
    const gk_format *f = NULL;
    for (int y = year; y >= from && ci < 0; y--)
        if ((f = gk_format_for_year(y)) != NULL)
            ci = gk_peer_cell_param(f, cell);
    if (ci < 0) {
        gk_reply_error(r, 422, "invalid_cell", "cell", "cell 应为 %d–%d 年所用格式的单元格，如 tables.active.rules.issued",
                       from, year);
        return;
    }
    trend_st *st = calloc(1, sizeof *st);
    if (st == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    st->to = year;
    st->from = from;
    snprintf(st->from_s, sizeof st->from_s, "%d", st->from);
    snprintf(st->to_s, sizeof st->to_s, "%d", st->to);
    st->f = f;
    st->cell = ci;
    st->g = g;
    r->st = st;
    r->st_free = st_free;
    gk_req_with_db(r, true, trend_start);
}
