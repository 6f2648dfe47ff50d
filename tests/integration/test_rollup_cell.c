/* test_rollup_cell.c — GET /api/v1/regions/{code}/rollup/cell against a real
 * PostgreSQL and gongkaid: which units contributed what to one rollup cell,
 * who left it blank or not applicable, who has not reported; the sum equal
 * to the rollup's own, exact for amounts (no double); scope and errors. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static gk_h H;
static char admin[260], county[260], other_town[260];
static json_t *sample;
static int expected_units;

static gk_resp call(const char *token, const char *method, const char *path, const char *body)
{
    char ah[300];
    snprintf(ah, sizeof ah, "Authorization: Bearer %s", token);
    const char *hdr[3] = {ah, body ? "Content-Type: application/json" : NULL, NULL};
    gk_resp r;
    ck_assert_int_eq(gk_h_http(&H, method, path, hdr, body, body ? strlen(body) : 0, &r), 0);
    return r;
}

static void submit(json_t *doc)
{
    char *body = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(17));
    gk_resp r = call(admin, "POST", "/api/v1/reports", body);
    ck_assert_msg(r.status == 201, "submit: %d %s", r.status, r.body);
    gk_resp_free(&r);
    free(body);
}

static json_t *table_row(json_t *doc, const char *table, const char *row)
{
    return json_object_get(json_object_get(json_object_get(doc, "tables"), table), row);
}

static const json_t *unit(const json_t *a, const char *code)
{
    size_t i;
    const json_t *u;
    json_array_foreach(json_object_get(a, "units"), i, u)
        if (!strcmp(json_string_value(json_object_get(u, "code")), code))
            return u;
    return NULL;
}

static const char *state_of(const json_t *a, const char *code)
{
    const json_t *u = unit(a, code);
    ck_assert_msg(u != NULL, "no unit %s", code);
    return json_string_value(json_object_get(u, "state"));
}

START_TEST(cell_taken_apart)
{
    /* 101: the sample; 102: the same with 5 more licensing items and an
     * amount with six decimals; 103: licensing not applicable; 104: the
     * cell left out */
    json_t *d = json_deep_copy(sample);
    submit(d);
    json_object_set_new(d, "entity", json_string("350481102"));
    json_object_set_new(table_row(d, "active", "licensing"), "prior_items", json_integer(15));
    json_object_set_new(table_row(d, "active", "procurement"), "amount_yuan", json_real(0.5));
    submit(d);
    json_object_set_new(d, "entity", json_string("350481103"));
    json_object_set_new(table_row(d, "active", "licensing"), "prior_items", json_null());
    submit(d);
    json_object_set_new(d, "entity", json_string("350481104"));
    json_object_del(table_row(d, "active", "licensing"), "prior_items");
    submit(d);
    json_decref(d);

    gk_resp r = call(county, "GET", "/api/v1/regions/350481/rollup/cell?year=2020&cell=tables.active.licensing.prior_items",
                     NULL);
    ck_assert_msg(r.status == 200, "%d %s", r.status, r.body);
    json_t *a = json_loads(r.body, 0, NULL);
    ck_assert_ptr_nonnull(a);
    ck_assert_str_eq(json_string_value(json_object_get(a, "cell")), "tables.active.licensing.prior_items");
    ck_assert_str_eq(json_string_value(json_object_get(a, "kind")), "count");
    ck_assert_int_eq(json_integer_value(json_object_get(a, "sum")), 25);
    ck_assert_int_eq(json_integer_value(json_object_get(a, "reported")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(a, "not_applicable")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(a, "blank")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(a, "missing")), expected_units - 4);
    ck_assert_int_eq((int)json_array_size(json_object_get(a, "units")), expected_units);
    ck_assert_int_eq(json_integer_value(json_object_get(unit(a, "350481101"), "value")), 10);
    ck_assert_int_eq(json_integer_value(json_object_get(unit(a, "350481102"), "value")), 15);
    ck_assert_str_eq(state_of(a, "350481103"), "not_applicable");
    ck_assert_str_eq(state_of(a, "350481104"), "blank");
    ck_assert_str_eq(state_of(a, "350481105"), "missing");
    ck_assert(json_is_null(json_object_get(unit(a, "350481105"), "value")));
    json_decref(a);
    gk_resp_free(&r);

    /* the same sum, counts included, as the rollup's own cell */
    r = call(county, "GET", "/api/v1/regions/350481/rollup?year=2020", NULL);
    ck_assert_int_eq(r.status, 200);
    json_t *ru = json_loads(r.body, 0, NULL);
    json_t *c = json_object_get(json_object_get(json_object_get(json_object_get(json_object_get(ru, "rollup"), "tables"),
                                                                "active"), "licensing"), "prior_items");
    ck_assert_int_eq(json_integer_value(json_object_get(c, "sum")), 25);
    ck_assert_int_eq(json_integer_value(json_object_get(c, "reported")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(c, "not_applicable")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(c, "blank")), 1);
    json_decref(ru);
    gk_resp_free(&r);

    /* an amount: exact decimals, written as a bare JSON number */
    r = call(county, "GET", "/api/v1/regions/350481/rollup/cell?year=2020&cell=active.procurement.amount_yuan", NULL);
    ck_assert_msg(r.status == 200, "%d %s", r.status, r.body);
    ck_assert_msg(strstr(r.body, "\"kind\":\"amount\"") != NULL, "%s", r.body);
    ck_assert_msg(strstr(r.body, "\"sum\":1.5") != NULL, "sum not exact: %s", r.body);
    gk_resp_free(&r);

    /* a township's own view: just itself */
    r = call(admin, "GET", "/api/v1/regions/350481102/rollup/cell?year=2020&cell=active.licensing.prior_items", NULL);
    ck_assert_int_eq(r.status, 200);
    a = json_loads(r.body, 0, NULL);
    ck_assert_int_eq((int)json_array_size(json_object_get(a, "units")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(a, "sum")), 15);
    json_decref(a);
    gk_resp_free(&r);
}
END_TEST

