/* test_workbook.c — lib/workbook's rollup workbook and template, opened by
 * an independent reader (Debian's python3-openpyxl).
 *
 * Why here and not only end to end: the edge a real rollup rarely reaches —
 * a sum beyond what Excel's double holds exactly, written as its exact text
 * with a comment instead of a rounded number — and the coverage list
 * without a compliance answer are set up directly from JSON. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gongkai/exactjson.h"
#include "gongkai/format.h"
#include "gongkai/workbook.h"

static const char answer_text[] =
    "{\"region\":{\"code\":\"350481\",\"name\":\"永安市\",\"level\":3},\"year\":2024,\"format\":\"2021\","
    "\"rollup\":{\"format\":\"2021\",\"reports\":2,\"tables\":{"
    "\"active\":{\"fees\":{\"amount_10k_yuan\":{\"sum\":24252.311082,\"reported\":2,\"not_applicable\":0,"
    "\"blank\":0}},\"licensing\":{\"decisions\":{\"sum\":0,\"reported\":0,\"not_applicable\":2,\"blank\":0}},"
    "\"rules\":{\"issued\":{\"sum\":12345678.123456789,\"reported\":2,\"not_applicable\":0,\"blank\":0}}},"
    "\"requests\":{\"received\":{\"total\":{\"sum\":3,\"reported\":1,\"not_applicable\":0,\"blank\":1}}}}},"
    "\"coverage\":{\"expected\":3,\"submitted\":2,\"missing_count\":1,\"late_count\":1,"
    "\"missing\":[{\"code\":\"350481204\",\"name\":\"青水畲族乡\"}],"
    "\"late\":[{\"code\":\"350481102\",\"name\":\"西洋镇\",\"first_submitted_at\":\"2025-02-03T08:00:00Z\"}]}}";

/* The check, in Python: sys.argv[1] the workbook, argv[2] "coverage-only"
 * when written without compliance. */
static const char check_py[] =
    "import sys, openpyxl\n"
    "from decimal import Decimal\n"
    "wb = openpyxl.load_workbook(sys.argv[1])\n"
    "cells = {}\n"
    "for ws in wb.worksheets[:3]:\n"
    "    for row in ws.iter_rows():\n"
    "        for c in row:\n"
    "            if c.value is not None: cells.setdefault(c.value, []).append(c)\n"
    "fee = [c for v, cs in cells.items() for c in cs if isinstance(v, float)]\n"
    "assert [Decimal(repr(c.value)) for c in fee] == [Decimal('24252.311082')], fee\n"
    "assert fee[0].number_format == '#,##0.00####' and fee[0].comment is None\n"
    "long = cells['12345678.123456789'][0]\n"
    "assert long.data_type == 's' and '精度' in long.comment.text, long.comment\n"
    "three = [c for c in cells[3] if c.number_format == '0']\n"
    "assert three and '1/2 份报告填了数字' in three[0].comment.text\n"
    "assert '/' in cells\n"
    "cov = wb['报送情况']\n"
    "rows = [r for r in cov.iter_rows(min_row=9, values_only=True) if r[0]]\n"
    "if sys.argv[2] == 'coverage-only':\n"
    "    assert rows == [('350481102', '西洋镇', '已报送（逾期）', '2025-02-03T08:00:00Z'),\n"
    "                    ('350481204', '青水畲族乡', '未报送', None)], rows\n"
    "    assert '检查结果' not in wb.sheetnames\n"
    "else:\n"
    "    assert [r[:3] for r in rows] == [('350481101', '贡川镇', '已报送'),\n"
    "        ('350481102', '西洋镇', '已报送（逾期）'), ('350481204', '青水畲族乡', '未报送')], rows\n"
    "    found = [r for r in wb['检查结果'].iter_rows(min_row=2, values_only=True)]\n"
    "    assert [r[6] for r in found] == ['requests.row_total', None, None], found\n";

static const char compliance_text[] =
    "{\"entities\":["
    "{\"code\":\"350481101\",\"name\":\"贡川镇\",\"state\":\"errors\",\"revision\":2,\"late\":false,"
    "\"findings\":[{\"code\":\"requests.row_total\",\"severity\":\"error\",\"path\":\"tables.requests.received.total\","
    "\"message\":\"总计不等于各列之和\"}]},"
    "{\"code\":\"350481102\",\"name\":\"西洋镇\",\"state\":\"ok\",\"revision\":1,\"late\":true,\"findings\":[]},"
    "{\"code\":\"350481204\",\"name\":\"青水畲族乡\",\"state\":\"missing\",\"revision\":null,\"late\":false,"
    "\"findings\":[]}]}";

static int run_check(const char *book, const char *mode)
{
    char dir[] = "/tmp/gk-wbcheck-XXXXXX", script[64], cmd[512];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(script, sizeof script, "%s/check.py", dir);
    FILE *f = fopen(script, "w");
    ck_assert_ptr_nonnull(f);
    fputs(check_py, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s %s", script, book, mode);
    int rc = system(cmd);
    unlink(script);
    rmdir(dir);
    return rc;
}

START_TEST(rollup_exact_and_coverage)
{
    json_error_t e;
    json_t *a = gk_json_loadb_exact(answer_text, strlen(answer_text), 0, &e);
    ck_assert_msg(a != NULL, "%s", e.text);
    json_t *comp = json_loads(compliance_text, 0, &e);
    ck_assert_msg(comp != NULL, "%s", e.text);
    char dir[] = "/tmp/gk-wb-XXXXXX", path[64], why[320];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/book.xlsx", dir);
    ck_assert_int_eq(gk_workbook_rollup(a, NULL, path, why, sizeof why), 0);
    ck_assert_int_eq(run_check(path, "coverage-only"), 0);
    /* with compliance, into memory as the daemon does */
    size_t len = 0;
    char *bytes = gk_workbook_rollup_bytes(a, comp, &len, why, sizeof why);
    ck_assert_ptr_nonnull(bytes);
    ck_assert(len > 4 && !memcmp(bytes, "PK\x03\x04", 4));
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(bytes, 1, len, f), len);
    fclose(f);
    free(bytes);
    ck_assert_int_eq(run_check(path, "with-compliance"), 0);
    unlink(path);
    rmdir(dir);
    json_decref(a);
    json_decref(comp);
}
END_TEST

START_TEST(refusals)
{
    char why[320];
    json_t *a = json_pack("{s:{s:s}}", "rollup", "format", "1999");
    ck_assert_int_eq(gk_workbook_rollup(a, NULL, "/tmp/never.xlsx", why, sizeof why), -1);
    ck_assert_ptr_nonnull(strstr(why, "1999"));
    json_decref(a);
    const gk_format *f = gk_format_find("2021");
    ck_assert_int_eq(gk_workbook_template(f, 2024, "35'0481", NULL, "/tmp/never.xlsx", why, sizeof why), -1);
    ck_assert_ptr_nonnull(strstr(why, "区划代码"));
    ck_assert_int_eq(gk_workbook_template(f, 2024, "350481101", "贡川镇", "/nonexistent-dir/t.xlsx", why, sizeof why), -1);
    ck_assert_int_eq(access("/tmp/never.xlsx", F_OK), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("workbook");
    TCase *tc = tcase_create("workbook");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, rollup_exact_and_coverage);
    tcase_add_test(tc, refusals);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
