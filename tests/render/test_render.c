/* test_render.c — the proof of issue 15 item 6 for the renderer: what
 * `gongkai render` writes imports back to exactly the report it came from
 * (canonical JSON equal), for the shared sample, every report under
 * tests/cases that the parser accepts, and 1,000 random valid reports per
 * format (randreport.c, fixed seeds).  Also the printed layout itself: the
 * merged headers and labels of the national format, "/" and empty cells. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <zip.h>
#include "import.h"
#include "randreport.h"
#include "render.h"
#include "testutil.h"

#define N_RANDOM 1000

typedef enum { AS_HTML, AS_DOCX } out_kind;

static char *render(const gk_report *r, const char *name, out_kind k, size_t *len)
{
    gk_rdoc *d = gk_render_report(r, name);
    char why[320] = "";
    char *out = k == AS_HTML ? gk_rdoc_html(d, len) : gk_rdoc_docx(d, len, why, sizeof why);
    ck_assert_msg(out != NULL, "render failed: %s", why);
    gk_rdoc_free(d);
    return out;
}

static void drop_raw(gk_cell *c)
{
    json_decref(c->raw);
    c->raw = NULL;
    c->state = GK_CELL_ABSENT;
}

/* import(render(r)) == r, or a message saying where they differ.  An
 * invalid value (tests/cases/value.invalid) is printed as given and comes
 * back as the same invalid text, reported as unplaced (exit 3): those cells
 * are compared by their printed text, then left out of the JSON compared. */
static void assert_round_trip(gk_report *r, const char *name, out_kind k, const char *what)
{
    size_t len = 0;
    char *doc = render(r, name, k, &len);
    gk_import_options opt = {.entity = r->entity};
    gk_import_result res;
    if (k == AS_HTML)
        gk_import_html(doc, len, &opt, &res);
    else
        gk_import_docx(doc, len, &opt, &res);
    bool any_table = false;
    for (size_t t = 0; t < r->format->n_tables; t++)
        any_table |= r->table_present[t];
    if (k == AS_DOCX && !any_table) {
        /* a Word file without any table is refused by design (issue 15
         * item 7): the report without tables cannot come back from Word */
        ck_assert_msg(res.status == GK_IMPORT_NOT_REPORT && !strcmp(res.error_code, "docx_no_table"),
                      "%s: no tables, import status %d %s", what, res.status, res.error_code);
        gk_import_result_free(&res);
        free(doc);
        return;
    }
    size_t n_invalid = 0;
    for (size_t i = 0; i < r->format->n_cells; i++)
        if (r->cells[i].state == GK_CELL_INVALID) {
            n_invalid++;
            ck_assert_msg(res.report != NULL, "%s: not imported", what);
            char a[128], b[128];
            gk_render_report_cell(r, i, a, sizeof a);
            gk_render_report_cell(res.report, i, b, sizeof b);
            bool reported = res.report->cells[i].state == GK_CELL_INVALID && !strcmp(a, b);
            /* text that is no number at all ("五") reads as a label: the
             * importer reports it as unplaced instead */
            for (size_t u = 0; u < res.unplaced.n && !reported; u++)
                reported = !strcmp(res.unplaced.items[u].text, a);
            ck_assert_msg(reported, "%s: invalid value %s came back as “%s”, not reported", what,
                          a, b);
            drop_raw(&r->cells[i]);
            drop_raw(&res.report->cells[i]);
        }
    if (n_invalid) {
        ck_assert_msg(res.status == GK_IMPORT_PARTIAL && res.unplaced.n >= n_invalid,
                      "%s: %zu invalid values, import status %d with %zu unplaced", what,
                      n_invalid, res.status, res.unplaced.n);
        res.status = GK_IMPORT_OK;
    }
    char *want = gk_report_dump(r, true);
    if (res.status != GK_IMPORT_OK || !res.report) {
        const char *why = res.unplaced.n ? res.unplaced.items[0].reason : res.error_message;
        const char *txt = res.unplaced.n ? res.unplaced.items[0].text : "";
        FILE *f = fopen("/tmp/gk_render_fail.out", "wb");
        if (f) {
            fwrite(doc, 1, len, f);
            fclose(f);
        }
        FILE *j = fopen("/tmp/gk_render_fail.json", "wb");
        if (j) {
            fputs(want, j);
            fclose(j);
        }
        char where[160] = "";
        if (res.unplaced.n)
            gk_import_item_where(&res.unplaced.items[0], where, sizeof where);
        ck_abort_msg("%s: import status %d (%s: %.200s “%.100s”), %zu unplaced", what, res.status,
                     where, why, txt, res.unplaced.n);
    }
    char *got = gk_report_dump(res.report, true);
    if (strcmp(want, got) != 0) {
        FILE *f = fopen("/tmp/gk_render_fail.out", "wb");
        if (f) {
            fwrite(doc, 1, len, f);
            fclose(f);
        }
        /* the first differing line, for the message */
        const char *a = want, *b = got;
        int line = 1;
        while (*a && *a == *b) {
            if (*a == '\n')
                line++;
            a++;
            b++;
        }
        ck_abort_msg("%s: differs at line %d:\nwant …%.120s\ngot  …%.120s", what, line, a, b);
    }
    free(got);
    free(want);
    gk_import_result_free(&res);
    free(doc);
}

