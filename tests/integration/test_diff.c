/* test_diff.c — GET /api/v1/reports/{entity}/{year}/diff?from=N&to=M against
 * a real PostgreSQL and gongkaid: cells (number / null / absent kept apart)
 * and prose between two stored revisions, the defaults (current against the
 * one before), ETag/304, scope, and the errors for bad or missing revisions. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static gk_h H;
static char admin[260], other_town[260];
static json_t *sample;

static gk_resp call(const char *token, const char *method, const char *path, const char *body,
                    const char *extra)
{
    char ah[300];
    snprintf(ah, sizeof ah, "Authorization: Bearer %s", token);
    const char *hdr[4] = {ah, NULL, NULL, NULL};
    int n = 1;
    if (body != NULL)
        hdr[n++] = "Content-Type: application/json";
    if (extra != NULL)
        hdr[n++] = extra;
    gk_resp r;
    ck_assert_int_eq(gk_h_http(&H, method, path, hdr, body, body ? strlen(body) : 0, &r), 0);
    return r;
}

static void submit(json_t *doc, int want)
{
    char *body = json_dumps(doc, JSON_COMPACT);
    gk_resp r = call(admin, "POST", "/api/v1/reports", body, NULL);
    ck_assert_msg(r.status == want, "submit: %d %s", r.status, r.body);
    gk_resp_free(&r);
    free(body);
}

static json_t *get(const char *path, int want)
{
    gk_resp r = call(admin, "GET", path, NULL, NULL);
    ck_assert_msg(r.status == want, "GET %s: %d %s", path, r.status, r.body);
    json_t *j = json_loads(r.body, 0, NULL);
    gk_resp_free(&r);
    ck_assert_ptr_nonnull(j);
    return j;
}

static const json_t *cell(const json_t *d, const char *path)
{
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(d, "cells"), i, c)
        if (!strcmp(json_string_value(json_object_get(c, "path")), path))
            return c;
    return NULL;
}

static const char *state(const json_t *c, const char *side)
{
    return json_string_value(json_object_get(json_object_get(c, side), "state"));
}

START_TEST(diff_between_revisions)
{
    /* revision 1: the sample; 2: two cells changed (a number, one made not
     * applicable) and one sentence of 六 rewritten; 3: a cell left blank */
    json_t *d = json_deep_copy(sample);
    submit(d, 201);
    json_t *lic = json_object_get(json_object_get(json_object_get(d, "tables"), "active"), "licensing");
    json_object_set_new(lic, "decisions", json_integer(7));
    json_object_set_new(lic, "change", json_null());
    json_object_set_new(json_object_get(d, "narrative"), "other", json_string("本年度收取信息处理费 0 元。"));
    submit(d, 201);
    json_object_del(lic, "decisions");
    submit(d, 201);

    json_t *a = get("/api/v1/reports/350481101/2020/diff?from=1&to=2", 200);
    ck_assert_int_eq(json_integer_value(json_object_get(a, "from")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(a, "to")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(a, "cells_changed")), 2);
    const json_t *c = cell(a, "tables.active.licensing.decisions");
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(c, "from"), "value")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(c, "to"), "value")), 7);
    c = cell(a, "tables.active.licensing.change");
    ck_assert_str_eq(state(c, "from"), "number");
    ck_assert_str_eq(state(c, "to"), "null");
    const json_t *other = json_array_get(json_object_get(a, "narrative"), 2);
    ck_assert(json_is_true(json_object_get(other, "changed")));
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(other, "removed"), 0)),
                     "无其他需要报告的事项。");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(other, "added"), 0)),
                     "本年度收取信息处理费 0 元。");
    ck_assert(json_is_false(json_object_get(json_array_get(json_object_get(a, "narrative"), 0), "changed")));
    json_decref(a);

    /* defaults: the current revision (3) against the one before (2) */
    a = get("/api/v1/reports/350481101/2020/diff", 200);
    ck_assert_int_eq(json_integer_value(json_object_get(a, "from")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(a, "to")), 3);
    ck_assert_int_eq(json_integer_value(json_object_get(a, "cells_changed")), 1);
    c = cell(a, "tables.active.licensing.decisions");
    ck_assert_str_eq(state(c, "to"), "absent");
    ck_assert_int_eq(json_integer_value(json_object_get(a, "sections_changed")), 0);
    json_decref(a);

    /* backwards works too */
    a = get("/api/v1/reports/350481101/2020/diff?from=3&to=1", 200);
    ck_assert_str_eq(state(cell(a, "tables.active.licensing.decisions"), "from"), "absent");
    json_decref(a);

    /* ETag and 304 */
    gk_resp r = call(admin, "GET", "/api/v1/reports/350481101/2020/diff?from=1&to=2", NULL, NULL);
    char tag[128], inm[200];
    ck_assert_ptr_nonnull(gk_resp_header(&r, "ETag", tag, sizeof tag));
    gk_resp_free(&r);
    snprintf(inm, sizeof inm, "If-None-Match: %s", tag);
    r = call(admin, "GET", "/api/v1/reports/350481101/2020/diff?from=1&to=2", NULL, inm);
    ck_assert_int_eq(r.status, 304);
    gk_resp_free(&r);
    json_decref(d);
}
END_TEST

