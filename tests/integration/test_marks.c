/* test_marks.c — the office's marks on single findings (issue 17, item 1)
 * against a real PostgreSQL and gongkaid: 确认 and 不予采纳 (reason
 * required), kept with who and when, shown on the finding in the report and
 * compliance answers; dismissed findings counted apart; a mark surviving a
 * new revision while its finding stays, and going to history for good when
 * the finding disappears; a township never marks; the board's filter by
 * review state; every refusal changes nothing. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static gk_h H;
static char admin[260], city[260], town[260], town_viewer[260];
static json_t *sample;

static const char *const M1 = "/api/v1/reports/350481101/2020/findings/marks";

static gk_resp call(const char *token, const char *method, const char *path, const char *body)
{
    char ah[300];
    snprintf(ah, sizeof ah, "Authorization: Bearer %s", token);
    const char *hdr[3] = {ah, body ? "Content-Type: application/json" : NULL, NULL};
    gk_resp r;
    ck_assert_int_eq(gk_h_http(&H, method, path, hdr, body, body ? strlen(body) : 0, &r), 0);
    return r;
}

static json_t *req_json(const char *token, const char *method, const char *path, const char *body, int want)
{
    gk_resp r = call(token, method, path, body);
    ck_assert_msg(r.status == want, "%s %s %s: %d %s", method, path, body ? body : "", r.status, r.body);
    json_t *j = json_loads(r.body, 0, NULL);
    gk_resp_free(&r);
    ck_assert_ptr_nonnull(j);
    return j;
}

static const char *err_code(const json_t *j)
{
    return json_string_value(json_object_get(json_object_get(j, "error"), "code"));
}

static void expect_error(const char *token, const char *body, int status, const char *code, const char *path)
{
    json_t *j = req_json(token, "POST", M1, body, status);
    ck_assert_str_eq(err_code(j), code);
    if (path != NULL)
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "error"), "path")), path);
    ck_assert_ptr_nonnull(json_string_value(json_object_get(json_object_get(j, "error"), "message")));
    json_decref(j);
}

/* Submits the sample for 350481101 with requests.received.natural_person
 * set to np (1: the received row no longer adds up) and licensing
 * decisions to dec (to make a new revision); the answer. */
static json_t *submit(int np, int dec)
{
    json_t *d = json_deep_copy(sample);
    json_t *t = json_object_get(d, "tables");
    json_object_set_new(json_object_get(json_object_get(t, "requests"), "received"), "natural_person",
                        json_integer(np));
    json_object_set_new(json_object_get(json_object_get(t, "active"), "licensing"), "decisions", json_integer(dec));
    char *body = json_dumps(d, JSON_COMPACT);
    json_t *j = req_json(town, "POST", "/api/v1/reports", body, 201);
    free(body);
    json_decref(d);
    return j;
}

/* The finding with this code in a findings array, or NULL. */
static json_t *finding(json_t *findings, const char *code)
{
    size_t i;
    json_t *f;
    json_array_foreach(findings, i, f)
        if (!strcmp(json_string_value(json_object_get(f, "code")), code))
            return f;
    return NULL;
}

static json_t *compliance_entity(json_t *c, const char *code)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(c, "entities"), i, e)
        if (!strcmp(json_string_value(json_object_get(e, "code")), code))
            return e;
    return NULL;
}

static long count(const char *sql) { return gk_h_sql_long(&H, sql, 0, NULL); }

static char fpath[300];   /* the path of the requests.row_total finding */

static char *mark_body(const char *code, const char *path, const char *mark, const char *reason)
{
    json_t *b = json_pack("{s:s,s:s,s:s}", "code", code, "path", path, "mark", mark);
    if (reason)
        json_object_set_new(b, "reason", json_string(reason));
    char *s = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    return s;
}

