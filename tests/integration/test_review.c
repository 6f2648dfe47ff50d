/* test_review.c — the office's review of a report (issue 17) against a real
 * PostgreSQL and gongkaid: 待审核 → 退回修改 → 已重新提交 → 已审核 → 重新开启,
 * who may do each step (a township never reviews, a submitter never
 * reviews), the accepted report's lock against new revisions, the history
 * and audit trail kept, and the JSON errors that change nothing. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static gk_h H;
static char admin[260], city[260], town[260], town_viewer[260];
static json_t *sample;

static const char *const R1 = "/api/v1/reports/350481101/2020/review";

static gk_resp call(const char *token, const char *method, const char *path, const char *body)
{
    char ah[300];
    snprintf(ah, sizeof ah, "Authorization: Bearer %s", token);
    const char *hdr[3] = {ah, body ? "Content-Type: application/json" : NULL, NULL};
    gk_resp r;
    ck_assert_int_eq(gk_h_http(&H, method, path, hdr, body, body ? strlen(body) : 0, &r), 0);
    return r;
}

/* POSTs body and checks the status; the error code (or state) returned. */
static json_t *post(const char *token, const char *path, const char *body, int want)
{
    gk_resp r = call(token, "POST", path, body);
    ck_assert_msg(r.status == want, "POST %s %s: %d %s", path, body, r.status, r.body);
    json_t *j = json_loads(r.body, 0, NULL);
    gk_resp_free(&r);
    ck_assert_ptr_nonnull(j);
    return j;
}

static const char *err_code(const json_t *j)
{
    return json_string_value(json_object_get(json_object_get(j, "error"), "code"));
}

static const char *err_path(const json_t *j)
{
    return json_string_value(json_object_get(json_object_get(j, "error"), "path"));
}

static void expect_error(const char *token, const char *body, int status, const char *code, const char *path)
{
    json_t *j = post(token, R1, body, status);
    ck_assert_str_eq(err_code(j), code);
    if (path != NULL)
        ck_assert_str_eq(err_path(j), path);
    ck_assert_ptr_nonnull(json_string_value(json_object_get(json_object_get(j, "error"), "message")));
    json_decref(j);
}

static json_t *get_review(const char *token, int want)
{
    gk_resp r = call(token, "GET", R1, NULL);
    ck_assert_msg(r.status == want, "GET review: %d %s", r.status, r.body);
    json_t *j = json_loads(r.body, 0, NULL);
    gk_resp_free(&r);
    ck_assert_ptr_nonnull(j);
    return j;
}

static int submit_status(const char *token, int decisions)
{
    json_t *d = json_deep_copy(sample);
    json_t *lic = json_object_get(json_object_get(json_object_get(d, "tables"), "active"), "licensing");
    json_object_set_new(lic, "decisions", json_integer(decisions));
    char *body = json_dumps(d, JSON_COMPACT);
    gk_resp r = call(token, "POST", "/api/v1/reports", body);
    int st = r.status;
    if (st != 201 && st != 409)
        fprintf(stderr, "submit: %d %s\n", r.status, r.body);
    gk_resp_free(&r);
    free(body);
    json_decref(d);
    return st;
}

/* The review state of 350481101 in its county's compliance answer. */
static char *compliance_review(void)
{
    gk_resp r = call(city, "GET", "/api/v1/regions/350481/compliance?year=2020", NULL);
    ck_assert_msg(r.status == 200, "compliance: %d %s", r.status, r.body);
    json_t *j = json_loads(r.body, 0, NULL);
    gk_resp_free(&r);
    ck_assert_ptr_nonnull(j);
    char *state = NULL;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(j, "entities"), i, e)
        if (!strcmp(json_string_value(json_object_get(e, "code")), "350481101"))
            state = strdup(json_string_value(json_object_get(e, "review")) ?: "(none)");
    json_decref(j);
    ck_assert_ptr_nonnull(state);
    return state;
}

static void expect_compliance_review(const char *want)
{
    char *got = compliance_review();
    ck_assert_str_eq(got, want);
    free(got);
}

static long count(const char *sql)
{
    return gk_h_sql_long(&H, sql, 0, NULL);
}