START_TEST(cell_errors_and_scope)
{
    struct { const char *path; int status; const char *code; } cases[] = {
        {"/api/v1/regions/350481/rollup/cell?year=2020&cell=active.nothing.here", 422, "invalid_cell"},
        {"/api/v1/regions/350481/rollup/cell?year=2020", 422, "invalid_cell"},
        {"/api/v1/regions/350481/rollup/cell?year=1900&cell=active.licensing.prior_items", 400, "invalid_year"},
        {"/api/v1/regions/999999/rollup/cell?year=2020&cell=active.licensing.prior_items", 404, "not_found"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gk_resp r = call(county, "GET", cases[i].path, NULL);
        ck_assert_msg(r.status == cases[i].status, "%s: %d %s", cases[i].path, r.status, r.body);
        ck_assert_msg(strstr(r.body, cases[i].code) != NULL, "%s: %s", cases[i].path, r.body);
        gk_resp_free(&r);
    }
    /* a township token reading its county's cell */
    gk_resp r = call(other_town, "GET", "/api/v1/regions/350481/rollup/cell?year=2020&cell=active.licensing.prior_items",
                     NULL);
    ck_assert_int_eq(r.status, 403);
    gk_resp_free(&r);
    r = call("nope", "GET", "/api/v1/regions/350481/rollup/cell?year=2020&cell=active.licensing.prior_items", NULL);
    ck_assert_int_eq(r.status, 401);
    gk_resp_free(&r);
}
END_TEST

int main(void)
{
    json_error_t e;
    sample = json_load_file(GK_TEST_DATA "/sample-350481101-2020.json", 0, &e);
    const char *imp[] = {"regions", "import", GK_FIXTURES "/regions.csv", NULL};
    const char *tk[] = {"token", "create", "--region", "0", "--role", "admin", NULL};
    const char *tk2[] = {"token", "create", "--region", "350481", "--role", "viewer", NULL};
    const char *tk3[] = {"token", "create", "--region", "350481102", "--role", "viewer", NULL};
    if (sample == NULL || gk_h_setup(&H) != 0 || gk_h_cli(&H, NULL, 0, imp) != 0 ||
        gk_h_cli(&H, admin, sizeof admin, tk) != 0 || gk_h_cli(&H, county, sizeof county, tk2) != 0 ||
        gk_h_cli(&H, other_town, sizeof other_town, tk3) != 0 || gk_h_daemon_start(&H, NULL) != 0) {
        fprintf(stderr, "setup failed\n");
        gk_h_teardown(&H);
        return 1;
    }
    admin[strcspn(admin, "\n")] = '\0';
    county[strcspn(county, "\n")] = '\0';
    other_town[strcspn(other_town, "\n")] = '\0';
    expected_units = (int)gk_h_sql_long(&H, "SELECT count(*) FROM regions WHERE parent = '350481' AND level = 4", 0, NULL);
    Suite *s = suite_create("rollup_cell");
    TCase *tc = tcase_create("rollup_cell");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, cell_taken_apart);
    tcase_add_test(tc, cell_errors_and_scope);
    suite_add_tcase(s, tc);
    int failed = gk_h_run_suite(&H, s);
    json_decref(sample);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
