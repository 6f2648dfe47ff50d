/* test_benchmark.c — GET /api/v1/regions/{code}/benchmark (issue 17) against
 * a real PostgreSQL and gongkaid: the quartiles equal PostgreSQL's own
 * percentile_cont over the stored current revisions, exactly; blank and
 * not-applicable cells are listed apart; ranks; scope and errors. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static gk_h H;
static char admin[260], town[260];
static json_t *sample;

static gk_resp call(const char *token, const char *path)
{
    char ah[300];
    snprintf(ah, sizeof ah, "Authorization: Bearer %s", token);
    const char *hdr[2] = {ah, NULL};
    gk_resp r;
    ck_assert_int_eq(gk_h_http(&H, "GET", path, hdr, NULL, 0, &r), 0);
    return r;
}

static void submit(const char *entity, json_t *new_made)
{
    json_t *d = json_deep_copy(sample);
    json_object_set_new(d, "entity", json_string(entity));
    json_t *rules = json_object_get(json_object_get(json_object_get(d, "tables"), "active"), "rules");
    json_object_set_new(rules, "new_made", new_made);
    char *body = json_dumps(d, JSON_COMPACT);
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
    json_decref(j);
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

START_TEST(errors_and_scope)
{
    expect(admin, "/api/v1/regions/350481/benchmark?cell=active.rules.new_made", 400, "invalid_year");
    expect(admin, "/api/v1/regions/350481/benchmark?year=2020", 422, "invalid_cell");
    expect(admin, "/api/v1/regions/350481/benchmark?year=2020&cell=active.rules.issued", 422, "invalid_cell");
    expect(admin, "/api/v1/regions/350481/benchmark?year=2020&cell=active.rules.new_made.x", 422, "invalid_cell");
    expect(admin, "/api/v1/regions/350481/benchmark?year=2020&cell=active.procurement.amount_yuan", 422,
           "unsupported_cell");
    expect(admin, "/api/v1/regions/999999/benchmark?year=2020&cell=active.rules.new_made", 404, "not_found");
    expect(town, "/api/v1/regions/350481/benchmark?year=2020&cell=active.rules.new_made", 403, "forbidden");
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
    tcase_add_test(tc, errors_and_scope);
    suite_add_tcase(s, tc);
    int failed = gk_h_run_suite(&H, s);
    json_decref(sample);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
