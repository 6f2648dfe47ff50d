/* routes_regions.c — GET /api/v1/regions/{code}[/rollup|/compliance].
 *
 * The rollup's sums are read from the incrementally maintained rollup table
 * (one row per format), so the cost does not grow with the number of
 * reports; coverage lists the region's township-level units. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "cache.h"
#include "csv.h"
#include "metrics.h"
#include "readcache.h"
#include "gongkai/exactjson.h"
#include "gongkai/format.h"
#include "gongkai/report.h"
#include "gongkai/review.h"
#include "gongkai/rollup.h"
#include "gongkai/workbook.h"
#include "routes.h"
#include "store.h"

typedef struct region_st {
    int year;
    char year_s[16];
    bool csv;
    bool xlsx;            /* ?format=xlsx: the office's workbook (lib/workbook) */
    json_t *answer;       /* xlsx: the rollup JSON, while compliance is read */
    json_t *region;       /* {code,name,level} */
    char *path;           /* the region's ancestor path, text[] literal */
    json_t *rows;         /* rollup rows as read */
    gk_rollup *ru;
    const gk_format *format;
    const char *review;   /* compliance ?review=STATE, or NULL */
    char kind[24];        /* compliance's ETag kind: one per filter */
} region_st;

static void st_free(void *p)
{
    region_st *st = p;
    if (st == NULL)
        return;
    json_decref(st->region);
    json_decref(st->answer);
    json_decref(st->rows);
    free(st->path);
    gk_rollup_free(st->ru);
    free(st);
}

static region_st *st_new(gk_req *r)
{
    region_st *st = calloc(1, sizeof *st);
    if (st == NULL)
        return NULL;
    r->st = st;
    r->st_free = st_free;
    return st;
}

/* First query of every region route: the region and its path, with scope. */
static const char *const region_sql =
    "SELECT code, name, level, parent, path::text,"
    " (SELECT coalesce(json_agg(json_build_object('code', c.code, 'name', c.name, 'level', c.level)"
    "   ORDER BY c.code), '[]') FROM regions c WHERE c.parent = g.code)::text"
    " FROM regions g WHERE code = $1";

/* The same for rollup and compliance, with what their ETag derives from:
 * the (region, year) change counter and the registry/deadline generation.
 * Both move inside the writer's transaction (a sequence would not: nextval
 * is visible before commit, so a read in between would pair the new tag
 * with the old content and cache it under that tag). */
static const char *const region_year_sql =
    "SELECT code, name, level, parent, path::text, '',"
    " (SELECT coalesce(sum(counter), 0) FROM region_changes WHERE region = g.code AND year = $2::int),"
    " (SELECT n FROM registry_generation)"
    " FROM regions g WHERE code = $1";

static bool region_row(gk_req *r, PGresult *res)
{
    if (!gk_req_ok(r, res))
        return false;
    if (PQntuples(res) != 1) {
        gk_reply_error(r, 404, "not_found", "", "没有这个区划：%s", r->seg[0]);
        return false;
    }
    if (!gk_req_in_scope(r, PQgetvalue(res, 0, 4))) {
        gk_reply_error(r, 403, "forbidden", "", "令牌无权访问区划 %s", r->seg[0]);
        return false;
    }
    return true;
}

static json_t *region_json(PGresult *res)
{
    return json_pack("{s:s,s:s,s:i}", "code", PQgetvalue(res, 0, 0), "name", PQgetvalue(res, 0, 1), "level",
                     atoi(PQgetvalue(res, 0, 2)));
}

/* The ETag's kind: one answer per representation of the rollup. */
static const char *rollup_kind(const region_st *st) { return st->csv ? "rc" : st->xlsx ? "rx" : "rj"; }

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

