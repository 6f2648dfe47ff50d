/* test_pdf.c — the PDF reader against PDFs printed by LibreOffice.
 *
 * The fixtures (tests/import/pdf, made by make_fixtures.sh from the HTML
 * rendering of the shared sample) are real office-suite output, so layout,
 * fonts and table borders are what a township's exported PDF has.  The
 * numbers are compared with the hand-checked reference JSON of the sample
 * (tests/data/sample-350481101-2020.json), not with the importer's output. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "import.h"

/* The report as plain JSON (an exact amount node written and read back as
 * a number), to compare with a reference file read by json_load_file. */
static json_t *report_json(const gk_report *r)
{
    char *s = gk_report_dump(r, false);
    json_t *j = json_loads(s, 0, NULL);
    free(s);
    return j;
}

#define PDF_DIR GK_IMPORT_PDF
#define REFERENCE GK_TEST_DATA "/sample-350481101-2020.json"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

static gk_import_status import_pdf_as(const char *name, const char *entity, gk_import_result *res)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", PDF_DIR, name);
    size_t len;
    char *data = slurp(path, &len);
    gk_import_options opt = {.entity = entity};
    gk_import_status st = gk_import_auto(data, len, &opt, res);
    free(data);
    return st;
}

static gk_import_status import_pdf(const char *name, size_t cut, gk_import_result *res)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", PDF_DIR, name);
    size_t len;
    char *data = slurp(path, &len);
    if (cut && cut < len)
        len = cut;
    gk_import_options opt = {.entity = "350481101"};
    gk_import_status st = gk_import_auto(data, len, &opt, res);
    free(data);
    return st;
}

/* Every table cell as the reference has it (0, null and absent kept
 * apart): the 主动公开 table with the label wrapped around its values
 * ("其他对外管理/服务事项") and columns that touch, the 收到和处理 table
 * with its three-line header and labels in row groups ("（三）不予公开"),
 * across page breaks; nothing unplaced. */
START_TEST(pdf_sample_tables_exact)
{
    gk_import_result res;
    gk_import_status st = import_pdf("sample.pdf", 0, &res);
    for (size_t i = 0; i < res.unplaced.n; i++)
        fprintf(stderr, "unplaced: %s %s\n", res.unplaced.items[i].text,
                res.unplaced.items[i].reason);
    ck_assert_msg(st == GK_IMPORT_OK, "status %d: %s", (int)st, res.error_message);
    ck_assert_uint_eq(res.unplaced.n, 0);
    ck_assert_int_eq(res.report->year, 2020);
    ck_assert_str_eq(res.report->entity, "350481101");
    ck_assert_str_eq(res.report->format->version, "2019");
    json_error_t e;
    json_t *want = json_load_file(REFERENCE, 0, &e);
    ck_assert_msg(want != NULL, "%s", e.text);
    json_t *got = report_json(res.report);
    json_t *ga = json_object_get(got, "tables");
    json_t *wa = json_object_get(want, "tables");
    ck_assert_ptr_nonnull(json_object_get(wa, "active"));
    ck_assert_ptr_nonnull(json_object_get(wa, "requests"));
    if (!json_equal(ga, wa)) {
        char *s = json_dumps(ga, JSON_SORT_KEYS);
        fprintf(stderr, "tables: got %s\n", s);
        free(s);
    }
    ck_assert(json_equal(ga, wa));
    /* The narrative sections came through as text. */
    const char *ov = json_string_value(json_object_get(json_object_get(got, "narrative"),
                                                       "overview"));
    ck_assert_ptr_nonnull(ov);
    ck_assert_ptr_nonnull(strstr(ov, "认真组织实施"));
    json_decref(got);
    json_decref(want);
    gk_import_result_free(&res);
}
END_TEST

