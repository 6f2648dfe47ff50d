/* test_benchmark.c — GET /api/v1/regions/{code}/benchmark and …/trend
 * (issue 17) against a real PostgreSQL and gongkaid: the quartiles equal
 * PostgreSQL's own percentile_cont over the stored current revisions,
 * exactly, for one cell and for every cell, counts and amounts; blank and
 * not-applicable cells are listed apart; ranks; the peer.outlier finding;
 * peer groups by level and kind; the trend across years and formats; the
 * answer's ETag and cache follow every change; scope and errors. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static gk_h H;
static char admin[260], town[260];
static json_t *sample;

static void expect_error(const char *path, int status, const char *code);

static gk_resp call(const char *token, const char *path)
{
    char ah[300];
    snprintf(ah, sizeof ah, "Authorization: Bearer %s", token);
    const char *hdr[2] = {ah, NULL};
    gk_resp r;
    ck_assert_int_eq(gk_h_http(&H, "GET", path, hdr, NULL, 0, &r), 0);
    return r;
}

/* Submits the sample as entity for year with tables.active.<row>.<col> set */
static void submit_cell(const char *entity, int year, const char *row, const char *col, json_t *value)
{
    json_t *d = json_deep_copy(sample);
    json_object_set_new(d, "entity", json_string(entity));
    json_object_set_new(d, "year", json_integer(year));
    json_t *cells = json_object_get(json_object_get(json_object_get(d, "tables"), "active"), row);
    json_object_set_new(cells, col, value);
    char *body = json_dumps(d, JSON_COMPACT | JSON_REAL_PRECISION(15));
    char ah[300];
    snprintf(ah, sizeof ah, "Authorization: Bearer %s", admin);
    const char *hdr[3] = {ah, "Content-Type: application/json", NULL};
    gk_resp r;
    ck_assert_int_eq(gk_h_http(&H, "POST", "/api/v1/reports", hdr, body, strlen(body), &r), 0);
    ck_assert_msg(r.status == 201, "submit %s: %d %s", entity, r.status, r.body);
    gk_resp_free(&r);
    free(body);
    json_decref(d);
}

static void submit(const char *entity, json_t *new_made)
{
    submit_cell(entity, 2020, "rules", "new_made", new_made);
}

/* PostgreSQL's percentile_cont of the cell over the stored current revisions, as text */
static char *pg_quartile(const char *fraction)
{
    const char *p[] = {fraction};
    return gk_h_sql1(&H,
                     "SELECT percentile_cont($1::float8) WITHIN GROUP (ORDER BY"
                     " (r.body->'tables'->'active'->'rules'->>'new_made')::numeric)::text"
                     " FROM report_current c JOIN reports r USING (entity, year, revision)"
                     " WHERE c.year = 2020 AND c.entity LIKE '350481%'"
                     " AND jsonb_typeof(r.body->'tables'->'active'->'rules'->'new_made') = 'number'",
                     1, p);
}

static const char *text_of(const json_t *v, char *buf, size_t len)
{
    if (json_is_integer(v))
        snprintf(buf, len, "%lld", (long long)json_integer_value(v));
    else
        snprintf(buf, len, "%s", json_string_value(v) ? json_string_value(v) : "?");
    return buf;
}