static const char *answer_type(gk_req *r)
{
    const region_st *st = r->st;
    if (st->xlsx) {
        /* RFC 6266 with RFC 5987's filename* for the Chinese name, an ASCII
         * fallback for old clients; from the code and year only, so a cached
         * answer gets the same header. */
        char cd[256];
        snprintf(cd, sizeof cd,
                 "attachment; filename=\"rollup-%s-%d.xlsx\"; filename*=UTF-8''%%E6%%B1%%87%%E6%%80%%BB-%s-%d.xlsx",
                 r->seg[0], st->year, r->seg[0], st->year);
        evhttp_add_header(evhttp_request_get_output_headers(r->req), "Content-Disposition", cd);
        return XLSX_TYPE;
    }
    return st->csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8";
}

static gk_cache *answers;
void gk_routes_set_cache(gk_cache *cache) { answers = cache; }

static void blob_sent(const void *data, size_t len, void *arg)
{
    (void)data;
    (void)len;
    gk_cache_blob_unref(arg);
}

/* Answers 304 when the client has the current version, or the cached
 * answer under the current tag; true when answered. */
bool gk_answer_cached(gk_req *r, const char *etag, const char *(*content_type)(gk_req *r))
{
    if (gk_req_etag(r, etag))
        return true;
    gk_cache_blob *hit = gk_cache_get(answers, etag);
    if (answers != NULL)
        gk_metrics_cache(hit != NULL);
    if (hit == NULL)
        return false;
    size_t len = 0;
    const char *data = gk_cache_blob_data(hit, &len);
    gk_reply_data_ref(r, 200, content_type(r), data, len, blob_sent, hit);
    return true;
}

void gk_answer_keep(gk_req *r, char *text, size_t len, const char *(*content_type)(gk_req *r))
{
    if (text == NULL) {
        gk_reply_error(r, 500, "internal", "", "内部错误");
        return;
    }
    gk_cache_put(answers, r->etag, text, len);
    gk_reply_data(r, 200, content_type(r), text, len);
    free(text);
}

static bool answer_by_tag(gk_req *r, const char *kind, const char *counter, const char *generation)
{
    region_st *st = r->st;
    char etag[96];
    snprintf(etag, sizeof etag, "\"%s-%s-%d-%s-%s\"", kind, r->seg[0], st->year, counter, generation);
    return gk_answer_cached(r, etag, answer_type);
}

/* The database's answer for the tag, remembered for the next poll
 * (readcache.h: refused if anything changed since this request began). */
static bool not_modified(gk_req *r, PGresult *res, const char *kind)
{
    region_st *st = r->st;
    gk_readcache_region_put(r->seg[0], st->year, PQgetvalue(res, 0, 4), PQgetvalue(res, 0, 6), PQgetvalue(res, 0, 7),
                            r->rc_epoch);
    return answer_by_tag(r, kind, PQgetvalue(res, 0, 6), PQgetvalue(res, 0, 7));
}

/* A warm poll without the database: the token, the region's tag sources
 * and the answer all in memory.  false: take the database path (which
 * also answers every refusal: 401, 403, 404). */
static bool answer_from_memory(gk_req *r, const char *kind)
{
    region_st *st = r->st;
    gk_readcache_region e;
    if (!gk_readcache_usable())
        return false;
    bool ok = gk_auth_cached(r) && gk_readcache_region_get(r->seg[0], st->year, &e) && gk_req_in_scope(r, e.path);
    gk_readcache_count(ok);
    return ok && answer_by_tag(r, kind, e.counter, e.generation);
}

/* Answers with text (JSON, or CSV for st->csv, or the workbook's bytes for
 * st->xlsx) and keeps it under the tag. */
static void reply_cached(gk_req *r, char *text, size_t len) { gk_answer_keep(r, text, len, answer_type); }

static void reply_json_cached(gk_req *r, json_t *o)
{
    /* exact: a rollup's amount sums are gk_json_exact_number nodes */
    char *text = o != NULL ? gk_json_dumps_exact(o, JSON_COMPACT | GK_JSON_REAL_FLAGS) : NULL;
    json_decref(o);
    reply_cached(r, text, text ? strlen(text) : 0);
}

/* ---- /regions/{code} ---- */