START_TEST(diff_errors_and_scope)
{
    json_t *e = get("/api/v1/reports/350481101/2020/diff?from=1&to=99", 404);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(e, "error"), "path")), "to");
    json_decref(e);
    e = get("/api/v1/reports/350481101/2020/diff?from=0", 400);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(e, "error"), "code")),
                     "invalid_parameter");
    json_decref(e);
    e = get("/api/v1/reports/350481101/2020/diff?to=x", 400);
    json_decref(e);
    e = get("/api/v1/reports/350481102/2020/diff", 404);
    json_decref(e);
    gk_resp r = call(other_town, "GET", "/api/v1/reports/350481101/2020/diff?from=1&to=2", NULL, NULL);
    ck_assert_int_eq(r.status, 403);
    gk_resp_free(&r);
    r = call("gk_nonsense", "GET", "/api/v1/reports/350481101/2020/diff?from=1&to=2", NULL, NULL);
    ck_assert_int_eq(r.status, 401);
    gk_resp_free(&r);
    r = call(admin, "POST", "/api/v1/reports/350481101/2020/diff", "{}", NULL);
    ck_assert_int_eq(r.status, 405);
    gk_resp_free(&r);
}
END_TEST

int main(void)
{
    json_error_t e;
    sample = json_load_file(GK_TEST_DATA "/sample-350481101-2020.json", 0, &e);
    const char *imp[] = {"regions", "import", GK_FIXTURES "/regions.csv", NULL};
    const char *tk[] = {"token", "create", "--region", "0", "--role", "admin", NULL};
    const char *tk2[] = {"token", "create", "--region", "350481102", "--role", "viewer", NULL};
    if (sample == NULL || gk_h_setup(&H) != 0 || gk_h_cli(&H, NULL, 0, imp) != 0 ||
        gk_h_cli(&H, admin, sizeof admin, tk) != 0 ||
        gk_h_cli(&H, other_town, sizeof other_town, tk2) != 0 || gk_h_daemon_start(&H, NULL) != 0) {
        fprintf(stderr, "setup failed\n");
        gk_h_teardown(&H);
        return 1;
    }
    admin[strcspn(admin, "\n")] = '\0';
    other_town[strcspn(other_town, "\n")] = '\0';
    Suite *s = suite_create("diff");
    TCase *tc = tcase_create("diff");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, diff_between_revisions);
    tcase_add_test(tc, diff_errors_and_scope);
    suite_add_tcase(s, tc);
    /* a clean stop at the end: exit 0 (ASan/LSan would make it fail) */
    int failed = gk_h_run_suite(&H, s);
    json_decref(sample);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