START_TEST(quartiles_match_percentile_cont)
{
    submit("350481101", json_integer(0));
    submit("350481102", json_integer(0));
    submit("350481103", json_integer(0));
    submit("350481104", json_integer(6));   /* the 镇 with 6 where every peer has 0 */
    submit("350481100", json_null());
    gk_resp r = call(admin, "/api/v1/regions/350481/benchmark?year=2020&cell=tables.active.rules.new_made");
    ck_assert_msg(r.status == 200, "%d %s", r.status, r.body);
    json_t *j = json_loads(r.body, 0, NULL);
    gk_resp_free(&r);
    ck_assert_ptr_nonnull(j);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "count")), 4);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "min")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "max")), 6);
    const char *keys[] = {"p25", "p50", "p75"}, *fr[] = {"0.25", "0.5", "0.75"};
    for (int i = 0; i < 3; i++) {
        char buf[40];
        char *pg = pg_quartile(fr[i]);
        ck_assert_ptr_nonnull(pg);
        ck_assert_str_eq(text_of(json_object_get(j, keys[i]), buf, sizeof buf), pg);
        free(pg);
    }
    ck_assert_str_eq(json_string_value(json_object_get(j, "p75")), "1.5");
    json_t *units = json_object_get(j, "units");
    ck_assert_int_eq(json_array_size(units), 4);
    size_t i;
    json_t *u;
    json_array_foreach(units, i, u) {
        const char *code = json_string_value(json_object_get(u, "code"));
        const char *rank = json_string_value(json_object_get(u, "percentile_rank"));
        ck_assert_str_eq(rank, !strcmp(code, "350481104") ? "87.5" : "37.5");
    }
    json_t *apart = json_object_get(j, "not_counted");
    ck_assert_int_eq(json_array_size(apart), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(apart, 0), "state")), "not_applicable");
    /* the 镇 with 6 where its three peers have 0: peer.outlier, it alone */
    json_t *out = json_object_get(j, "outliers");
    ck_assert_int_eq(json_array_size(out), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(out, 0), "code")), "350481104");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(out, 0), "rule")), "peer.outlier");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(out, 0), "severity")), "info");
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_array_get(out, 0), "message")), "大湖镇"));
    json_decref(j);
}
END_TEST

static json_t *get_json(const char *path)
{
    gk_resp r = call(admin, path);
    ck_assert_msg(r.status == 200, "%s: %d %s", path, r.status, r.body);
    json_t *j = json_loads(r.body, 0, NULL);
    gk_resp_free(&r);
    ck_assert_ptr_nonnull(j);
    return j;
}

static json_t *cell_of(json_t *all, const char *path)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(all, "cells"), i, c)
        if (!strcmp(json_string_value(json_object_get(c, "cell")), path))
            return c;
    ck_abort_msg("no cell %s", path);
    return NULL;
}

/* Every cell at once agrees with the one-cell answers; amounts are exact
 * and agree with percentile_cont. */
START_TEST(all_cells_and_amounts)
{
    submit_cell("350481105", 2020, "procurement", "amount_yuan", json_real(1.25));
    submit_cell("350481106", 2020, "procurement", "amount_yuan", json_real(2.5));
    submit_cell("350481107", 2020, "procurement", "amount_yuan", json_real(10.123456));
    json_t *all = get_json("/api/v1/regions/350481/benchmark?year=2020");
    ck_assert_str_eq(json_string_value(json_object_get(all, "format")), "2019");
    ck_assert_int_eq(json_integer_value(json_object_get(all, "reports")), 8);
    json_t *one = get_json("/api/v1/regions/350481/benchmark?year=2020&cell=active.rules.new_made");
    json_t *c = cell_of(all, "tables.active.rules.new_made");
    const char *keys[] = {"count", "min", "p25", "p50", "p75", "max", "outliers"};
    for (int i = 0; i < 7; i++)
        ck_assert_msg(json_equal(json_object_get(c, keys[i]), json_object_get(one, keys[i])), "%s", keys[i]);
    json_decref(one);
    /* amounts: 0 × 5, 1.25, 2.5, 10.123456 — quartiles as percentile_cont */
    json_t *a = cell_of(all, "tables.active.procurement.amount_yuan");
    ck_assert_str_eq(json_string_value(json_object_get(a, "kind")), "amount");
    ck_assert_int_eq(json_integer_value(json_object_get(a, "count")), 8);
    const char *qk[] = {"p25", "p50", "p75"}, *fr[] = {"0.25", "0.5", "0.75"};
    for (int i = 0; i < 3; i++) {
        const char *p[] = {fr[i]};
        char *pg = gk_h_sql1(&H,
                             "SELECT percentile_cont($1::float8) WITHIN GROUP (ORDER BY"
                             " (r.body->'tables'->'active'->'procurement'->>'amount_yuan')::float8)::text"
                             " FROM report_current c JOIN reports r USING (entity, year, revision)"
                             " WHERE c.year = 2020 AND c.entity LIKE '350481%'",
                             1, p);
        ck_assert_ptr_nonnull(pg);
        ck_assert_msg(json_number_value(json_object_get(a, qk[i])) == atof(pg), "%s: %s", qk[i], pg);
        free(pg);
    }
    ck_assert(json_number_value(json_object_get(a, "max")) == 10.123456);
    json_decref(all);
    /* the one-cell form of an amount cell: each value exact in the text */
    gk_resp r = call(admin, "/api/v1/regions/350481/benchmark?year=2020&cell=active.procurement.amount_yuan");
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "\"value\":10.123456,"));
    ck_assert_ptr_nonnull(strstr(r.body, "\"p75\":1.5625,"));
    gk_resp_free(&r);
}
END_TEST