static void region_done(gk_req *r, PGresult *res)
{
    if (!region_row(r, res))
        return;
    json_t *o = region_json(res);
    json_object_set_new(o, "parent", PQgetisnull(res, 0, 3) ? json_null() : json_string(PQgetvalue(res, 0, 3)));
    json_t *kids = json_loads(PQgetvalue(res, 0, 5), 0, NULL);
    json_object_set_new(o, "children", kids ? kids : json_array());
    gk_reply_json(r, 200, o);
}

static void region_start(gk_req *r, PGresult *res)
{
    (void)res;
    const char *v[] = {r->seg[0]};
    gk_req_query(r, region_sql, 1, v, region_done);
}

void gk_route_region(gk_req *r) { gk_req_with_db(r, true, region_start); }

/* ---- /regions/{code}/rollup ---- */

/* "Late" in coverage and compliance is exactly the current judgement's
 * timeliness.late: the rule dates a report by its published_at when given,
 * else by its first submission, and deadline changes re-judge the reports
 * they touch, so reading the finding keeps the two from ever disagreeing. */
#define LATE_SQL "coalesce(c.findings, r.findings) @> '[{\"code\": \"timeliness.late\"}]'::jsonb"

static const char *const coverage_sql =
    "SELECT t.code, t.name, c.format, " GK_SQL_TS("c.first_submitted_at") ","
    " CASE WHEN c.entity IS NOT NULL THEN " LATE_SQL " END, coalesce(v.state, 'pending')"
    " FROM regions t LEFT JOIN report_current c ON c.entity = t.code AND c.year = $1::int"
    " LEFT JOIN reports r ON r.entity = c.entity AND r.year = c.year AND r.revision = c.revision"
    " LEFT JOIN report_review v ON v.entity = c.entity AND v.year = c.year"
    " WHERE t.level = 4 AND t.path >= $2::text[] AND t.path < ($2::text[] || '~'::text) ORDER BY t.code";

static const char *const compliance_sql =
    /* the office's marks in force, per unit (sql/101_finding_marks.sql),
     * computed once: as a join the planner may run it again per unit */
    "WITH fm AS MATERIALIZED (SELECT k.entity, jsonb_object_agg(k.key, k.mark) AS marks"
    "  FROM gk_marks_in_force($1::int, $2::text[]) k GROUP BY k.entity)"
    " SELECT t.code, t.name, c.revision, coalesce(c.status, r.status), coalesce(c.errors, r.errors),"
    " coalesce(c.warnings, r.warnings), coalesce(c.infos, r.infos),"
    " coalesce(c.findings, r.findings)::text,"
    " CASE WHEN c.entity IS NOT NULL THEN " LATE_SQL " END, coalesce(v.state, 'pending'),"
    " fm.marks::text"
    " FROM regions t LEFT JOIN report_current c ON c.entity = t.code AND c.year = $1::int"
    " LEFT JOIN reports r ON r.entity = c.entity AND r.year = c.year AND r.revision = c.revision"
    " LEFT JOIN report_review v ON v.entity = c.entity AND v.year = c.year"
    " LEFT JOIN fm ON fm.entity = c.entity"
    " WHERE t.level = 4 AND t.path >= $2::text[] AND t.path < ($2::text[] || '~'::text)"
    /* the board's filter by review state: only reported units have one */
    "  AND ($3::text IS NULL OR (c.entity IS NOT NULL AND coalesce(v.state, 'pending') = $3))"
    " ORDER BY t.code";

/* The office's marks on one entity's findings (sql/101_finding_marks.sql):
 * dismissed findings are counted apart, not as errors/warnings/infos. */
typedef struct mark_counts {
    int confirmed, dismissed;
    int dismissed_by_sev[3];   /* info, warning, error */
} mark_counts;

static mark_counts count_marks(const json_t *findings)
{
    mark_counts m = {0};
    size_t i;
    const json_t *f;
    json_array_foreach(findings, i, f) {
        const char *mk = json_string_value(json_object_get(json_object_get(f, "mark"), "mark"));
        if (mk == NULL)
            continue;
        if (strcmp(mk, "confirmed") == 0) {
            m.confirmed++;
            continue;
        }
        m.dismissed++;
        const char *sev = json_string_value(json_object_get(f, "severity"));
        m.dismissed_by_sev[sev && !strcmp(sev, "error") ? 2 : sev && !strcmp(sev, "warning") ? 1 : 0]++;
    }
    return m;
}