START_TEST(pdf_without_text_layer_refused)
{
    gk_import_result res;
    ck_assert_int_eq(import_pdf("no_text.pdf", 0, &res), GK_IMPORT_NOT_REPORT);
    ck_assert_str_eq(res.error_code, "pdf_no_text");
    ck_assert_ptr_nonnull(strstr(res.error_message, "扫描件"));
    ck_assert_ptr_null(res.report);
    gk_import_result_free(&res);
}
END_TEST

START_TEST(pdf_encrypted_refused)
{
    gk_import_result res;
    ck_assert_int_eq(import_pdf("encrypted.pdf", 0, &res), GK_IMPORT_NOT_REPORT);
    ck_assert_str_eq(res.error_code, "pdf_encrypted");
    ck_assert_ptr_nonnull(strstr(res.error_message, "加密"));
    ck_assert_ptr_null(res.report);
    gk_import_result_free(&res);
}
END_TEST

/* Cut anywhere: a clear error (or, cut after the pages, what is there) —
 * never a crash, never an empty report passed off as one. */
START_TEST(pdf_truncated_refused)
{
    static const size_t cuts[] = {6, 100, 2000, 50000};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        gk_import_result res;
        gk_import_status st = import_pdf("sample.pdf", cuts[i], &res);
        ck_assert_msg(st == GK_IMPORT_NOT_REPORT, "cut at %zu: status %d", cuts[i], (int)st);
        ck_assert_msg(!strcmp(res.error_code, "pdf_corrupt") ||
                          !strcmp(res.error_code, "pdf_no_text"),
                      "cut at %zu: %s", cuts[i], res.error_code);
        gk_import_result_free(&res);
    }
}
END_TEST

#define REPORT_2021 GK_IMPORT_CORPUS "/report_2021_html/expected.json"

/* The whole report equals the hand-checked JSON of its source case. */
static void assert_report_equals(const gk_report *r, const char *path)
{
    json_error_t e;
    json_t *want = json_load_file(path, 0, &e);
    ck_assert_msg(want != NULL, "%s", e.text);
    json_t *got = report_json(r);
    if (!json_equal(got, want)) {
        char *s = json_dumps(got, JSON_SORT_KEYS);
        fprintf(stderr, "report: got %s\n", s);
        free(s);
    }
    ck_assert(json_equal(got, want));
    json_decref(got);
    json_decref(want);
}

/* The 2021 report printed by LibreOffice: its 收到和处理 table runs over two
 * page breaks, one of them inside its three-line column header
 * ("社会/公益" on page 1, "组织" on page 2), its labels wrap over up to four
 * lines ("1.申请人无正当理由逾/期不补正、…/再处理…/申请" around the values),
 * row-group labels wrap beside several rows ("（三）/不予公/开"), and the
 * appeals table is the format's two header rows and one label-less row of
 * 15.  The whole report — tables, prose joined back into paragraphs, the
 * publication date — is the source case's expected JSON exactly. */
START_TEST(pdf_2021_table_across_pages_exact)
{
    gk_import_result res;
    gk_import_status st = import_pdf_as("report_2021.pdf", "350481102", &res);
    for (size_t i = 0; i < res.unplaced.n; i++)
        fprintf(stderr, "unplaced: %s %s\n", res.unplaced.items[i].text,
                res.unplaced.items[i].reason);
    ck_assert_msg(st == GK_IMPORT_OK, "status %d: %s", (int)st, res.error_message);
    ck_assert_uint_eq(res.unplaced.n, 0);
    assert_report_equals(res.report, REPORT_2021);
    gk_import_result_free(&res);
}
END_TEST

/* The portal page of that report printed to PDF: the portal's footer after
 * the date is page furniture (notes), the date set right is published_at
 * and not a paragraph's end; the report is the case's expected JSON. */
START_TEST(pdf_2021_portal_footer_exact)
{
    gk_import_result res;
    gk_import_status st = import_pdf_as("report_2021_footer.pdf", "350481102", &res);
    ck_assert_msg(st == GK_IMPORT_OK, "status %d: %s", (int)st, res.error_message);
    ck_assert_uint_eq(res.unplaced.n, 0);
    ck_assert_uint_ge(res.notes.n, 3);
    assert_report_equals(res.report, GK_IMPORT_CORPUS "/report_2021_html_footer/expected.json");
    gk_import_result_free(&res);
}
END_TEST