START_TEST(mark_survive_and_go_to_history)
{
    json_t *s = submit(1, 0);
    json_t *f = finding(json_object_get(s, "findings"), "requests.row_total");
    ck_assert_msg(f != NULL, "no requests.row_total in %s", json_dumps(s, 0));
    ck_assert_str_eq(json_string_value(json_object_get(f, "severity")), "error");
    snprintf(fpath, sizeof fpath, "%s", json_string_value(json_object_get(f, "path")));
    json_decref(s);

    /* the board before: the error counts, nothing dismissed (and is cached) */
    json_t *c = req_json(city, "GET", "/api/v1/regions/350481/compliance?year=2020", NULL, 200);
    json_t *e = compliance_entity(c, "350481101");
    long errors0 = json_integer_value(json_object_get(e, "errors"));
    ck_assert_int_ge(errors0, 1);
    ck_assert_int_eq(json_integer_value(json_object_get(e, "dismissed")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(c, "summary"), "dismissed_findings")), 0);
    json_decref(c);

    /* a township never marks: neither its submitter nor its own viewer */
    char *b = mark_body("requests.row_total", fpath, "confirmed", NULL);
    json_t *j = req_json(town, "POST", M1, b, 403);
    ck_assert_str_eq(err_code(j), "forbidden");
    json_decref(j);
    j = req_json(town_viewer, "POST", M1, b, 403);
    ck_assert_str_eq(err_code(j), "forbidden");
    json_decref(j);
    ck_assert_int_eq(count("SELECT count(*) FROM finding_marks"), 0);

    /* 确认 by the city's viewer: kept with who and when */
    j = req_json(city, "POST", M1, b, 200);
    free(b);
    ck_assert_int_eq(json_array_size(json_object_get(j, "active")), 1);
    json_t *m = json_array_get(json_object_get(j, "active"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(m, "mark")), "confirmed");
    ck_assert_str_eq(json_string_value(json_object_get(m, "label")), "确认");
    ck_assert_str_eq(json_string_value(json_object_get(m, "path")), fpath);
    ck_assert(json_is_integer(json_object_get(m, "by")));
    ck_assert(json_is_string(json_object_get(m, "at")));
    ck_assert_int_eq(json_integer_value(json_object_get(m, "revision")), 1);
    json_decref(j);

    /* the report answer shows the mark on its finding; the township sees it */
    j = req_json(town, "GET", "/api/v1/reports/350481101/2020", NULL, 200);
    f = finding(json_object_get(j, "findings"), "requests.row_total");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(f, "mark"), "mark")), "confirmed");
    json_decref(j);

    /* 不予采纳 needs a reason; then it replaces the 确认, which goes to history */
    b = mark_body("requests.row_total", fpath, "dismissed", NULL);
    expect_error(city, b, 422, "invalid_mark", "reason");
    free(b);
    b = mark_body("requests.row_total", fpath, "dismissed", "该行为测试数据，经核实无误");
    j = req_json(city, "POST", M1, b, 200);
    free(b);
    ck_assert_int_eq(json_array_size(json_object_get(j, "active")), 1);
    m = json_array_get(json_object_get(j, "active"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(m, "mark")), "dismissed");
    ck_assert_str_eq(json_string_value(json_object_get(m, "reason")), "该行为测试数据，经核实无误");
    ck_assert_int_eq(json_array_size(json_object_get(j, "history")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(j, "history"), 0), "state")),
                     "superseded");
    json_decref(j);

    /* the board at once (its tag moved): the dismissed error counted apart */
    c = req_json(city, "GET", "/api/v1/regions/350481/compliance?year=2020", NULL, 200);
    e = compliance_entity(c, "350481101");
    ck_assert_int_eq(json_integer_value(json_object_get(e, "errors")), errors0 - 1);
    ck_assert_int_eq(json_integer_value(json_object_get(e, "dismissed")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(c, "summary"), "dismissed_findings")), 1);
    f = finding(json_object_get(e, "findings"), "requests.row_total");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(f, "mark"), "label")), "不予采纳");
    json_decref(c);

    /* a new revision with the same finding: the mark stays in force */
    json_decref(submit(1, 5));
    j = req_json(town, "GET", M1, NULL, 200);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "current_revision")), 2);
    ck_assert_int_eq(json_array_size(json_object_get(j, "active")), 1);
    json_decref(j);

    /* corrected: the finding is gone, its mark goes to history */
    json_decref(submit(0, 6));
    j = req_json(town, "GET", M1, NULL, 200);
    ck_assert_int_eq(json_array_size(json_object_get(j, "active")), 0);
    ck_assert_int_eq(json_array_size(json_object_get(j, "history")), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(j, "history"), 1), "state")),
                     "finding_gone");
    json_decref(j);
    c = req_json(city, "GET", "/api/v1/regions/350481/compliance?year=2020", NULL, 200);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(c, "summary"), "dismissed_findings")), 0);
    json_decref(c);
    /* and for good: the same finding back is a new problem, unmarked */
    json_decref(submit(1, 7));
    j = req_json(town, "GET", M1, NULL, 200);
    ck_assert_int_eq(json_array_size(json_object_get(j, "active")), 0);
    json_decref(j);
    j = req_json(city, "GET", "/api/v1/reports/350481101/2020", NULL, 200);
    f = finding(json_object_get(j, "findings"), "requests.row_total");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_null(json_object_get(f, "mark"));
    json_decref(j);

    /* audited like every write; marks are append-only even for the owner */
    ck_assert_int_eq(count("SELECT count(*) FROM audit WHERE action = 'finding_confirmed'"), 1);
    ck_assert_int_eq(count("SELECT count(*) FROM audit WHERE action = 'finding_dismissed'"), 1);
    PGresult *res = PQexec(H.sql, "UPDATE finding_marks SET reason = 'x'");
    ck_assert_int_eq(PQresultStatus(res), PGRES_FATAL_ERROR);
    PQclear(res);
}
END_TEST