/* The compliance answer from compliance_sql's rows. */
static json_t *compliance_json(const region_st *st, PGresult *res)
{
    int missing = 0, ok = 0, warnings = 0, errors = 0, dismissed = 0, confirmed = 0;
    json_t *list = json_array();
    for (int i = 0; i < PQntuples(res); i++) {
        json_t *e = json_pack("{s:s,s:s}", "code", PQgetvalue(res, i, 0), "name", PQgetvalue(res, i, 1));
        if (PQgetisnull(res, i, 2)) {
            missing++;
            json_object_set_new(e, "state", json_string("missing"));
            json_object_set_new(e, "revision", json_null());
            json_object_set_new(e, "late", json_false());
            json_object_set_new(e, "errors", json_integer(0));
            json_object_set_new(e, "warnings", json_integer(0));
            json_object_set_new(e, "infos", json_integer(0));
            json_object_set_new(e, "findings", json_array());
            json_object_set_new(e, "dismissed", json_integer(0));
            json_object_set_new(e, "confirmed", json_integer(0));
        } else {
            json_t *f = json_loads(PQgetvalue(res, i, 7), 0, NULL);
            if (!PQgetisnull(res, i, 10))
                gk_findings_merge_marks(f, PQgetvalue(res, i, 10));
            mark_counts mc = count_marks(f);
            /* what still stands after the office's review */
            int ne = atoi(PQgetvalue(res, i, 4)) - mc.dismissed_by_sev[2];
            int nw = atoi(PQgetvalue(res, i, 5)) - mc.dismissed_by_sev[1];
            dismissed += mc.dismissed;
            confirmed += mc.confirmed;
            const char *state = ne > 0 ? "errors" : nw > 0 ? "warnings" : "ok";
            if (ne > 0)
                errors++;
            else if (nw > 0)
                warnings++;
            else
                ok++;
            json_object_set_new(e, "state", json_string(state));
            json_object_set_new(e, "revision", json_integer(atoi(PQgetvalue(res, i, 2))));
            json_object_set_new(e, "late", json_boolean(strcmp(PQgetvalue(res, i, 8), "t") == 0));
            json_object_set_new(e, "errors", json_integer(ne));
            json_object_set_new(e, "warnings", json_integer(nw));
            json_object_set_new(e, "infos", json_integer(atoi(PQgetvalue(res, i, 6)) - mc.dismissed_by_sev[0]));
            json_object_set_new(e, "dismissed", json_integer(mc.dismissed));
            json_object_set_new(e, "confirmed", json_integer(mc.confirmed));
            json_object_set_new(e, "findings", f ? f : json_array());
            /* the office's review (routes_review.c) */
            json_object_set_new(e, "review", json_string(PQgetvalue(res, i, 9)));
            json_object_set_new(e, "review_label", json_string(gk_review_state_label(PQgetvalue(res, i, 9))));
        }
        json_array_append_new(list, e);
    }
    json_t *o = json_pack("{s:O,s:i,s:{s:i,s:i,s:i,s:i,s:i,s:i},s:o}", "region", st->region, "year", st->year,
                          "summary", "missing", missing, "ok", ok, "warnings", warnings, "errors", errors,
                          "dismissed_findings", dismissed, "confirmed_findings", confirmed, "entities", list);
    if (o != NULL && st->review != NULL)
        json_object_set_new(o, "review_filter", json_string(st->review));
    return o;
}

static void compliance_rows(gk_req *r, PGresult *res)
{
    if (!gk_req_ok(r, res))
        return;
    reply_json_cached(r, compliance_json(r->st, res));
}

/* The workbook: the rollup JSON built by rollup_coverage and the
 * compliance of the same request, written by lib/workbook (the same code as
 * `gongkai rollup --xlsx`). */