/* Two cells left blank (absent) in that report: a blank cell has no text in
 * a PDF, so the row shows a value fewer than its columns; the other rows of
 * its block give the columns, and the blank is absent — 0, null and absent
 * stay apart — while everything else is the expected JSON exactly. */
START_TEST(pdf_blank_cells_absent)
{
    gk_import_result res;
    gk_import_status st = import_pdf_as("report_2021_blanks.pdf", "350481102", &res);
    for (size_t i = 0; i < res.unplaced.n; i++)
        fprintf(stderr, "unplaced: %s %s\n", res.unplaced.items[i].text,
                res.unplaced.items[i].reason);
    ck_assert_msg(st == GK_IMPORT_OK, "status %d: %s", (int)st, res.error_message);
    json_error_t e;
    json_t *want = json_load_file(REPORT_2021, 0, &e);
    ck_assert_ptr_nonnull(want);
    json_t *tables = json_object_get(want, "tables");
    ck_assert_int_eq(json_object_del(json_object_get(json_object_get(tables, "active"),
                                                     "normative_documents"),
                                     "repealed"),
                     0);
    ck_assert_int_eq(json_object_del(json_object_get(json_object_get(tables, "requests"),
                                                     "received"),
                                     "research"),
                     0);
    json_t *got = report_json(res.report);
    ck_assert(json_equal(got, want));
    json_decref(got);
    json_decref(want);
    gk_import_result_free(&res);
}
END_TEST

/* The same report with a running header (西洋镇政务公开专栏), a footer of two
 * lines (第 N 页 共 4 页, the office's name) on every page, and one row the
 * format does not have (行政调解 7): the furniture is dropped (the report is
 * exactly the expected JSON: no header or footer text in the prose, no
 * table cut by them), and the unknown row is reported with its page and its
 * position there, label and value each at their own x. */
START_TEST(pdf_furniture_dropped_unplaced_with_position)
{
    gk_import_result res;
    gk_import_status st = import_pdf_as("report_2021_furniture.pdf", "350481102", &res);
    ck_assert_msg(st == GK_IMPORT_PARTIAL, "status %d: %s", (int)st, res.error_message);
    assert_report_equals(res.report, REPORT_2021);
    ck_assert_uint_eq(res.unplaced.n, 2);
    const gk_import_item *label = &res.unplaced.items[0], *value = &res.unplaced.items[1];
    ck_assert_str_eq(label->text, "行政调解");
    ck_assert_str_eq(value->text, "7");
    ck_assert_int_eq(label->page, 1);
    ck_assert_int_eq(value->page, 1);
    /* the row sits below 行政强制, in the lower half of an A4 page (842 pt) */
    ck_assert_int_gt(label->y, 421);
    ck_assert_int_lt(label->y, 800);
    ck_assert_int_eq(label->y, value->y);
    /* label in the first column near the left margin, value in the second */
    ck_assert_int_lt(label->x, 80);
    ck_assert_int_gt(value->x, label->x + 50);
    char where[160];
    gk_import_item_where(value, where, sizeof where);
    ck_assert_msg(strstr(where, "第 1 页") && strstr(where, "y="), "%s", where);
    gk_import_result_free(&res);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("import_pdf");
    TCase *tc = tcase_create("pdf");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, pdf_sample_tables_exact);
    tcase_add_test(tc, pdf_without_text_layer_refused);
    tcase_add_test(tc, pdf_encrypted_refused);
    tcase_add_test(tc, pdf_truncated_refused);
    tcase_add_test(tc, pdf_2021_table_across_pages_exact);
    tcase_add_test(tc, pdf_2021_portal_footer_exact);
    tcase_add_test(tc, pdf_blank_cells_absent);
    tcase_add_test(tc, pdf_furniture_dropped_unplaced_with_position);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