START_TEST(bad_marks_change_nothing)
{
    long before = count("SELECT count(*) FROM finding_marks") + count("SELECT count(*) FROM audit");
    gk_resp r = call(city, "POST", M1, NULL);
    ck_assert_int_eq(r.status, 415);
    gk_resp_free(&r);
    expect_error(city, "{\"code\":", 400, "invalid_json", NULL);
    expect_error(city, "[]", 422, "invalid_mark", "");
    expect_error(city, "{\"code\":\"requests.row_total\",\"mark\":\"maybe\"}", 422, "invalid_mark", "mark");
    expect_error(city, "{\"mark\":\"confirmed\"}", 422, "invalid_mark", "code");
    expect_error(city, "{\"code\":5,\"mark\":\"confirmed\"}", 422, "invalid_mark", "code");
    expect_error(city, "{\"code\":\"a\",\"path\":[],\"mark\":\"confirmed\"}", 422, "invalid_mark", "path");
    expect_error(city, "{\"code\":\"a\",\"mark\":\"confirmed\",\"by\":1}", 422, "invalid_mark", "");
    expect_error(city, "{\"code\":\"a\",\"mark\":\"confirmed\",\"mark\":\"dismissed\"}", 400, "invalid_json", NULL);
    expect_error(city, "{\"code\":\"no.such\",\"mark\":\"confirmed\"}", 409, "finding_not_current", "code");
    json_t *j = req_json(city, "POST", "/api/v1/reports/350481101/2019/findings/marks",
                         "{\"code\":\"a\",\"mark\":\"confirmed\"}", 404);
    ck_assert_str_eq(err_code(j), "not_found");
    json_decref(j);
    r = call("gk_nonsense", "POST", M1, "{\"code\":\"a\",\"mark\":\"confirmed\"}");
    ck_assert_int_eq(r.status, 401);
    gk_resp_free(&r);
    r = call(town_viewer, "GET", "/api/v1/reports/350481102/2020/findings/marks", NULL);
    ck_assert_int_eq(r.status, 403);
    gk_resp_free(&r);
    ck_assert_int_eq(count("SELECT count(*) FROM finding_marks") + count("SELECT count(*) FROM audit"), before);
}
END_TEST

/* Item 2: the board filters by review state. */
START_TEST(compliance_filters_by_review_state)
{
    json_t *j = req_json(city, "POST", "/api/v1/reports/350481101/2020/review",
                         "{\"action\":\"return\",\"comment\":\"请更正表三\"}", 200);
    json_decref(j);
    json_t *c = req_json(city, "GET", "/api/v1/regions/350481/compliance?year=2020&review=returned", NULL, 200);
    ck_assert_int_eq(json_array_size(json_object_get(c, "entities")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(c, "entities"), 0), "code")),
                     "350481101");
    ck_assert_str_eq(json_string_value(json_object_get(c, "review_filter")), "returned");
    json_decref(c);
    c = req_json(city, "GET", "/api/v1/regions/350481/compliance?year=2020&review=accepted", NULL, 200);
    ck_assert_int_eq(json_array_size(json_object_get(c, "entities")), 0);
    json_decref(c);
    /* unfiltered still lists every unit, the missing ones too */
    c = req_json(city, "GET", "/api/v1/regions/350481/compliance?year=2020", NULL, 200);
    ck_assert_int_gt(json_array_size(json_object_get(c, "entities")), 1);
    json_decref(c);
    c = req_json(city, "GET", "/api/v1/regions/350481/compliance?year=2020&review=done", NULL, 400);
    ck_assert_str_eq(err_code(c), "invalid_parameter");
    json_decref(c);
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
    Suite *s = suite_create("marks");
    TCase *tc = tcase_create("marks");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, mark_survive_and_go_to_history);
    tcase_add_test(tc, bad_marks_change_nothing);
    tcase_add_test(tc, compliance_filters_by_review_state);
    suite_add_tcase(s, tc);
    int failed = gk_h_run_suite(&H, s);
    json_decref(sample);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
