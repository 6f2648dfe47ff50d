/* test_value_bounds.c — issue 13, item 1, against a real PostgreSQL and
 * gongkaid: a count of 9223372036854775807 used to be stored, after which
 * its rollup shard's bigint sum overflowed — other townships' submissions
 * got 500 (bigint out of range) or the national sum wrapped negative.  Now
 * a value beyond 10^12 is refused with 422 value_out_of_range and changes
 * nothing, and everyone else's reports still add up exactly. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static gk_h H;
static char token[260];
static json_t *sample;

/* The sample report for `entity` with active.<row>.<col> = `n` (written as
 * the literal text given, so it can exceed what we hold or a double). */
static char *variant_cell(const char *entity, const char *row, const char *col, const char *n)
{
    json_t *d = json_deep_copy(sample);
    json_object_set_new(d, "entity", json_string(entity));
    json_t *lic = json_object_get(json_object_get(json_object_get(d, "tables"), "active"), row);
    ck_assert_ptr_nonnull(lic);
    json_object_set_new(lic, col, json_integer(424242));
    char *s = json_dumps(d, JSON_COMPACT);
    json_decref(d);
    char *hole = strstr(s, "424242");
    ck_assert_ptr_nonnull(hole);
    size_t len = strlen(s) + strlen(n) + 1;
    char *out = malloc(len);
    snprintf(out, len, "%.*s%s%s", (int)(hole - s), s, n, hole + 6);
    free(s);
    return out;
}

static gk_resp post_cell(const char *entity, const char *row, const char *col, const char *n)
{
    char *t = variant_cell(entity, row, col, n);
    gk_resp r = gk_h_call(&H, "POST", "/api/v1/reports", token, t, NULL);
    free(t);
    return r;
}

static gk_resp post(const char *entity, const char *n)
{
    return post_cell(entity, "licensing", "prior_items", n);
}

static gk_resp get_rollup(const char *region, const char *query)
{
    char path[160];
    snprintf(path, sizeof path, "/api/v1/regions/%s/rollup?year=2020%s", region, query);
    gk_resp r = gk_h_call(&H, "GET", path, token, NULL, NULL);
    ck_assert_msg(r.status == 200, "GET %s: %d %s", path, r.status, r.body);
    return r;
}

static json_t *prior_items_sum(const char *region)
{
    gk_resp r = get_rollup(region, "");
    json_error_t e;
    json_t *j = json_loads(r.body, 0, &e);
    gk_resp_free(&r);
    ck_assert_ptr_nonnull(j);
    json_t *sum = json_object_get(
        json_object_get(
            json_object_get(json_object_get(json_object_get(json_object_get(j, "rollup"), "tables"), "active"),
                            "licensing"),
            "prior_items"),
        "sum");
    ck_assert_ptr_nonnull(sum);
    json_incref(sum);
    json_decref(j);
    return sum;
}

START_TEST(overflow_sum_other_entity)
{
    /* the first report of its year, with the largest int64 count: refused */
    static const char *const huge[] = {"9223372036854775807", "1000000000001", "-1000000000001"};
    for (size_t i = 0; i < sizeof huge / sizeof *huge; i++) {
        gk_resp r = post("350481101", huge[i]);
        ck_assert_msg(r.status == 422 && strstr(r.body, "\"code\":\"value_out_of_range\"") &&
                          strstr(r.body, "\"path\":\"tables.active.licensing.prior_items\""),
                      "%s: %d %s", huge[i], r.status, r.body);
        gk_resp_free(&r);
    }
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM reports", 0, NULL), 0);
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM rollup", 0, NULL), 0);
    /* other townships' ordinary reports go through, one at the bound */
    gk_resp r = post("350481102", "7");
    ck_assert_msg(r.status == 201, "%d %s", r.status, r.body);
    gk_resp_free(&r);
    r = post("350481103", "1000000000000");
    ck_assert_msg(r.status == 201, "%d %s", r.status, r.body);
    gk_resp_free(&r);
    /* and every ancestor's rollup is exact */
    static const char *const levels[] = {"350481", "3504", "35"};
    for (size_t l = 0; l < sizeof levels / sizeof *levels; l++) {
        json_t *sum = prior_items_sum(levels[l]);
        ck_assert_msg(json_is_integer(sum) && json_integer_value(sum) == 1000000000007LL, "%s: %lld", levels[l],
                      (long long)json_integer_value(sum));
        json_decref(sum);
    }
    /* the refused entity can still submit an ordinary report */
    r = post("350481101", "3");
    ck_assert_msg(r.status == 201, "%d %s", r.status, r.body);
    gk_resp_free(&r);
    json_t *sum = prior_items_sum("35");
    ck_assert_int_eq(json_integer_value(sum), 1000000000010LL);
    json_decref(sum);
}
END_TEST