START_TEST(return_resubmit_accept_reopen)
{
    ck_assert_int_eq(submit_status(town, 11), 201);
    /* a fresh report is pending, seen by the township itself */
    json_t *v = get_review(town, 200);
    ck_assert_str_eq(json_string_value(json_object_get(v, "state")), "pending");
    ck_assert_str_eq(json_string_value(json_object_get(v, "state_label")), "待审核");
    ck_assert_int_eq(json_array_size(json_object_get(v, "history")), 0);
    json_decref(v);

    /* a township never reviews: neither its submitter nor its own viewer */
    v = post(town, R1, "{\"action\":\"accept\"}", 403);
    ck_assert_str_eq(err_code(v), "forbidden");
    json_decref(v);
    v = post(town_viewer, R1, "{\"action\":\"accept\"}", 403);
    ck_assert_str_eq(err_code(v), "forbidden");
    json_decref(v);
    /* returning names what to fix; a stale revision is refused */
    expect_error(city, "{\"action\":\"return\"}", 422, "invalid_review", "comment");
    expect_error(city, "{\"action\":\"return\",\"comment\":\"  \"}", 422, "invalid_review", "comment");
    expect_error(city, "{\"action\":\"accept\",\"revision\":2}", 409, "stale_revision", "revision");
    ck_assert_int_eq(count("SELECT count(*) FROM review_history"), 0);

    expect_compliance_review("pending");   /* and now in the answer cache */
    v = post(city, R1, "{\"action\":\"return\",\"revision\":1,\"comment\":\"表二 行政许可 决定数与上年不符，请核实\"}", 200);
    ck_assert_str_eq(json_string_value(json_object_get(v, "state")), "returned");
    ck_assert_int_eq(json_integer_value(json_object_get(v, "revision")), 1);
    json_decref(v);
    /* the township sees the state and the comment */
    v = get_review(town, 200);
    ck_assert_str_eq(json_string_value(json_object_get(v, "state_label")), "退回修改");
    ck_assert_str_eq(json_string_value(json_object_get(v, "comment")), "表二 行政许可 决定数与上年不符，请核实");
    ck_assert(json_is_integer(json_object_get(v, "by")));
    json_decref(v);
    /* the board sees it at once: the compliance tag moved with the review */
    expect_compliance_review("returned");
    /* a returned report is not accepted before it is corrected */
    expect_error(city, "{\"action\":\"accept\"}", 409, "invalid_transition", "action");

    ck_assert_int_eq(submit_status(town, 12), 201);
    v = get_review(city, 200);
    ck_assert_str_eq(json_string_value(json_object_get(v, "state")), "resubmitted");
    ck_assert_int_eq(json_integer_value(json_object_get(v, "revision")), 2);
    json_decref(v);

    v = post(city, R1, "{\"action\":\"accept\",\"revision\":2}", 200);
    ck_assert_str_eq(json_string_value(json_object_get(v, "state")), "accepted");
    ck_assert(json_is_true(json_object_get(v, "locked")));
    json_decref(v);
    expect_compliance_review("accepted");
    /* accepted: locked against new revisions (nothing stored) */
    ck_assert_int_eq(submit_status(town, 13), 409);
    ck_assert_int_eq(count("SELECT count(*) FROM reports WHERE entity = '350481101'"), 2);
    ck_assert_int_eq(count("SELECT revision FROM report_current WHERE entity = '350481101'"), 2);
    expect_error(city, "{\"action\":\"return\",\"comment\":\"再看看\"}", 409, "invalid_transition", "action");
    expect_error(admin, "{\"action\":\"reopen\"}", 422, "invalid_review", "comment");

    v = post(admin, R1, "{\"action\":\"reopen\",\"comment\":\"发现附件遗漏，重新开启\"}", 200);
    ck_assert_str_eq(json_string_value(json_object_get(v, "state")), "pending");
    ck_assert(json_is_false(json_object_get(v, "locked")));
    json_decref(v);
    ck_assert_int_eq(submit_status(town, 13), 201);

    /* every transition kept, in order, with who; three in the audit trail */
    v = get_review(town, 200);
    json_t *h = json_object_get(v, "history");
    ck_assert_int_eq(json_array_size(h), 4);
    const char *want[] = {"return", "resubmit", "accept", "reopen"};
    for (size_t i = 0; i < 4; i++)
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(h, i), "action")), want[i]);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(h, 3), "comment")), "发现附件遗漏，重新开启");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(h, 2), "to")), "accepted");
    json_decref(v);
    ck_assert_int_eq(count("SELECT count(*) FROM audit WHERE action LIKE 'review_%'"), 3);
}
END_TEST