static void rollup_xlsx_compliance(gk_req *r, PGresult *res)
{
    region_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    json_t *comp = compliance_json(st, res);
    char why[320];
    size_t len = 0;
    char *book = comp ? gk_workbook_rollup_bytes(st->answer, comp, &len, why, sizeof why) : NULL;
    json_decref(comp);
    reply_cached(r, book, len);
}

static void rollup_coverage(gk_req *r, PGresult *res)
{
    region_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    json_t *missing = json_array(), *late = json_array(), *other = json_array();
    int n = PQntuples(res), submitted = 0;
    for (int i = 0; i < n; i++) {
        const char *code = PQgetvalue(res, i, 0), *name = PQgetvalue(res, i, 1);
        if (PQgetisnull(res, i, 2)) {
            json_array_append_new(missing, json_pack("{s:s,s:s}", "code", code, "name", name));
            continue;
        }
        submitted++;
        if (strcmp(PQgetvalue(res, i, 2), st->format->version) != 0)
            json_array_append_new(other, json_pack("{s:s,s:s,s:s}", "code", code, "name", name, "format",
                                                   PQgetvalue(res, i, 2)));
        if (strcmp(PQgetvalue(res, i, 4), "t") == 0)
            json_array_append_new(late, json_pack("{s:s,s:s,s:s}", "code", code, "name", name,
                                                  "first_submitted_at", PQgetvalue(res, i, 3)));
    }
    if (st->csv) {
        json_decref(missing);
        json_decref(late);
        json_decref(other);
        size_t len = 0;
        char *csv = gk_rollup_csv(st->ru, st->region, st->year, &len);
        reply_cached(r, csv, len);
        return;
    }
    json_t *cov = json_pack("{s:i,s:i,s:i,s:i,s:o,s:o}", "expected", n, "submitted", submitted, "missing_count",
                            (int)json_array_size(missing), "late_count", (int)json_array_size(late), "missing",
                            missing, "late", late);
    json_t *o = json_pack("{s:O,s:i,s:s,s:o,s:o,s:o}", "region", st->region, "year", st->year, "format",
                          st->format->version, "rollup", gk_rollup_to_json(st->ru), "coverage", cov,
                          "other_format", other);
    if (st->xlsx) {
        st->answer = o;
        const char *v[] = {st->year_s, st->path, NULL};   /* every unit: no review filter */
        gk_req_query(r, compliance_sql, 3, v, rollup_xlsx_compliance);
        return;
    }
    reply_json_cached(r, o);
}

static void rollup_rows(gk_req *r, PGresult *res)
{
    region_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    /* One row per shard (sql/020_rollup_shards.sql): their sum is the rollup. */
    st->ru = gk_rollup_new(st->format);
    for (int i = 0; i < PQntuples(res) && st->ru != NULL; i++) {
        gk_rollup *part = gk_rollup_from_arrays(st->format->version, atol(PQgetvalue(res, i, 0)),
                                                PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), PQgetvalue(res, i, 3));
        if (part == NULL || part->format != st->ru->format) {
            gk_rollup_free(part);
            gk_rollup_free(st->ru);
            st->ru = NULL;
            break;
        }
        /* Checked: reading a rollup never wraps (issue 13); with the
         * per-value bound (GK_VALUE_MAX) this cannot trip in practice. */
        bool wrapped = __builtin_add_overflow(st->ru->n_reports, part->n_reports, &st->ru->n_reports);
        for (size_t c = 0; c < st->format->n_cells; c++) {
            gk_rollup_cell *to = &st->ru->cells[c];
            const gk_rollup_cell *from = &part->cells[c];
            wrapped |= __builtin_add_overflow(to->sum, from->sum, &to->sum);
            wrapped |= __builtin_add_overflow(to->n_number, from->n_number, &to->n_number);
            wrapped |= __builtin_add_overflow(to->n_null, from->n_null, &to->n_null);
        }
        gk_rollup_free(part);
        if (wrapped) {
            gk_rollup_free(st->ru);
            st->ru = NULL;
            break;
        }
    }
    if (st->ru == NULL) {
        gk_reply_error(r, 500, "internal", "", "内部错误（汇总数据不一致）");
        return;
    }
    const char *v[] = {st->year_s, st->path};
    gk_req_query(r, coverage_sql, 2, v, rollup_coverage);
}