/* Issue 13, item 4: a JSON rollup printed amount sums through a double with
 * 15 significant digits (123456789012.346) while the CSV was exact. */
START_TEST(rollup_json_amount_exact)
{
    /* eleven towns at the largest amount held: 16 significant digits (six decimals) */
    static const char *const towns[] = {"350481001", "350481002", "350481003", "350481004",
                                        "350481100", "350481101", "350481102", "350481103",
                                        "350481104", "350481105", "350481106"};
    for (size_t i = 0; i < sizeof towns / sizeof *towns; i++) {
        gk_resp r = post_cell(towns[i], "procurement", "amount_yuan", "99999999.999999");
        ck_assert_msg(r.status == 201, "%s: %d %s", towns[i], r.status, r.body);
        gk_resp_free(&r);
    }
    gk_resp r = get_rollup("350481", "");
    ck_assert_msg(strstr(r.body, "\"amount_yuan\":{\"sum\":1099999999.999989,") != NULL, "%s", r.body);
    gk_resp_free(&r);
    r = get_rollup("350481", "&format=csv");
    ck_assert_msg(strstr(r.body, "1099999999.999989") != NULL, "%s", r.body);
    gk_resp_free(&r);
    /* one more above the bound: refused, the sum unchanged */
    r = post_cell("350481107", "procurement", "amount_yuan", "100000000.000001");
    ck_assert_msg(r.status == 422 && strstr(r.body, "value_out_of_range"), "%d %s", r.status, r.body);
    gk_resp_free(&r);
}
END_TEST

/* Issue 13, item 4: real reports print fees with six decimals (24252.311082
 * 万元).  Such an amount used to be refused (more than 4 decimals); now it is stored
 * and comes back digit for digit in the report, the rollup JSON and the
 * CSV.  A seventh decimal is still refused as value.invalid, never rounded. */
START_TEST(six_decimal_amount_exact)
{
    static const struct {
        const char *town, *amount;
    } cases[] = {{"350481202", "24252.311082"}, {"350481203", "4166.241619"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gk_resp r = post_cell(cases[i].town, "procurement", "amount_yuan", cases[i].amount);
        ck_assert_msg(r.status == 201, "%s: %d %s", cases[i].town, r.status, r.body);
        ck_assert_msg(strstr(r.body, "value.invalid") == NULL, "%s: %s", cases[i].amount, r.body);
        gk_resp_free(&r);
        char path[160], want[96];
        snprintf(path, sizeof path, "/api/v1/reports/%s/2020", cases[i].town);
        r = gk_h_call(&H, "GET", path, token, NULL, NULL);
        snprintf(want, sizeof want, "\"amount_yuan\":%s", cases[i].amount);
        ck_assert_msg(r.status == 200 && strstr(r.body, want) != NULL, "%s: %d %s", path, r.status, r.body);
        gk_resp_free(&r);
        r = get_rollup(cases[i].town, "");
        snprintf(want, sizeof want, "\"amount_yuan\":{\"sum\":%s,", cases[i].amount);
        ck_assert_msg(strstr(r.body, want) != NULL, "%s: %s", want, r.body);
        gk_resp_free(&r);
        r = get_rollup(cases[i].town, "&format=csv");
        ck_assert_msg(strstr(r.body, cases[i].amount) != NULL, "%s", r.body);
        gk_resp_free(&r);
    }
    /* the stored sum is the scaled integer, exactly */
    const char *p[] = {"350481202"};
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT sum(sums[22]) FROM rollup WHERE region = $1 AND year = 2020", 1, p),
                     24252311082LL);
    /* seven decimals: a finding, not a rounded number */
    gk_resp r = post_cell("350481204", "procurement", "amount_yuan", "24252.3110821");
    ck_assert_msg(strstr(r.body, "value.invalid") != NULL && strstr(r.body, "小数位数超过 6 位") != NULL, "%d %s",
                  r.status, r.body);
    gk_resp_free(&r);
    r = get_rollup("350481204", "");
    ck_assert_msg(strstr(r.body, "24252.311082") == NULL, "%s", r.body);
    gk_resp_free(&r);
}
END_TEST