START_TEST(bad_requests_change_nothing)
{
    long before = count("SELECT count(*) FROM review_history");
    gk_resp r = call(city, "POST", R1, NULL);
    ck_assert_int_eq(r.status, 415);
    gk_resp_free(&r);
    expect_error(city, "{\"action\":", 400, "invalid_json", NULL);
    expect_error(city, "[]", 422, "invalid_review", "");
    expect_error(city, "{\"action\":\"approve\"}", 422, "invalid_review", "action");
    expect_error(city, "{\"action\":\"accept\",\"revision\":0}", 422, "invalid_review", "revision");
    expect_error(city, "{\"action\":\"accept\",\"revision\":\"1\"}", 422, "invalid_review", "revision");
    expect_error(city, "{\"action\":\"accept\",\"by\":1}", 422, "invalid_review", "");
    expect_error(city, "{\"action\":\"accept\",\"comment\":5}", 422, "invalid_review", "comment");
    expect_error(city, "{\"action\":\"accept\",\"action\":\"return\"}", 400, "invalid_json", NULL);
    /* no report that year, no such region, no token, a method no route takes */
    json_t *j = post(city, "/api/v1/reports/350481101/2019/review", "{\"action\":\"accept\"}", 404);
    ck_assert_str_eq(err_code(j), "not_found");
    json_decref(j);
    j = post(city, "/api/v1/reports/999999999/2020/review", "{\"action\":\"accept\"}", 404);
    json_decref(j);
    j = post(city, "/api/v1/reports/350481101/20x0/review", "{\"action\":\"accept\"}", 404);
    json_decref(j);
    r = call("gk_nonsense", "POST", R1, "{\"action\":\"accept\"}");
    ck_assert_int_eq(r.status, 401);
    gk_resp_free(&r);
    r = call(city, "PUT", R1, "{\"action\":\"accept\"}");
    ck_assert_int_eq(r.status, 405);
    gk_resp_free(&r);
    /* out of scope: a township's viewer reads nothing of another township */
    r = call(town_viewer, "GET", "/api/v1/reports/350481102/2020/review", NULL);
    ck_assert_int_eq(r.status, 403);
    gk_resp_free(&r);
    ck_assert_int_eq(count("SELECT count(*) FROM review_history"), before);
}
END_TEST

int main(void)
{
    json_error_t e;
    sample = json_load_file(GK_TEST_DATA "/sample-350481101-2020.json", 0, &e);
    const char *imp[] = {"regions", "import", GK_FIXTURES "/regions.csv", NULL};
    const char *tk[] = {"token", "create", "--region", "0", "--role", "admin", NULL};
    const char *tk2[] = {"token", "create", "--region", "3504", "--role", "viewer", NULL};
    const char *tk3[] = {"token", "create", "--region", "350481101", "--role", "submitter", NULL};
    const char *tk4[] = {"token", "create", "--region", "350481101", "--role", "viewer", NULL};
    if (sample == NULL || gk_h_setup(&H) != 0 || gk_h_cli(&H, NULL, 0, imp) != 0 ||
        gk_h_cli(&H, admin, sizeof admin, tk) != 0 || gk_h_cli(&H, city, sizeof city, tk2) != 0 ||
        gk_h_cli(&H, town, sizeof town, tk3) != 0 || gk_h_cli(&H, town_viewer, sizeof town_viewer, tk4) != 0 ||
        gk_h_daemon_start(&H, NULL) != 0) {
        fprintf(stderr, "setup failed\n");
        gk_h_teardown(&H);
        return 1;
    }
    admin[strcspn(admin, "\n")] = '\0';
    city[strcspn(city, "\n")] = '\0';
    town[strcspn(town, "\n")] = '\0';
    town_viewer[strcspn(town_viewer, "\n")] = '\0';
    Suite *s = suite_create("review");
    TCase *tc = tcase_create("review");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, return_resubmit_accept_reopen);
    tcase_add_test(tc, bad_requests_change_nothing);
    suite_add_tcase(s, tc);
    int failed = gk_h_run_suite(&H, s);
    json_decref(sample);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
