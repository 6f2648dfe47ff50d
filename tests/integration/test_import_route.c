/* test_import_route.c — POST /api/v1/import against a real PostgreSQL and
 * gongkaid: a text, a Word and a PDF report become report JSON with their
 * placement notes (the entity found from the title through the registry's
 * names of the token's scope), nothing is stored, and every refusal is a
 * JSON error: a bad package (the importer's code and Chinese message), a
 * body over --max-import (413), JSON or an unknown type (415), no token
 * (401), a township outside the token's scope (403). */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define CORPUS GK_TEST_DATA "/../import/corpus"
#define PDFS GK_TEST_DATA "/../import/pdf"

static gk_h H;
static char town[260], other_town[260], county[260];

static gk_resp post(const char *token, const char *path, const char *ct, const char *body, size_t len)
{
    char ah[300], ch[200];
    snprintf(ah, sizeof ah, "Authorization: Bearer %s", token);
    const char *hdr[3] = {NULL, NULL, NULL};
    int n = 0;
    if (token != NULL)
        hdr[n++] = ah;
    if (ct != NULL) {
        snprintf(ch, sizeof ch, "Content-Type: %s", ct);
        hdr[n++] = ch;
    }
    gk_resp r;
    ck_assert_int_eq(gk_h_http(&H, "POST", path, hdr, body, len, &r), 0);
    return r;
}

static gk_resp post_file(const char *token, const char *path, const char *ct, const char *file)
{
    size_t len = 0;
    char *data = gk_h_read_file(file, &len);
    ck_assert_ptr_nonnull(data);
    gk_resp r = post(token, path, ct, data, len);
    free(data);
    return r;
}

static json_t *body_json(const gk_resp *r)
{
    json_t *j = json_loads(r->body, 0, NULL);
    ck_assert_msg(j != NULL, "not JSON: %s", r->body);
    return j;
}

static const char *error_code(json_t *j)
{
    return json_string_value(json_object_get(json_object_get(j, "error"), "code"));
}

static long reports_stored(void) { return gk_h_sql_long(&H, "SELECT count(*) FROM reports", 0, NULL); }

START_TEST(text_report_becomes_json)
{
    gk_resp r = post_file(town, "/api/v1/import", "text/plain; charset=utf-8", CORPUS "/sample_text_regions/input.txt");
    ck_assert_msg(r.status == 200, "%d %s", r.status, r.body);
    char ct[128];
    ck_assert_str_eq(gk_resp_header(&r, "Content-Type", ct, sizeof ct), "application/json; charset=utf-8");
    json_t *j = body_json(&r);
    json_t *rep = json_object_get(j, "report");
    /* the entity was found from the title (贡川镇) through the registry */
    ck_assert_str_eq(json_string_value(json_object_get(rep, "entity")), "350481101");
    ck_assert_int_eq(json_integer_value(json_object_get(rep, "year")), 2020);
    ck_assert_str_eq(json_string_value(json_object_get(rep, "format")), "2019");
    ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "ok");
    ck_assert(json_is_array(json_object_get(j, "unplaced")));
    ck_assert(json_is_array(json_object_get(j, "notes")));
    /* the same numbers the client's `gongkai import` gives for this file */
    json_t *want = json_load_file(CORPUS "/sample_text_regions/expected.json", 0, NULL);
    ck_assert_ptr_nonnull(want);
    ck_assert_msg(json_equal(json_object_get(rep, "tables"), json_object_get(want, "tables")), "tables differ");
    ck_assert_msg(json_equal(json_object_get(rep, "narrative"), json_object_get(want, "narrative")), "prose differs");
    json_decref(want);
    json_decref(j);
    gk_resp_free(&r);
    ck_assert_int_eq(reports_stored(), 0);
}
END_TEST

START_TEST(word_and_pdf_by_sniffing)
{
    /* a .docx sent as octet-stream, and with its own type; a county token
     * imports for a township below it */
    const char *types[] = {"application/octet-stream",
                           "application/vnd.openxmlformats-officedocument.wordprocessingml.document", NULL};
    for (int i = 0; i < 3; i++) {
        gk_resp r = post_file(i == 2 ? county : town, "/api/v1/import", types[i % 2 ? 1 : 0],
                              CORPUS "/docx_lo_sample/input.docx");
        ck_assert_msg(r.status == 200, "%d %s", r.status, r.body);
        json_t *j = body_json(&r);
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "report"), "entity")), "350481101");
        json_decref(j);
        gk_resp_free(&r);
    }
    gk_resp r = post_file(town, "/api/v1/import?year=2020", "application/pdf", PDFS "/sample.pdf");
    ck_assert_msg(r.status == 200, "%d %s", r.status, r.body);
    json_t *j = body_json(&r);
    json_t *rep = json_object_get(j, "report");
    ck_assert_str_eq(json_string_value(json_object_get(rep, "entity")), "350481101");
    ck_assert(json_is_integer(json_object_get(
        json_object_get(json_object_get(json_object_get(rep, "tables"), "requests"), "received"), "total")));
    json_decref(j);
    gk_resp_free(&r);
    ck_assert_int_eq(reports_stored(), 0);
}
END_TEST