static gk_report *load_report(const char *path)
{
    size_t len;
    char *text = tu_read_file(path, &len);
    gk_error err;
    gk_report *r = gk_report_parse(text, len, NULL, &err);
    ck_assert_msg(r != NULL, "%s: %s", path, err.message);
    free(text);
    return r;
}

static void sample(out_kind k)
{
    gk_report *r = load_report(GK_TEST_DATA "/sample-350481101-2020.json");
    assert_round_trip(r, "永安市贡川镇", k, "sample");
    assert_round_trip(r, NULL, k, "sample without a name");
    gk_report_free(r);
}

static bool blank_text(const char *s)
{
    for (; *s; s++) {
        if (!strncmp(s, "　", 3))
            s += 2;
        else if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    }
    return true;
}

/* Every case spec (and its "previous" report) that parses. */
static size_t cases(out_kind k)
{
    size_t n = 0;
    DIR *top = opendir(GK_CASES_DIR);
    ck_assert_ptr_nonnull(top);
    struct dirent *e;
    while ((e = readdir(top))) {
        if (e->d_name[0] == '.')
            continue;
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/%s", GK_CASES_DIR, e->d_name);
        DIR *d = opendir(dir);
        if (!d)
            continue;
        struct dirent *f;
        while ((f = readdir(d))) {
            size_t l = strlen(f->d_name);
            if (l < 6 || strcmp(f->d_name + l - 5, ".json"))
                continue;
            char path[2048];
            snprintf(path, sizeof path, "%s/%s", dir, f->d_name);
            size_t len;
            char *text = tu_read_file(path, &len);
            json_t *spec = json_loads(text, 0, NULL);
            free(text);
            ck_assert_msg(spec != NULL, "%s: not JSON", path);
            const json_t *specs[2] = {spec, json_object_get(spec, "previous")};
            for (int i = 0; i < 2; i++) {
                if (!json_is_object(specs[i]))
                    continue;
                json_t *doc = tu_build_report(specs[i]);
                gk_error err;
                /* through text, as a file is parsed: amounts from their digits */
                char *txt = json_dumps(doc, JSON_COMPACT | GK_JSON_REAL_FLAGS);
                json_decref(doc);
                gk_report *r = gk_report_parse(txt, strlen(txt), NULL, &err);
                free(txt);
                if (!r)
                    continue;
                /* Prose of blanks only (" 　\n", a trigger of
                 * structure.missing_narrative) prints as nothing: a published
                 * document cannot hold it, and it imports as "" — the same
                 * finding.  The one normalisation of the proof. */
                for (int k = 0; k < GK_NARR_COUNT; k++)
                    if (r->narrative[k] && blank_text(r->narrative[k]))
                        r->narrative[k][0] = '\0';
                char what[2200];
                snprintf(what, sizeof what, "%s%s", path, i ? " (previous)" : "");
                assert_round_trip(r, "永安市贡川镇", k, what);
                gk_report_free(r);
                n++;
            }
            json_decref(spec);
        }
        closedir(d);
    }
    closedir(top);
    return n;
}

