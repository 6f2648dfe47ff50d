/* test_render_route.c — GET /api/v1/reports/{entity}/{year}?format=html|docx
 * against a real PostgreSQL and gongkaid: the stored report rendered, with
 * its Content-Type and an RFC 5987 Content-Disposition; what comes back
 * imports (lib/import) to exactly the report submitted; ETag/304, scope,
 * authentication and ?revision= as for the JSON read; a bad format is 400. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongkai/report.h"
#include "harness.h"
#include "import.h"

static gk_h H;
static char admin[260], other_town[260];
static json_t *sample;

static gk_resp call(const char *token, const char *path, const char *extra)
{
    char ah[300];
    snprintf(ah, sizeof ah, "Authorization: Bearer %s", token);
    const char *hdr[3] = {ah, extra, NULL};
    gk_resp r;
    ck_assert_int_eq(gk_h_http(&H, "GET", path, token ? hdr : hdr + 2, NULL, 0, &r), 0);
    return r;
}

/* The answer imports back to the submitted report (canonical JSON). */
static void assert_imports_to(const gk_resp *r, bool docx, const json_t *want_doc)
{
    gk_import_options opt = {.entity = "350481101"};
    gk_import_result res;
    if (docx)
        gk_import_docx(r->body, r->body_len, &opt, &res);
    else
        gk_import_html(r->body, r->body_len, &opt, &res);
    ck_assert_msg(res.status == GK_IMPORT_OK, "import: %d %s", res.status, res.error_message);
    char *got = gk_report_dump(res.report, false);
    char *text = json_dumps(want_doc, JSON_COMPACT);
    gk_error err;
    gk_report *want = gk_report_parse(text, strlen(text), NULL, &err);
    ck_assert_ptr_nonnull(want);
    char *w = gk_report_dump(want, false);
    ck_assert_str_eq(got, w);
    free(w);
    free(got);
    free(text);
    gk_report_free(want);
    gk_import_result_free(&res);
}

START_TEST(render_html_and_docx)
{
    char *body = json_dumps(sample, JSON_COMPACT);
    char ah[300];
    snprintf(ah, sizeof ah, "Authorization: Bearer %s", admin);
    const char *hdr[] = {ah, "Content-Type: application/json", NULL};
    gk_resp s;
    ck_assert_int_eq(gk_h_http(&H, "POST", "/api/v1/reports", hdr, body, strlen(body), &s), 0);
    ck_assert_msg(s.status == 201, "submit: %d %s", s.status, s.body);
    gk_resp_free(&s);
    free(body);

    char buf[1024];
    gk_resp r = call(admin, "/api/v1/reports/350481101/2020?format=html", NULL);
    ck_assert_msg(r.status == 200, "html: %d %s", r.status, r.body);
    ck_assert_str_eq(gk_resp_header(&r, "Content-Type", buf, sizeof buf), "text/html; charset=utf-8");
    gk_resp_header(&r, "Content-Disposition", buf, sizeof buf);
    /* 永安市贡川镇2020年…: the registry's names, percent-encoded UTF-8 */
    ck_assert_msg(strstr(buf, "inline; filename=\"350481101-2020.html\"; filename*=UTF-8''"
                              "%E6%B0%B8%E5%AE%89%E5%B8%82%E8%B4%A1%E5%B7%9D%E9%95%87" "2020") != NULL,
                  "Content-Disposition: %s", buf);
    ck_assert_ptr_nonnull(strstr(r.body, "<h1>永安市贡川镇<br />2020年政府信息公开工作年度报告</h1>"));
    assert_imports_to(&r, false, sample);
    char etag[128], inm[160];
    ck_assert_ptr_nonnull(gk_resp_header(&r, "ETag", etag, sizeof etag));
    gk_resp_free(&r);
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    r = call(admin, "/api/v1/reports/350481101/2020?format=html", inm);
    ck_assert_int_eq(r.status, 304);
    gk_resp_free(&r);

    r = call(admin, "/api/v1/reports/350481101/2020?format=docx&revision=1", NULL);
    ck_assert_msg(r.status == 200, "docx: %d %s", r.status, r.body);
    ck_assert_str_eq(gk_resp_header(&r, "Content-Type", buf, sizeof buf),
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    gk_resp_header(&r, "Content-Disposition", buf, sizeof buf);
    static const char want_disp[] = "attachment; filename=\"350481101-2020.docx\"; filename*=UTF-8''";
    ck_assert_msg(!strncmp(buf, want_disp, strlen(want_disp)),
                  "Content-Disposition: %s", buf);
    ck_assert_msg(r.body_len > 4 && !memcmp(r.body, "PK\3\4", 4), "not a zip");
    assert_imports_to(&r, true, sample);
    char etag2[128];
    gk_resp_header(&r, "ETag", etag2, sizeof etag2);
    ck_assert_str_ne(etag, etag2);
    gk_resp_free(&r);
    /* the JSON read is unchanged, with ?format=json too */
    r = call(admin, "/api/v1/reports/350481101/2020?format=json", NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "\"report\":"));
    gk_resp_free(&r);
}
END_TEST

START_TEST(render_errors_and_scope)
{
    gk_resp r = call(admin, "/api/v1/reports/350481101/2020?format=pdf", NULL);
    ck_assert_int_eq(r.status, 400);
    ck_assert_ptr_nonnull(strstr(r.body, "\"invalid_parameter\""));
    ck_assert_ptr_nonnull(strstr(r.body, "\"path\":\"format\""));
    gk_resp_free(&r);
    r = call(other_town, "/api/v1/reports/350481101/2020?format=docx", NULL);
    ck_assert_int_eq(r.status, 403);
    gk_resp_free(&r);
    r = call(NULL, "/api/v1/reports/350481101/2020?format=html", NULL);
    ck_assert_int_eq(r.status, 401);
    gk_resp_free(&r);
    r = call(admin, "/api/v1/reports/350481101/2019?format=html", NULL);
    ck_assert_int_eq(r.status, 404);
    gk_resp_free(&r);
    r = call(admin, "/api/v1/reports/350481101/2020?format=html&revision=9", NULL);
    ck_assert_int_eq(r.status, 404);
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
    Suite *s = suite_create("render_route");
    TCase *tc = tcase_create("render");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, render_html_and_docx);
    tcase_add_test(tc, render_errors_and_scope);
    suite_add_tcase(s, tc);
    int failed = gk_h_run_suite(&H, s);
    json_decref(sample);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
