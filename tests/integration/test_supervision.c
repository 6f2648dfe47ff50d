/* test_supervision.c — the supervision list (通报, issue 17 item 5) against
 * a real PostgreSQL and gongkaid: missing and late units and every
 * confirmed finding (not the dismissed ones) per unit, with its message and
 * cell in words; the same list as a printable page (strict CSP, no script,
 * escaped), as a workbook and as a Word document, all read back by
 * independent readers (check_supervision.py: html.parser, openpyxl,
 * zipfile + ElementTree); its ETag moving with a
 * mark; the refusals. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static gk_h H;
static char city[260], town[260], other[260];
static json_t *sample;

static const char *const S = "/api/v1/regions/350481/supervision?year=2020";

static gk_resp call(const char *token, const char *method, const char *path, const char *body, const char *extra)
{
    char ah[300];
    snprintf(ah, sizeof ah, "Authorization: Bearer %s", token);
    const char *hdr[4] = {ah, body ? "Content-Type: application/json" : NULL, NULL, NULL};
    if (extra != NULL)
        hdr[body ? 2 : 1] = extra;
    gk_resp r;
    ck_assert_int_eq(gk_h_http(&H, method, path, hdr, body, body ? strlen(body) : 0, &r), 0);
    return r;
}

static json_t *req_json(const char *token, const char *method, const char *path, const char *body, int want)
{
    gk_resp r = call(token, method, path, body, NULL);
    ck_assert_msg(r.status == want, "%s %s: %d %s", method, path, r.status, r.body);
    json_t *j = json_loads(r.body, 0, NULL);
    gk_resp_free(&r);
    ck_assert_ptr_nonnull(j);
    return j;
}

/* The sample as entity's report, the received row broken when np != 0. */
static json_t *submit(const char *entity, int np)
{
    json_t *d = json_deep_copy(sample);
    json_object_set_new(d, "entity", json_string(entity));
    json_object_set_new(json_object_get(json_object_get(json_object_get(d, "tables"), "requests"), "received"),
                        "natural_person", json_integer(np));
    char *body = json_dumps(d, JSON_COMPACT);
    json_t *j = req_json(city, "POST", "/api/v1/reports", body, 201);
    free(body);
    json_decref(d);
    return j;
}

static void mark(const char *code, const char *path, const char *m, const char *reason)
{
    json_t *b = json_pack("{s:s,s:s,s:s,s:s}", "code", code, "path", path, "mark", m, "reason", reason);
    char *s = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    json_decref(req_json(city, "POST", "/api/v1/reports/350481101/2020/findings/marks", s, 200));
    free(s);
}

static char *write_temp(const char *dir, const char *name, const char *data, size_t len)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
    return path;
}