/* sql/070: a database from before six decimals holds amount sums at
 * 1/10^4.  Here 350481202's sum is set back to what that database held for
 * 24252.3111 (242523111), the migration is marked not applied, and
 * `gongkaid migrate` must turn it into 24252.3111 at 1/10^6 — and leave the
 * counts beside it alone. */
START_TEST(migration_070_rescales_old_sums)
{
    const char *p[] = {"350481202"};
    long counts = gk_h_sql_long(&H, "SELECT sum(sums[21]) FROM rollup WHERE region = $1 AND year = 2020", 1, p);
    ck_assert_int_eq(gk_h_sql_long(&H,
                                   "WITH u AS (UPDATE rollup SET sums[22] = CASE WHEN sums[22] = 24252311082 "
                                   "THEN 242523111 ELSE sums[22] END WHERE region = $1 AND year = 2020 "
                                   "RETURNING 1) SELECT count(*) FROM u",
                                   1, p) > 0,
                     1);
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT sum(sums[22]) FROM rollup WHERE region = $1 AND year = 2020", 1, p),
                     242523111L);
    ck_assert_int_eq(gk_h_sql_long(&H,
                                   "WITH d AS (DELETE FROM schema_migrations WHERE version = '070_amount_scale_6' "
                                   "RETURNING 1) SELECT count(*) FROM d",
                                   0, NULL),
                     1);
    const char *mig[] = {"migrate", NULL};
    ck_assert_int_eq(gk_h_cli(&H, NULL, 0, mig), 0);
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT sum(sums[22]) FROM rollup WHERE region = $1 AND year = 2020", 1, p),
                     24252311100L);
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT sum(sums[21]) FROM rollup WHERE region = $1 AND year = 2020", 1, p),
                     counts);
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM schema_migrations WHERE version = '070_amount_scale_6'",
                                   0, NULL),
                     1);
}
END_TEST

int main(void)
{
    json_error_t e;
    sample = json_load_file(GK_TEST_DATA "/sample-350481101-2020.json", 0, &e);
    const char *imp[] = {"regions", "import", GK_FIXTURES "/regions.csv", NULL};
    const char *mk[] = {"token", "create", "--region", "35", "--role", "admin", NULL};
    if (sample == NULL || gk_h_setup(&H) != 0 || gk_h_cli(&H, NULL, 0, imp) != 0 ||
        gk_h_cli(&H, token, sizeof token, mk) != 0 || gk_h_daemon_start(&H, NULL) != 0) {
        fprintf(stderr, "setup failed\n");
        gk_h_teardown(&H);
        return 1;
    }
    token[strcspn(token, "\n")] = '\0';
    Suite *s = suite_create("value_bounds");
    TCase *tc = tcase_create("value_bounds");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, overflow_sum_other_entity);
    tcase_add_test(tc, rollup_json_amount_exact);
    tcase_add_test(tc, six_decimal_amount_exact);
    tcase_add_test(tc, migration_070_rescales_old_sums);
    suite_add_tcase(s, tc);
    int failed = gk_h_run_suite(&H, s);
    json_decref(sample);
    return failed == 0 ? 0 : 1;
}
