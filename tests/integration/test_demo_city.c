/* test_demo_city.c — the demo county of ./scripts/run (scripts/demo-city
 * load) against a real PostgreSQL and gongkaid: every report is accepted, a
 * second load (a second run of scripts/run) stores nothing new, and
 * compliance and rollup show what the demo promises — one unit missing in
 * 2021, the late ones, the arithmetic errors, the copied prose and the
 * foreign township. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"

static gk_h H;
static char admin[260], submitter[260];

static json_t *get(const char *path)
{
    gk_resp r = gk_h_call(&H, "GET", path, admin, NULL, NULL);
    ck_assert_msg(r.status == 200, "GET %s: %d %s", path, r.status, r.body);
    json_t *j = json_loads(r.body, 0, NULL);
    gk_resp_free(&r);
    ck_assert_ptr_nonnull(j);
    return j;
}

/* Runs scripts/demo-city load against the daemon; its exit status. */
static int load_demo(void)
{
    char hdr[256], cmd[1024];
    snprintf(hdr, sizeof hdr, "%s/city-submitter.header", H.dir);
    FILE *f = fopen(hdr, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "Authorization: Bearer %s\n", submitter);
    fclose(f);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/../../scripts/demo-city load http://127.0.0.1:%d %s > %s/demo.out 2>&1",
             GK_TEST_DATA, H.port, hdr, H.dir);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const json_t *entity(const json_t *c, const char *code)
{
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(c, "entities"), i, e)
        if (!strcmp(json_string_value(json_object_get(e, "code")), code))
            return e;
    ck_abort_msg("%s not in compliance", code);
    return NULL;
}

static const char *state(const json_t *c, const char *code)
{
    return json_string_value(json_object_get(entity(c, code), "state"));
}

static int late(const json_t *c, const char *code)
{
    return json_is_true(json_object_get(entity(c, code), "late"));
}

static int has_finding(const json_t *c, const char *code, const char *finding)
{
    size_t i;
    const json_t *f;
    json_array_foreach(json_object_get(entity(c, code), "findings"), i, f)
        if (!strcmp(json_string_value(json_object_get(f, "code")), finding))
            return 1;
    return 0;
}

/* Every unit's finding codes, sorted and joined by spaces, as scripts/demo-city
 * plants them; a unit not listed has none (state ok). */