START_TEST(refusals_are_json_errors)
{
    /* a bad package: the importer's own code and Chinese message, 422 */
    gk_resp r = post_file(town, "/api/v1/import?entity=350481101", NULL, CORPUS "/docx_bad_encrypted/input.docx");
    ck_assert_msg(r.status == 422, "%d %s", r.status, r.body);
    json_t *j = body_json(&r);
    ck_assert_str_eq(error_code(j), "package_encrypted");
    const char *msg = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
    ck_assert_msg(msg != NULL && strstr(msg, "加密") != NULL, "message: %s", msg);
    json_decref(j);
    gk_resp_free(&r);

    /* not a report at all */
    r = post(town, "/api/v1/import", "text/plain", "今天天气很好。\n", strlen("今天天气很好。\n"));
    ck_assert_int_eq(r.status, 422);
    j = body_json(&r);
    ck_assert_ptr_nonnull(error_code(j));
    json_decref(j);
    gk_resp_free(&r);

    /* one byte over --max-import (4 MiB by default): 413 in JSON */
    size_t big = 4u * 1024 * 1024 + 1;
    char *data = malloc(big);
    ck_assert_ptr_nonnull(data);
    memset(data, 'a', big);
    r = post(town, "/api/v1/import", "text/plain", data, big);
    free(data);
    ck_assert_msg(r.status == 413, "%d", r.status);
    j = body_json(&r);
    ck_assert_str_eq(error_code(j), "body_too_large");
    json_decref(j);
    gk_resp_free(&r);

    /* JSON needs no import; an unknown type is refused */
    r = post(town, "/api/v1/import", "application/json", "{}", 2);
    ck_assert_int_eq(r.status, 415);
    gk_resp_free(&r);
    r = post(town, "/api/v1/import", "image/png", "x", 1);
    ck_assert_int_eq(r.status, 415);
    gk_resp_free(&r);
    r = post(town, "/api/v1/import", "text/plain", "", 0);
    ck_assert_int_eq(r.status, 422);
    gk_resp_free(&r);
    r = post(town, "/api/v1/import?year=abc", "text/plain", "x", 1);
    ck_assert_int_eq(r.status, 400);
    gk_resp_free(&r);

    /* no token; another township's report */
    r = post_file(NULL, "/api/v1/import", "text/plain", CORPUS "/sample_text_regions/input.txt");
    ck_assert_int_eq(r.status, 401);
    gk_resp_free(&r);
    r = post_file(other_town, "/api/v1/import?entity=350481101", "text/plain",
                  CORPUS "/sample_text_regions/input.txt");
    ck_assert_msg(r.status == 403, "%d %s", r.status, r.body);
    j = body_json(&r);
    ck_assert_str_eq(error_code(j), "forbidden");
    json_decref(j);
    gk_resp_free(&r);

    /* GET is not a route of it */
    gk_resp g;
    ck_assert_int_eq(gk_h_http(&H, "GET", "/api/v1/import", NULL, NULL, 0, &g), 0);
    ck_assert_int_eq(g.status, 405);
    gk_resp_free(&g);
    ck_assert_int_eq(reports_stored(), 0);
}
END_TEST

int main(void)
{
    const char *imp[] = {"regions", "import", GK_FIXTURES "/regions.csv", NULL};
    const char *tk[] = {"token", "create", "--region", "350481101", "--role", "submitter", NULL};
    const char *tk2[] = {"token", "create", "--region", "350481102", "--role", "submitter", NULL};
    const char *tk3[] = {"token", "create", "--region", "350481", "--role", "viewer", NULL};
    if (gk_h_setup(&H) != 0 || gk_h_cli(&H, NULL, 0, imp) != 0 || gk_h_cli(&H, town, sizeof town, tk) != 0 ||
        gk_h_cli(&H, other_town, sizeof other_town, tk2) != 0 || gk_h_cli(&H, county, sizeof county, tk3) != 0 ||
        gk_h_daemon_start(&H, NULL) != 0) {
        fprintf(stderr, "setup failed\n");
        gk_h_teardown(&H);
        return 1;
    }
    town[strcspn(town, "\n")] = '\0';
    other_town[strcspn(other_town, "\n")] = '\0';
    county[strcspn(county, "\n")] = '\0';
    Suite *s = suite_create("import_route");
    TCase *tc = tcase_create("import_route");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, text_report_becomes_json);
    tcase_add_test(tc, word_and_pdf_by_sniffing);
    tcase_add_test(tc, refusals_are_json_errors);
    suite_add_tcase(s, tc);
    int failed = gk_h_run_suite(&H, s);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