/* level and kind choose the peer group */
START_TEST(peer_groups)
{
    json_t *j = get_json("/api/v1/regions/350481/benchmark?year=2020&cell=active.rules.new_made&kind=town");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "count")), 7);   /* 101–107; 100 is not applicable */
    json_decref(j);
    j = get_json("/api/v1/regions/350481/benchmark?year=2020&cell=active.rules.new_made&kind=subdistrict");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "count")), 0);
    ck_assert(json_is_null(json_object_get(j, "p50")));
    json_decref(j);
    j = get_json("/api/v1/regions/3504/benchmark?year=2020&cell=active.rules.new_made&level=county");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "count")), 0);   /* no county reported */
    ck_assert_str_eq(json_string_value(json_object_get(j, "level")), "county");
    json_decref(j);
    expect_error("/api/v1/regions/350481/benchmark?year=2020&level=city", 422, "invalid_level");
    expect_error("/api/v1/regions/350481/benchmark?year=2020&level=county&kind=town", 422, "invalid_kind");
    expect_error("/api/v1/regions/350481/benchmark?year=2020&kind=village", 422, "invalid_kind");
}
END_TEST

/* The tag moves with every change: 304 while nothing changed, new content after. */
START_TEST(etag_and_cache)
{
    const char *path = "/api/v1/regions/350481/benchmark?year=2020&cell=active.rules.new_made";
    gk_resp r = call(admin, path);
    ck_assert_int_eq(r.status, 200);
    char etag[128], ah[300], inm[200];
    ck_assert_ptr_nonnull(gk_resp_header(&r, "ETag", etag, sizeof etag));
    char *first = strdup(r.body);
    gk_resp_free(&r);
    snprintf(ah, sizeof ah, "Authorization: Bearer %s", admin);
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    const char *hdr[3] = {ah, inm, NULL};
    ck_assert_int_eq(gk_h_http(&H, "GET", path, hdr, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 304);
    gk_resp_free(&r);
    r = call(admin, path);   /* from the cache: the same answer */
    ck_assert_str_eq(r.body, first);
    gk_resp_free(&r);
    submit("350481103", json_integer(2));
    ck_assert_int_eq(gk_h_http(&H, "GET", path, hdr, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_ne(r.body, first);
    json_t *j = json_loads(r.body, 0, NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "max")), 6);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "p75")), 1);   /* 0 0 0 0 0 2 6 */
    json_decref(j);
    gk_resp_free(&r);
    free(first);
}
END_TEST

/* A cell over the years: the township's own value and its peers; a year
 * whose format lacks the cell says so. */