START_TEST(supervision_json_html_xlsx)
{
    /* 贡川镇 with three broken sums; 安砂镇 the same; both after the deadline */
    json_t *s = submit("350481101", 1);
    json_decref(submit("350481102", 0));
    const char *confirm_code = NULL, *confirm_path = NULL, *dismiss_code = NULL, *dismiss_path = NULL;
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(s, "findings"), i, f) {
        const char *c = json_string_value(json_object_get(f, "code"));
        if (!strcmp(c, "requests.row_total") && confirm_code == NULL) {
            confirm_code = c;
            confirm_path = json_string_value(json_object_get(f, "path"));
        } else if (strcmp(c, "requests.row_total") && strcmp(c, "timeliness.late") && dismiss_code == NULL) {
            dismiss_code = c;
            dismiss_path = json_string_value(json_object_get(f, "path"));
        }
    }
    ck_assert_ptr_nonnull(confirm_code);
    ck_assert_ptr_nonnull(dismiss_code);

    json_t *j = req_json(city, "GET", S, NULL, 200);
    json_t *sum = json_object_get(j, "summary");
    ck_assert_int_eq(json_integer_value(json_object_get(sum, "expected")), 15);
    ck_assert_int_eq(json_integer_value(json_object_get(sum, "reported")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(sum, "missing")), 13);
    ck_assert_int_eq(json_integer_value(json_object_get(sum, "late")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(sum, "confirmed_findings")), 0);
    ck_assert_str_eq(json_string_value(json_object_get(j, "deadline")), "2021-03-01");
    json_decref(j);
    gk_resp r = call(city, "GET", S, NULL, NULL);
    char etag[128], inm[160];
    ck_assert_ptr_nonnull(gk_resp_header(&r, "ETag", etag, sizeof etag));
    gk_resp_free(&r);
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    r = call(city, "GET", S, NULL, inm);
    ck_assert_int_eq(r.status, 304);
    gk_resp_free(&r);

    /* one confirmed (with the office's comment, markup in it), one dismissed */
    mark(confirm_code, confirm_path, "confirmed", "<请核实>&更正");
    mark(dismiss_code, dismiss_path, "dismissed", "口径差异");
    json_decref(s);
    r = call(city, "GET", S, NULL, inm);
    ck_assert_int_eq(r.status, 200);   /* the marks moved the tag */
    json_t *model = json_loads(r.body, 0, NULL);
    char *model_text = strdup(r.body);
    gk_resp_free(&r);
    sum = json_object_get(model, "summary");
    ck_assert_int_eq(json_integer_value(json_object_get(sum, "confirmed_findings")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(sum, "units_with_confirmed")), 1);
    json_t *u = json_array_get(json_object_get(model, "confirmed"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(u, "code")), "350481101");
    ck_assert_str_eq(json_string_value(json_object_get(u, "name")), "贡川镇");
    f = json_array_get(json_object_get(u, "findings"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(f, "code")), "requests.row_total");
    ck_assert_str_eq(json_string_value(json_object_get(f, "reason")), "<请核实>&更正");
    ck_assert_msg(strstr(json_string_value(json_object_get(f, "cell")), "本年新收") != NULL, "cell %s",
                  json_string_value(json_object_get(f, "cell")));
    ck_assert(strlen(json_string_value(json_object_get(f, "message"))) > 0);
    ck_assert_int_eq(json_array_size(json_object_get(model, "late")), 2);
    json_decref(model);

    /* the printable page */
    r = call(city, "GET", "/api/v1/regions/350481/supervision?year=2020&format=html", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    char ct[128], csp[256];
    ck_assert_str_eq(gk_resp_header(&r, "Content-Type", ct, sizeof ct), "text/html; charset=utf-8");
    ck_assert_ptr_nonnull(gk_resp_header(&r, "Content-Security-Policy", csp, sizeof csp));
    ck_assert_ptr_null(strstr(r.body, "<script"));
    ck_assert_ptr_nonnull(strstr(r.body, "&lt;请核实&gt;&amp;更正"));
    ck_assert_ptr_null(strstr(r.body, "口径差异"));   /* dismissed: not in the list */
    char dir[] = "/tmp/gk_supervision_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *page = write_temp(dir, "page.html", r.body, r.body_len);
    gk_resp_free(&r);

    /* the workbook */
    r = call(city, "GET", "/api/v1/regions/350481/supervision?year=2020&format=xlsx", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(gk_resp_header(&r, "Content-Type", ct, sizeof ct),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    ck_assert(r.body_len > 4 && memcmp(r.body, "PK\3\4", 4) == 0);
    char *book = write_temp(dir, "book.xlsx", r.body, r.body_len);
    gk_resp_free(&r);
    /* the Word document (lib/render's writer) */
    r = call(city, "GET", "/api/v1/regions/350481/supervision?year=2020&format=docx", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(gk_resp_header(&r, "Content-Type", ct, sizeof ct),
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    char cd[160];
    ck_assert_ptr_nonnull(strstr(gk_resp_header(&r, "Content-Disposition", cd, sizeof cd), ".docx"));
    char *docx = write_temp(dir, "list.docx", r.body, r.body_len);
    gk_resp_free(&r);
    char *ans = write_temp(dir, "answer.json", model_text, strlen(model_text));
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/../check_supervision.py %s \"%s\" %s %s %s", GK_FIXTURES, page,
             csp, book, ans, docx);
    ck_assert_msg(system(cmd) == 0, "check_supervision.py failed: %s", cmd);
    unlink(page);
    unlink(book);
    unlink(ans);
    unlink(docx);
    free(docx);
    rmdir(dir);
    free(page);
    free(book);
    free(ans);
    free(model_text);
}
END_TEST

START_TEST(supervision_refusals)
{
    json_t *j = req_json(city, "GET", "/api/v1/regions/350481/supervision?year=2020&format=pdf", NULL, 400);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "error"), "code")), "invalid_parameter");
    json_decref(j);
    j = req_json(city, "GET", "/api/v1/regions/350481/supervision", NULL, 400);
    json_decref(j);
    j = req_json(city, "GET", "/api/v1/regions/999999/supervision?year=2020", NULL, 404);
    json_decref(j);
    /* a township sees its own region only; another county's token nothing */
    j = req_json(town, "GET", S, NULL, 403);
    json_decref(j);
    j = req_json(other, "GET", S, NULL, 403);
    json_decref(j);
    j = req_json(town, "GET", "/api/v1/regions/350481101/supervision?year=2020", NULL, 200);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "summary"), "expected")), 1);
    json_decref(j);
    gk_resp r = call("gk_nonsense", "GET", S, NULL, NULL);
    ck_assert_int_eq(r.status, 401);
    gk_resp_free(&r);
}
END_TEST

int main(void)
{
    json_error_t e;
    sample = json_load_file(GK_TEST_DATA "/sample-350481101-2020.json", 0, &e);
    const char *imp[] = {"regions", "import", GK_FIXTURES "/regions.csv", NULL};
    const char *dl[] = {"deadline", "set", "3504", "2020", "2021-03-01", NULL};
    const char *tk2[] = {"token", "create", "--region", "3504", "--role", "admin", NULL};
    const char *tk3[] = {"token", "create", "--region", "350481101", "--role", "submitter", NULL};
    const char *tk4[] = {"token", "create", "--region", "350421", "--role", "viewer", NULL};
    if (sample == NULL || gk_h_setup(&H) != 0 || gk_h_cli(&H, NULL, 0, imp) != 0 || gk_h_cli(&H, NULL, 0, dl) != 0 ||
        gk_h_cli(&H, city, sizeof city, tk2) != 0 || gk_h_cli(&H, town, sizeof town, tk3) != 0 ||
        gk_h_cli(&H, other, sizeof other, tk4) != 0 || gk_h_daemon_start(&H, NULL) != 0) {
        fprintf(stderr, "setup failed\n");
        gk_h_teardown(&H);
        return 1;
    }
    city[strcspn(city, "\n")] = '\0';
    town[strcspn(town, "\n")] = '\0';
    other[strcspn(other, "\n")] = '\0';
    Suite *s = suite_create("supervision");
    TCase *tc = tcase_create("supervision");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, supervision_json_html_xlsx);
    tcase_add_test(tc, supervision_refusals);
    suite_add_tcase(s, tc);
    int failed = gk_h_run_suite(&H, s);
    json_decref(sample);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