static void rollup_region(gk_req *r, PGresult *res)
{
    region_st *st = r->st;
    if (!region_row(r, res) || not_modified(r, res, rollup_kind(st)))
        return;
    st->region = region_json(res);
    st->path = strdup(PQgetvalue(res, 0, 4));
    const char *v[] = {r->seg[0], st->year_s, st->format->version};
    gk_req_query(r,
                 "SELECT reports, sums::text, n_number::text, n_null::text FROM rollup"
                 " WHERE region = $1 AND year = $2::int AND format = $3",
                 3, v, rollup_rows);
}

static void region_query(gk_req *r, PGresult *res, gk_req_step next)
{
    (void)res;
    region_st *st = r->st;
    const char *v[] = {r->seg[0], st->year_s};
    gk_req_query(r, region_year_sql, 2, v, next);
}

static void rollup_start(gk_req *r, PGresult *res) { region_query(r, res, rollup_region); }

/* Validates ?year= and sets up the state; false after answering. */
static bool year_param(gk_req *r, region_st **out)
{
    int year = gk_parse_year(gk_req_param(r, "year"));
    if (year < 0) {
        gk_reply_error(r, 400, "invalid_year", "year", "缺少或无效的参数 year");
        return false;
    }
    region_st *st = st_new(r);
    if (st == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return false;
    }
    st->year = year;
    snprintf(st->year_s, sizeof st->year_s, "%d", year);
    st->format = gk_format_for_year(year);
    if (st->format == NULL) {
        gk_reply_error(r, 400, "invalid_year", "year", "%d 年没有适用的报告格式", year);
        return false;
    }
    *out = st;
    return true;
}

void gk_route_rollup(gk_req *r)
{
    region_st *st;
    if (!year_param(r, &st))
        return;
    const char *fmt = gk_req_param(r, "format");
    if (fmt != NULL && strcmp(fmt, "csv") != 0 && strcmp(fmt, "json") != 0 && strcmp(fmt, "xlsx") != 0) {
        gk_reply_error(r, 400, "invalid_parameter", "format", "format 只能是 csv、json 或 xlsx");
        return;
    }
    st->csv = fmt != NULL && strcmp(fmt, "csv") == 0;
    st->xlsx = fmt != NULL && strcmp(fmt, "xlsx") == 0;
    if (answer_from_memory(r, rollup_kind(st)))
        return;
    gk_req_with_db(r, true, rollup_start);
}

/* ---- /regions/{code}/compliance ---- */

static void compliance_region(gk_req *r, PGresult *res)
{
    region_st *st = r->st;
    if (!region_row(r, res) || not_modified(r, res, st->kind))
        return;
    st->region = region_json(res);
    st->path = strdup(PQgetvalue(res, 0, 4));
    const char *v[] = {st->year_s, st->path, st->review};
    gk_req_query(r, compliance_sql, 3, v, compliance_rows);
}

static void compliance_start(gk_req *r, PGresult *res) { region_query(r, res, compliance_region); }

void gk_route_compliance(gk_req *r)
{
    region_st *st;
    if (!year_param(r, &st))
        return;
    st->review = gk_req_param(r, "review");
    if (st->review != NULL && gk_review_state_label(st->review)[0] == '\0') {
        gk_reply_error(r, 400, "invalid_parameter", "review",
                       "review 只能是 pending、returned、resubmitted 或 accepted");
        return;
    }
    snprintf(st->kind, sizeof st->kind, "c%s%s", st->review ? "-" : "", st->review ? st->review : "");
    if (answer_from_memory(r, st->kind))
        return;
    gk_req_with_db(r, true, compliance_start);
}