START_TEST(trend_over_years)
{
    submit_cell("350481101", 2019, "rules", "new_made", json_integer(3));
    submit_cell("350481102", 2019, "rules", "new_made", json_integer(5));
    json_t *j = get_json("/api/v1/regions/350481/trend?cell=active.rules.new_made&year=2021&years=3");
    json_t *ys = json_object_get(j, "years");
    ck_assert_int_eq(json_array_size(ys), 3);
    json_t *y19 = json_array_get(ys, 0), *y20 = json_array_get(ys, 1), *y21 = json_array_get(ys, 2);
    ck_assert_int_eq(json_integer_value(json_object_get(y19, "year")), 2019);
    ck_assert(json_is_true(json_object_get(y19, "in_format")));
    json_t *p19 = json_object_get(y19, "peers");
    ck_assert_int_eq(json_integer_value(json_object_get(p19, "count")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(p19, "sum")), 8);
    ck_assert_int_eq(json_integer_value(json_object_get(p19, "p50")), 4);
    ck_assert(json_is_null(json_object_get(y19, "own")));   /* the county itself has no report */
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(y20, "peers"), "count")), 7);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(y20, "peers"), "not_applicable")), 1);
    ck_assert(json_is_false(json_object_get(y21, "in_format")));   /* 2021's format has no new_made */
    ck_assert_str_eq(json_string_value(json_object_get(y21, "format")), "2021");
    json_decref(j);
    /* a township's own trend */
    j = get_json("/api/v1/regions/350481102/trend?cell=active.rules.new_made&year=2020&years=2");
    ys = json_object_get(j, "years");
    json_t *own19 = json_object_get(json_array_get(ys, 0), "own");
    ck_assert_int_eq(json_integer_value(json_object_get(own19, "value")), 5);
    json_decref(j);
    expect_error("/api/v1/regions/350481/trend?year=2020", 422, "invalid_cell");
    expect_error("/api/v1/regions/350481/trend?cell=active.rules.new_made&year=2020&years=11", 400, "invalid_years");
    expect_error("/api/v1/regions/350481/trend?cell=active.rules.new_made", 400, "invalid_year");
}
END_TEST

static void expect(const char *token, const char *path, int status, const char *code)
{
    gk_resp r = call(token, path);
    ck_assert_msg(r.status == status, "%s: %d %s", path, r.status, r.body);
    if (code != NULL) {
        json_t *j = json_loads(r.body, 0, NULL);
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "error"), "code")), code);
        json_decref(j);
    }
    gk_resp_free(&r);
}

static void expect_error(const char *path, int status, const char *code) { expect(admin, path, status, code); }

/* Every cell over more units than one page of the daemon's reading (2,000):
 * 2,100 townships of three new counties, written by SQL, with the quartiles
 * still equal to percentile_cont's.  Runs last: it adds units to 三明市. */
START_TEST(all_cells_paged)
{
    char *sample_text = json_dumps(sample, JSON_COMPACT);
    const char *p[] = {sample_text};
    char *done = gk_h_sql1(&H,
        "WITH c AS (INSERT INTO regions (code, name, parent, level, path)"
        "  SELECT '35049' || k, '测试' || k || '县', '3504', 3, ARRAY['0', '35', '3504', '35049' || k]"
        "  FROM generate_series(7, 9) k RETURNING code),"
        " t AS (INSERT INTO regions (code, name, parent, level, path)"
        "  SELECT c.code || lpad(i::text, 3, '0'), '测试' || c.code || i || '镇', c.code, 4,"
        "         ARRAY['0', '35', '3504', c.code, c.code || lpad(i::text, 3, '0')]"
        "  FROM c, generate_series(1, 700) i RETURNING code),"
        " b AS (SELECT t.code, jsonb_set(jsonb_set($1::jsonb, '{entity}', to_jsonb(t.code)),"
        "         '{tables,active,licensing,decisions}', to_jsonb(abs(hashtext(t.code)) % 50)) AS body FROM t),"
        " r AS (INSERT INTO reports (entity, year, revision, format, body, body_text, content_hash, status,"
        "         findings, errors, warnings, infos)"
        "  SELECT code, 2020, 1, '2019', body, body::text, md5(body::text), 'ok', '[]', 0, 0, 0 FROM b"
        "  RETURNING entity)"
        " INSERT INTO report_current (entity, year, revision, format, first_submitted_at)"
        " SELECT entity, 2020, 1, '2019', now() FROM r RETURNING 'done'",
        1, p);
    free(sample_text);
    ck_assert_ptr_nonnull(done);
    free(done);
    json_t *all = get_json("/api/v1/regions/3504/benchmark?year=2020");
    long units = gk_h_sql_long(&H, "SELECT count(*) FROM report_current c JOIN regions g ON g.code = c.entity"
                                   " WHERE c.year = 2020 AND g.level = 4 AND '3504' = ANY(g.path)", 0, NULL);
    ck_assert_int_gt(units, 2100);
    ck_assert_int_eq(json_integer_value(json_object_get(all, "reports")), units);
    json_t *c = cell_of(all, "tables.active.licensing.decisions");
    ck_assert_int_eq(json_integer_value(json_object_get(c, "count")), units);
    const char *qk[] = {"p25", "p50", "p75"}, *fr[] = {"0.25", "0.5", "0.75"};
    for (int i = 0; i < 3; i++) {
        const char *q[] = {fr[i]};
        char *pg = gk_h_sql1(&H,
                             "SELECT percentile_cont($1::float8) WITHIN GROUP (ORDER BY"
                             " (r.body->'tables'->'active'->'licensing'->>'decisions')::numeric)::text"
                             " FROM report_current c JOIN reports r USING (entity, year, revision)"
                             " JOIN regions g ON g.code = c.entity"
                             " WHERE c.year = 2020 AND g.level = 4 AND '3504' = ANY(g.path)",
                             1, q);
        char buf[40];
        ck_assert_ptr_nonnull(pg);
        ck_assert_str_eq(text_of(json_object_get(c, qk[i]), buf, sizeof buf), pg);
        free(pg);
    }
    json_decref(all);
}
END_TEST