static void random_reports(out_kind k, const char *version, uint64_t seed)
{
    const gk_format *f = gk_format_find(version);
    ck_assert_ptr_nonnull(f);
    uint64_t s = seed;
    for (int i = 0; i < N_RANDOM; i++) {
        gk_report *r = tr_random_report(f, &s);
        char what[128];
        snprintf(what, sizeof what, "random report %s #%d (seed %llu)", version, i,
                 (unsigned long long)seed);
        assert_round_trip(r, i % 3 ? "永安市贡川镇" : NULL, k, what);
        gk_report_free(r);
    }
}

START_TEST(html_sample) { sample(AS_HTML); }
END_TEST

START_TEST(html_cases)
{
    ck_assert_uint_ge(cases(AS_HTML), 50);
}
END_TEST

START_TEST(html_random_2019) { random_reports(AS_HTML, "2019", 2019); }
END_TEST

START_TEST(html_random_2021) { random_reports(AS_HTML, "2021", 2021); }
END_TEST

/* The printed layout: merged headers and labels, "/" and empty cells. */
START_TEST(html_layout_2021)
{
    const gk_format *f = gk_format_find("2021");
    gk_report *r = gk_report_template(f, 2024, "350481101");
    r->cells[gk_format_cell_index(f, "active", "rules", "issued")].state = GK_CELL_NULL;
    r->cells[gk_format_cell_index(f, "active", "rules", "repealed")].state = GK_CELL_ABSENT;
    gk_cell *fee = &r->cells[gk_format_cell_index(f, "active", "fees", "amount_10k_yuan")];
    fee->value = INT64_C(24252311082);   /* 24252.311082 万元 */
    size_t len;
    char *h = render(r, "永安市贡川镇", AS_HTML, &len);
    static const char *const want[] = {
        "<h1>永安市贡川镇<br />2024年政府信息公开工作年度报告</h1>",
        "<h2>一、总体情况</h2>",
        "<h2>二、主动公开政府信息情况</h2>",
        "<th colspan=\"4\">第二十条第（一）项</th>",
        "<th>信息内容</th><th>本年制发件数</th><th>本年废止件数</th><th>现行有效件数</th>",
        "<th>规章</th><td class=\"n\">/</td><td class=\"n\"></td><td class=\"n\">0</td>",
        "<th colspan=\"3\">本年收费金额（单位：万元）</th>",
        "<td colspan=\"3\" class=\"n\">24252.311082</td>",
        "<th rowspan=\"3\" colspan=\"3\"></th><th colspan=\"7\">申请人情况</th>",
        "<th rowspan=\"2\">自然人</th><th colspan=\"5\">法人或其他组织</th><th rowspan=\"2\">总计</th>",
        "<th rowspan=\"22\">三、本年度办理结果</th><th colspan=\"2\">（一）予以公开</th>",
        "<th rowspan=\"8\">（三）不予公开</th><th>1.属于国家秘密</th>",
        "<th colspan=\"2\">（七）总计</th>",
        "<th colspan=\"3\">四、结转下年度继续办理</th>",
        "<th colspan=\"5\">行政复议</th><th colspan=\"10\">行政诉讼</th>",
        "<th colspan=\"5\">未经复议直接起诉</th><th colspan=\"5\">复议后起诉</th>",
        "<h2>五、存在的主要问题及改进情况</h2>",
        "<h2>六、其他需要报告的事项</h2>",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        ck_assert_msg(strstr(h, want[i]) != NULL, "HTML lacks %s", want[i]);
    /* the six sections in order */
    const char *p = h;
    for (int s = 0; s < 6; s++) {
        static const char *const heads[] = {"一、", "二、", "三、收到", "四、政府", "五、", "六、"};
        char tag[64];
        snprintf(tag, sizeof tag, "<h2>%s", heads[s]);
        const char *q = strstr(p, tag);
        ck_assert_msg(q != NULL, "section %d out of order", s + 1);
        p = q;
    }
    free(h);
    gk_report_free(r);
}
END_TEST

/* An absent narrative or table is left out, so it stays absent. */
START_TEST(html_absent_sections)
{
    const gk_format *f = gk_format_find("2019");
    gk_report *r = gk_report_template(f, 2020, "350481101");
    free(r->narrative[GK_NARR_PROBLEMS]);
    r->narrative[GK_NARR_PROBLEMS] = NULL;
    size_t t = (size_t)gk_format_table_index(f, "appeals");
    for (size_t i = 0; i < f->tables[t].n_cells; i++)
        r->cells[f->tables[t].first_cell + i].state = GK_CELL_ABSENT;
    r->table_present[t] = false;
    size_t len;
    char *h = render(r, NULL, AS_HTML, &len);
    ck_assert_ptr_null(strstr(h, "五、存在的主要问题"));
    ck_assert_ptr_null(strstr(h, "行政复议"));
    ck_assert_ptr_nonnull(strstr(h, "<th colspan=\"4\">第二十条第（九）项</th>"));
    free(h);
    assert_round_trip(r, NULL, AS_HTML, "absent sections");
    gk_report_free(r);
}
END_TEST

START_TEST(docx_sample) { sample(AS_DOCX); }
END_TEST

START_TEST(docx_cases)
{
    ck_assert_uint_ge(cases(AS_DOCX), 50);
}
END_TEST

START_TEST(docx_random_2019) { random_reports(AS_DOCX, "2019", 1919); }
END_TEST

START_TEST(docx_random_2021) { random_reports(AS_DOCX, "2021", 1921); }
END_TEST

/* The package: its parts, merged cells as gridSpan/vMerge, and the same
 * bytes for the same report (the daemon's ETag relies on it). */
START_TEST(docx_package)
{
    gk_report *r = load_report(GK_TEST_DATA "/sample-350481101-2020.json");
    size_t n1, n2;
    char *a = render(r, "永安市贡川镇", AS_DOCX, &n1);
    char *b = render(r, "永安市贡川镇", AS_DOCX, &n2);
    ck_assert_uint_eq(n1, n2);
    ck_assert_msg(memcmp(a, b, n1) == 0, "two renderings of one report differ");
    ck_assert_msg(n1 > 4 && !memcmp(a, "PK\3\4", 4), "not a zip");
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(a, n1, 0, &ze);
    zip_t *za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    ck_assert_ptr_nonnull(za);
    static const char *const parts[] = {"[Content_Types].xml", "_rels/.rels", "word/document.xml",
                                        "word/styles.xml", "word/_rels/document.xml.rels",
                                        "docProps/core.xml"};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
        ck_assert_msg(zip_name_locate(za, parts[i], 0) >= 0, "no part %s", parts[i]);
    zip_stat_t st;
    ck_assert_int_eq(zip_stat(za, "word/document.xml", 0, &st), 0);
    char *xml = malloc(st.size + 1);
    zip_file_t *zf = zip_fopen(za, "word/document.xml", 0);
    ck_assert_int_eq(zip_fread(zf, xml, st.size), (zip_int64_t)st.size);
    xml[st.size] = '\0';
    zip_fclose(zf);
    zip_close(za);
    static const char *const want[] = {
        "<w:tbl>", "<w:gridSpan w:val=\"7\"/>", "<w:gridSpan w:val=\"5\"/>",
        "<w:vMerge w:val=\"restart\"/>", "<w:vMerge/>", "<w:tblHeader/>",
        "<w:t xml:space=\"preserve\">（三）不予公开</w:t>",
        "<w:t xml:space=\"preserve\">法人或其他组织</w:t>",
        "<w:pStyle w:val=\"Title\"/>",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        ck_assert_msg(strstr(xml, want[i]) != NULL, "document.xml lacks %s", want[i]);
    free(xml);
    free(a);
    free(b);
    gk_report_free(r);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("render");
    TCase *tc = tcase_create("html");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, html_layout_2021);
    tcase_add_test(tc, html_absent_sections);
    tcase_add_test(tc, html_sample);
    tcase_add_test(tc, html_cases);
    tcase_add_test(tc, html_random_2019);
    tcase_add_test(tc, html_random_2021);
    suite_add_tcase(s, tc);
    TCase *td = tcase_create("docx");
    tcase_set_timeout(td, 600);
    tcase_add_test(td, docx_package);
    tcase_add_test(td, docx_sample);
    tcase_add_test(td, docx_cases);
    tcase_add_test(td, docx_random_2019);
    tcase_add_test(td, docx_random_2021);
    suite_add_tcase(s, td);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