static const struct {
    int year;
    const char *code, *findings;
} expected[] = {
    {2020, "350481101", "narrative.foreign_entity structure.missing_table"},
    {2020, "350481104", "timeliness.late"},
    {2020, "350481107", "requests.balance requests.row_total"},
    {2020, "350481202", "timeliness.late"},
    {2021, "350481002", "narrative.similar"},
    {2021, "350481003", "narrative.similar"},
    {2021, "350481004", "history.carry_mismatch"},
    {2021, "350481102", "appeals.row_total"},
    {2021, "350481103", "narrative.foreign_entity"},
    {2021, "350481106", "timeliness.late"},
    {2021, "350481203", "requests.outcome_total"},
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void check_findings(const json_t *c, int year)
{
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(c, "entities"), i, e) {
        const char *code = json_string_value(json_object_get(e, "code"));
        if (!strcmp(json_string_value(json_object_get(e, "state")), "missing"))
            continue;
        const char *codes[16];
        size_t n = 0, j;
        const json_t *f;
        json_array_foreach(json_object_get(e, "findings"), j, f) {
            const char *fc = json_string_value(json_object_get(f, "code"));
            size_t k;
            for (k = 0; k < n && strcmp(codes[k], fc); k++)
                ;
            if (k == n && n < 16)
                codes[n++] = fc;
        }
        qsort(codes, n, sizeof codes[0], cmp_str);
        char got[512] = "";
        for (j = 0; j < n; j++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", j ? " " : "", codes[j]);
        const char *want = "";
        for (j = 0; j < sizeof expected / sizeof expected[0]; j++)
            if (expected[j].year == year && !strcmp(expected[j].code, code))
                want = expected[j].findings;
        ck_assert_msg(!strcmp(got, want), "%d %s: findings \"%s\", expected \"%s\"", year, code, got, want);
    }
}

static long summary(const json_t *c, const char *key)
{
    return (long)json_integer_value(json_object_get(json_object_get(c, "summary"), key));
}

START_TEST(demo_city_shows_something_real)
{
    ck_assert_int_eq(load_demo(), 0);
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM reports WHERE entity LIKE '350481%'", 0, NULL), 30);

    json_t *c20 = get("/api/v1/regions/350481/compliance?year=2020");
    ck_assert_int_eq(summary(c20, "missing"), 0);
    ck_assert(late(c20, "350481104") && late(c20, "350481202"));
    ck_assert(!late(c20, "350481001") && !late(c20, "350481100"));
    ck_assert_str_eq(state(c20, "350481107"), "errors");
    ck_assert(has_finding(c20, "350481107", "requests.row_total"));
    ck_assert(has_finding(c20, "350481101", "narrative.foreign_entity"));
    check_findings(c20, 2020);

    json_t *c21 = get("/api/v1/regions/350481/compliance?year=2021");
    ck_assert_int_eq(summary(c21, "missing"), 1);
    ck_assert_str_eq(state(c21, "350481204"), "missing");
    ck_assert(late(c21, "350481106"));
    ck_assert(has_finding(c21, "350481203", "requests.outcome_total"));
    ck_assert(has_finding(c21, "350481102", "appeals.row_total"));
    ck_assert(has_finding(c21, "350481004", "history.carry_mismatch"));
    ck_assert(has_finding(c21, "350481003", "narrative.similar"));
    ck_assert(has_finding(c21, "350481103", "narrative.foreign_entity"));
    ck_assert(!has_finding(c21, "350481001", "history.carry_mismatch"));
    check_findings(c21, 2021);
    ck_assert_int_eq(summary(c21, "ok"), 7);
    ck_assert_int_eq(summary(c20, "ok"), 11);

    json_t *r20 = get("/api/v1/regions/350481/rollup?year=2020");
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r20, "rollup"), "reports")), 15);
    json_t *r21 = get("/api/v1/regions/350481/rollup?year=2021");
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r21, "coverage"), "missing_count")), 1);

    /* 燕东街道 2021: a draft with an error, then the correction */
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT max(revision) FROM reports WHERE entity = '350481001' AND year = 2021",
                                   0, NULL), 2);
    json_t *diff = get("/api/v1/reports/350481001/2021/diff");
    char *text = json_dumps(diff, JSON_COMPACT);
    ck_assert_msg(strstr(text, "\"tables.requests.received.total\"") != NULL, "diff: %s", text);
    free(text);
    json_decref(diff);

    /* a second run of scripts/run: the same bytes again, nothing new stored */
    ck_assert_int_eq(load_demo(), 0);
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM reports WHERE entity LIKE '350481%'", 0, NULL), 30);
    json_decref(c20);
    json_decref(c21);
    json_decref(r20);
    json_decref(r21);
}
END_TEST

int main(void)
{
    const char *imp[] = {"regions", "import", GK_FIXTURES "/regions.csv", NULL};
    const char *tk[] = {"token", "create", "--region", "0", "--role", "admin", NULL};
    const char *tk2[] = {"token", "create", "--region", "350481", "--role", "submitter", NULL};
    if (gk_h_setup(&H) != 0 || gk_h_cli(&H, NULL, 0, imp) != 0 ||
        gk_h_cli(&H, admin, sizeof admin, tk) != 0 ||
        gk_h_cli(&H, submitter, sizeof submitter, tk2) != 0 || gk_h_daemon_start(&H, NULL) != 0) {
        fprintf(stderr, "setup failed\n");
        gk_h_teardown(&H);
        return 1;
    }
    admin[strcspn(admin, "\n")] = '\0';
    submitter[strcspn(submitter, "\n")] = '\0';
    Suite *s = suite_create("demo_city");
    TCase *tc = tcase_create("demo_city");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, demo_city_shows_something_real);
    suite_add_tcase(s, tc);
    return gk_h_run_suite(&H, s) ? EXIT_FAILURE : EXIT_SUCCESS;
}