START_TEST(errors_and_scope)
{
    expect(admin, "/api/v1/regions/350481/benchmark?cell=active.rules.new_made", 400, "invalid_year");
    expect(admin, "/api/v1/regions/350481/benchmark?year=2020&cell=active.rules.issued", 422, "invalid_cell");
    expect(admin, "/api/v1/regions/350481/benchmark?year=2020&cell=active.rules.new_made.x", 422, "invalid_cell");
    expect(admin, "/api/v1/regions/999999/benchmark?year=2020&cell=active.rules.new_made", 404, "not_found");
    expect(town, "/api/v1/regions/350481/benchmark?year=2020&cell=active.rules.new_made", 403, "forbidden");
    expect(town, "/api/v1/regions/350481/trend?year=2020&cell=active.rules.new_made", 403, "forbidden");
    expect("gk_nonsense", "/api/v1/regions/350481/trend?year=2020&cell=active.rules.new_made", 401, "unauthorized");
    expect("gk_nonsense", "/api/v1/regions/350481/benchmark?year=2020&cell=active.rules.new_made", 401,
           "unauthorized");
    /* the township's own region is in scope: itself as the only unit */
    gk_resp r = call(town, "/api/v1/regions/350481101/benchmark?year=2020&cell=active.rules.new_made");
    ck_assert_int_eq(r.status, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "count")), 1);
    json_decref(j);
    gk_resp_free(&r);
}
END_TEST

int main(void)
{
    json_error_t e;
    sample = json_load_file(GK_TEST_DATA "/sample-350481101-2020.json", 0, &e);
    const char *imp[] = {"regions", "import", GK_FIXTURES "/regions.csv", NULL};
    const char *tk[] = {"token", "create", "--region", "0", "--role", "admin", NULL};
    const char *tk2[] = {"token", "create", "--region", "350481101", "--role", "submitter", NULL};
    if (sample == NULL || gk_h_setup(&H) != 0 || gk_h_cli(&H, NULL, 0, imp) != 0 ||
        gk_h_cli(&H, admin, sizeof admin, tk) != 0 || gk_h_cli(&H, town, sizeof town, tk2) != 0 ||
        gk_h_daemon_start(&H, NULL) != 0) {
        fprintf(stderr, "setup failed\n");
        gk_h_teardown(&H);
        return 1;
    }
    admin[strcspn(admin, "\n")] = '\0';
    town[strcspn(town, "\n")] = '\0';
    Suite *s = suite_create("benchmark");
    TCase *tc = tcase_create("benchmark");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, quartiles_match_percentile_cont);
    tcase_add_test(tc, all_cells_and_amounts);
    tcase_add_test(tc, peer_groups);
    tcase_add_test(tc, etag_and_cache);
    tcase_add_test(tc, trend_over_years);
    tcase_add_test(tc, errors_and_scope);
    tcase_add_test(tc, all_cells_paged);
    suite_add_tcase(s, tc);
    int failed = gk_h_run_suite(&H, s);
    json_decref(sample);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
